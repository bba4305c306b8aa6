from __future__ import annotations

from typing import Any

from django import forms

from holdspace.web.clients.models import Session
from holdspace.web.notes.models import MAX_NOTE_CHARS


class SessionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Session) -> str:
        return f"Session {obj.number} ({obj.date:%d %b %Y})"


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=MAX_NOTE_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={
            "required": "Write the note before saving.",
            "max_length": f"A note can be at most {MAX_NOTE_CHARS:,} characters.",
        },
    )
    session = SessionChoiceField(
        label="Session (optional)", queryset=Session.objects.none(), required=False
    )

    def __init__(self, *args: Any, sessions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        if sessions is not None and isinstance(field, forms.ModelChoiceField):
            field.queryset = sessions


class LintForm(forms.Form):
    """Text sent by the editor as the clinician types (and the note it belongs to, if saved)."""

    text = forms.CharField(max_length=MAX_NOTE_CHARS, strip=False, required=False)
    note = forms.IntegerField(required=False, min_value=1)


class ApplyForm(LintForm):
    """A suggestion to apply: `apply` is "start|end|replacement" over the current text."""

    apply = forms.CharField(max_length=400)

    def clean_apply(self) -> tuple[int, int, str]:
        raw = self.cleaned_data["apply"]
        start, _, rest = raw.partition("|")
        end, _, replacement = rest.partition("|")
        if not (start.isdigit() and end.isdigit()):
            raise forms.ValidationError("apply: expected 'start|end|replacement'.")
        return int(start), int(end), replacement


class KeepForm(forms.Form):
    """Keep the flagged words: `keep` is "rule|start|end" over the current text."""

    keep = forms.CharField(max_length=120)
    text = forms.CharField(max_length=MAX_NOTE_CHARS, strip=False, required=False)

    def clean_keep(self) -> tuple[str, int, int]:
        rule, _, rest = self.cleaned_data["keep"].partition("|")
        start, _, end = rest.partition("|")
        if not (rule and start.isdigit() and end.isdigit()):
            raise forms.ValidationError("keep: expected 'rule|start|end'.")
        return rule, int(start), int(end)
