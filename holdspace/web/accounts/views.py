"""Sign-in (password, then a TOTP code when the account has a device), two-factor
set-up, and the admin's user pages."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash, user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from holdspace.web.access import get_admin, home_url, request_user
from holdspace.web.accounts import tokens, twofactor
from holdspace.web.accounts.forms import (
    ApiTokenForm,
    CodeForm,
    TemporaryPasswordForm,
    UserCreateForm,
    UserEditForm,
)
from holdspace.web.accounts.models import ApiToken, Role, User
from holdspace.web.audit.log import record

# Shown on the sign-in page while no account exists: the exact command to run.
FIRST_RUN_COMMAND = "holdspace createuser YOUR-NAME --role clinician"
FIRST_ADMIN_COMMAND = "holdspace createuser ADMIN-NAME --role admin"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["first_run"] = not User.objects.exists()
        context["first_run_command"] = FIRST_RUN_COMMAND
        context["first_admin_command"] = FIRST_ADMIN_COMMAND
        return context

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        return home_url(user) if isinstance(user, User) else super().get_default_redirect_url()

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if isinstance(user, User) and twofactor.confirmed_device(user) is not None:
            # Password accepted; not signed in until the code matches.
            twofactor.start_pending(self.request, user, self.get_redirect_url())
            return redirect("login_code")
        return super().form_valid(form)


login_view = LoginView.as_view()


def login_code(request: HttpRequest) -> HttpResponseBase:
    found = twofactor.pending_user(request)
    if found is None:
        messages.info(request, "Please sign in again.")
        return redirect("login")
    user, pending = found
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        locked: HttpResponseBase = get_lockout_response(request, None, credentials)
        return locked
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.confirmed_device(user)
        if device is not None and device.verify_token(form.cleaned_data["code"]):
            twofactor.clear_pending(request)
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"] or home_url(user))
        # Counts towards the same lockout as wrong passwords (axes listens to this signal).
        user_login_failed.send(
            sender=__name__, credentials={**credentials, "step": "totp"}, request=request
        )
        form.add_error("code", "That code did not match. Codes change every 30 seconds.")
    return render(request, "accounts/login_code.html", {"form": form, "page": "login"})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponseBase:
    return auth_views.LogoutView.as_view()(request)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    device = twofactor.confirmed_device(user)
    if device is None:
        return _enrol(request, user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and not user.require_totp and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            TOTPDevice.objects.filter(user=user).delete()
            record(user, "totp_removed", f"user:{user.pk}", request=request)
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("two_factor")
        form.add_error("code", "That code did not match. Codes change every 30 seconds.")
    ctx = {"page": "two_factor", "enabled": True, "form": form, "required": user.require_totp}
    return render(request, "accounts/two_factor.html", ctx)


def _enrol(request: HttpRequest, user: User) -> HttpResponse:
    device = twofactor.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record(user, "totp_enrolled", f"user:{user.pk}", request=request)
            messages.success(request, "Two-factor sign-in is on.")
            return redirect(home_url(user))
        form.add_error("code", "That code did not match. Check the time on your phone.")
    ctx = {
        "page": "two_factor",
        "enabled": False,
        "form": form,
        "required": user.require_totp,
        # segno writes the SVG from the provisioning URI alone: no user text inside.
        "qr_svg": mark_safe(twofactor.qr_svg(device)),  # noqa: S308
        "manual_key": twofactor.manual_key(device),
    }
    return render(request, "accounts/two_factor.html", ctx)


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    get_admin(request)
    has_totp = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    users = (
        User.objects.annotate(has_totp=Exists(has_totp))
        .prefetch_related("supervisors")
        .order_by("-is_active", "username")
    )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": "users", "users": page})


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    admin = get_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            record(admin, "create", f"user:{user.pk}", request=request, detail={"role": user.role})
        messages.success(request, f"Created {user.get_role_display().lower()} {user.username}.")
        return redirect("users")
    return render(request, "accounts/user_form.html", {"page": "users", "form": form})


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    admin = get_admin(request)
    subject = get_object_or_404(User, pk=user_id)
    form = UserEditForm(request.POST or None, instance=subject)
    if request.method == "POST" and form.is_valid():
        if subject == admin and not _keeps_own_admin(form):
            form.add_error(None, "You cannot remove your own admin access or deactivate yourself.")
        else:
            with transaction.atomic():
                form.save()
                detail = {"fields": sorted(form.changed_data)}
                record(admin, "update", f"user:{subject.pk}", request=request, detail=detail)
            messages.success(request, f"Saved {subject.username}.")
            return redirect("users")
    ctx = {"page": "users", "form": form, "subject": subject}
    return render(request, "accounts/user_form.html", ctx)


@login_required
def user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    admin = get_admin(request)
    subject = get_object_or_404(User, pk=user_id)
    form = TemporaryPasswordForm(subject, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # A new password changes the session auth hash, so every session the person
            # had open (a lost laptop, a shared computer) ends at its next request.
            subject.set_password(form.cleaned_data["password"])
            subject.save(update_fields=["password"])
            # The audit detail names the change only: never the password.
            record(admin, "password_set", f"user:{subject.pk}", request=request)
        if subject == admin:
            update_session_auth_hash(request, subject)  # keep this session, end the others
        messages.success(request, f"Set a temporary password for {subject.username}.")
        return redirect("user_edit", user_id=subject.pk)
    ctx = {"page": "users", "form": form, "subject": subject}
    return render(request, "accounts/user_password.html", ctx)


def _keeps_own_admin(form: UserEditForm) -> bool:
    return bool(form.cleaned_data["is_active"]) and form.cleaned_data["role"] == Role.ADMIN


# --- personal API tokens --------------------------------------------------------------


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own tokens; a new one is shown once, on the page that made it."""
    user = request_user(request)
    form = ApiTokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = tokens.create_token(
                user, form.cleaned_data["name"], form.cleaned_data["scope"], request=request
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            form = ApiTokenForm()
    listed = ApiToken.objects.filter(user=user)
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": listed, "new_token": new_token},
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = request_user(request)
    token = get_object_or_404(ApiToken, pk=token_id, user=user)  # only one's own
    tokens.revoke_token(token, user, request=request)
    messages.success(request, f"Token {token.name!r} is revoked; it no longer works.")
    return redirect("api_tokens")
