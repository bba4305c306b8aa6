"""Forms for sign-in codes and the admin's user pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from holdspace.web.accounts.models import Role, TokenScope, User

# ModelForm is generic only in the type stubs; at run time it takes no parameter.
if TYPE_CHECKING:
    UserModelForm = forms.ModelForm[User]
else:
    UserModelForm = forms.ModelForm


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label="6-digit code from your authenticator app",
        error_messages={"invalid": "Enter the 6 digits shown in your authenticator app."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        return code.strip()


def _supervisor_choices(exclude: int | None = None) -> forms.ModelMultipleChoiceField[User]:
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
    if exclude is not None:
        supervisors = supervisors.exclude(pk=exclude)
    return forms.ModelMultipleChoiceField(
        queryset=supervisors.order_by("username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Supervisors see this clinician's caseload.",
    )


class UserCreateForm(UserModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; the person can change it later.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "require_totp"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisors"] = _supervisor_choices()

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        password = cleaned.get("password")
        if password:
            candidate = User(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        _check_supervisors(self, cleaned)
        return cleaned

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
            user.supervisors.set(self.cleaned_data["supervisors"])
        return user


class UserEditForm(UserModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role", "require_totp", "is_active"]
        labels = {"is_active": "Active (can sign in)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisors"] = _supervisor_choices(exclude=self.instance.pk)
        self.initial["supervisors"] = list(self.instance.supervisors.all())

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        _check_supervisors(self, cleaned)
        return cleaned

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        if commit:
            user.supervisors.set(self.cleaned_data["supervisors"])
        return user


class TemporaryPasswordForm(forms.Form):
    """A new password an admin sets for someone who cannot sign in."""

    password = forms.CharField(
        label="New temporary password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. Give it to the person in a private way; "
        "they can change it after signing in.",
    )

    def __init__(self, subject: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subject = subject

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        # Django's validators, with the account itself for the similarity check.
        validate_password(password, self.subject)
        return password


def _check_supervisors(form: forms.BaseForm, cleaned: dict[str, Any]) -> None:
    if cleaned.get("supervisors") and cleaned.get("role") != Role.CLINICIAN:
        form.add_error("supervisors", "Only a clinician has supervisors.")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, label="What it is for", help_text="For example: nightly export to the EHR"
    )
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ, label="Access")
