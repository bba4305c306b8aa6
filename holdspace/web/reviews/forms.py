"""Forms validate every POST; services do the writing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from holdspace.limits import MAX_SESSION_NUMBER
from holdspace.reviews.cards import SIGNAL_KINDS, SIGNAL_TITLES
from holdspace.reviews.patterns import glossary, prompts
from holdspace.web.inputs import BoundedIntegerField
from holdspace.web.reviews.models import AdaptationKind
from holdspace.web.reviews.services import PATTERN_TEXT_FIELDS
from holdspace.web.wording.checks import PATTERN_CHECKED
from holdspace.web.wording.forms import CheckedText


def _choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


class PatternForm(CheckedText, forms.Form):
    checked = PATTERN_CHECKED
    name = forms.CharField(max_length=120, label="Name (the client's words, or one from the list)")
    glossary_key = forms.ChoiceField(
        required=False,
        label="Starting vocabulary (optional; not a diagnosis)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "glossary_key", [("", "—")] + [(g.key, g.name) for g in glossary()])
        for key, prompt in prompts().items():
            self.fields[key] = forms.CharField(
                required=False,
                label=prompt.label,
                help_text=f"{prompt.prompt} (PTMF: “{prompt.ptmf}”)",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.wire_checked()

    def text_fields(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k, "") for k in PATTERN_TEXT_FIELDS}


class SightingForm(CheckedText, forms.Form):
    checked = ("note",)
    session = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args: Any, sessions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "session", [("", "No particular session"), *sessions])


class LifeEventForm(CheckedText, forms.Form):
    checked = ("description",)
    happened_on = forms.DateField(label="When", widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(max_length=300, label="What happened (briefly)")


class OpenReviewForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        choices=[(k, SIGNAL_TITLES[k]) for k in SIGNAL_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="What the review should look at",
    )


class PlanForm(CheckedText, forms.Form):
    checked = ("plan",)
    plan = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), label="The plan"
    )
    complete = forms.BooleanField(required=False, label="Mark the review complete")


class AdaptationForm(CheckedText, forms.Form):
    checked = ("description",)
    kind = forms.ChoiceField(choices=AdaptationKind.choices, label="What changes")
    description = forms.CharField(max_length=300, label="Describe the change")
    starts_on_session = BoundedIntegerField(
        min_value=1, max_value=MAX_SESSION_NUMBER, label="From session number"
    )
    instrument_id = forms.ChoiceField(label="Compare on")

    def __init__(self, *args: Any, instruments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "instrument_id", instruments)


class CommentForm(CheckedText, forms.Form):
    checked = ("text",)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Comment")
