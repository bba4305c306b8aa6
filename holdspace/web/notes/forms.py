from __future__ import annotations

from typing import Any

from django import forms

from holdspace.limits import MAX_ID
from holdspace.web.clients.models import Session
from holdspace.web.inputs import BoundedIntegerField, InputError, parse_int
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
    note = BoundedIntegerField(required=False, min_value=1, max_value=MAX_ID)


class ApplyForm(LintForm):
    """A suggestion to apply: `apply` is "start|end|replacement" over the current text."""

    apply = forms.CharField(max_length=400)

    def clean_apply(self) -> tuple[int, int, str]:
        raw = self.cleaned_data["apply"]
        start, _, rest = raw.partition("|")
        end, _, replacement = rest.partition("|")
        try:
            return _offset(start), _offset(end), replacement
        except InputError as exc:
            raise forms.ValidationError("apply: expected 'start|end|replacement'.") from exc


class KeepForm(forms.Form):
    """Keep the flagged words: `keep` is "rule|start|end" over the current text."""

    keep = forms.CharField(max_length=120)
    text = forms.CharField(max_length=MAX_NOTE_CHARS, strip=False, required=False)

    def clean_keep(self) -> tuple[str, int, int]:
        rule, _, rest = self.cleaned_data["keep"].partition("|")
        start, _, end = rest.partition("|")
        try:
            if not rule:
                raise InputError("rule")
            return rule, _offset(start), _offset(end)
        except InputError as exc:
            raise forms.ValidationError("keep: expected 'rule|start|end'.") from exc


def _offset(raw: str) -> int:
    """A character position in a note."""
    return parse_int(raw, field="offset", minimum=0, maximum=MAX_NOTE_CHARS)
