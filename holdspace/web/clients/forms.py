"""Forms validate everything, including small POSTs and the dashboard's GET filters."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from holdspace.instruments import SKIP, Instrument, all_instruments
from holdspace.limits import MAX_EVERY_N_SESSIONS, MAX_ID, MAX_SESSION_NUMBER
from holdspace.web.clients.models import Session, SessionStatus
from holdspace.web.clients.services import DEFAULT_PLAN, SIGNAL_ORDER, PlanLine
from holdspace.web.inputs import BoundedIntegerField
from holdspace.web.wording.forms import CheckedText

SIGNAL_LABELS = {
    "safety": "Safety follow-up",
    "deterioration": "Getting worse",
    "not_on_track": "Review suggested",
    "alliance": "Relationship",
    "attendance": "Attendance changed",
    "measurement_gap": "No recent check-in",
}


class DashboardFilterForm(forms.Form):
    signal = forms.ChoiceField(
        required=False,
        choices=[("", "All signals")] + [(k, SIGNAL_LABELS[k]) for k in SIGNAL_ORDER],
    )
    clinician = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, clinicians: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clinician"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Everyone I can see"), *clinicians]


class ClientForm(forms.Form):
    code = forms.CharField(
        max_length=64,
        help_text="A pseudonymous code is enough, for example AB-0412.",
    )
    display_name = forms.CharField(
        max_length=120, required=False, help_text="Optional; leave empty to use the code only."
    )


class PlanLineForm(forms.Form):
    """One instrument in the plan: included or not, how often, from which session."""

    include = forms.BooleanField(required=False)
    instrument_id = forms.CharField(widget=forms.HiddenInput)
    every_n_sessions = BoundedIntegerField(min_value=1, max_value=MAX_EVERY_N_SESSIONS, initial=1)
    from_session = BoundedIntegerField(min_value=1, max_value=MAX_SESSION_NUMBER, initial=1)
    after_session = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The table's inputs have no visible label of their own; name them for screen readers.
        name = self.initial.get("name", "")
        labels = {
            "every_n_sessions": "every n sessions",
            "from_session": "from session",
            "after_session": "after the session",
        }
        for key, text in labels.items():
            self.fields[key].widget.attrs["aria-label"] = f"{name}: {text}"


def plan_initial() -> list[dict[str, Any]]:
    """Every instrument, with the default plan's lines ticked."""
    default = {line.instrument_id: line for line in DEFAULT_PLAN}
    rows = []
    for instrument in all_instruments():
        line = default.get(instrument.id, PlanLine(instrument.id))
        rows.append(
            {
                "include": instrument.id in default,
                "instrument_id": instrument.id,
                "every_n_sessions": line.every_n_sessions,
                "from_session": line.from_session,
                "after_session": line.after_session or instrument.kind == "alliance",
                "name": instrument.name,
            }
        )
    return rows


PlanFormSet = forms.formset_factory(PlanLineForm, extra=0)


class EpisodeForm(forms.Form):
    opened_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class SessionForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    status = forms.ChoiceField(
        choices=SessionStatus.choices,
        initial=SessionStatus.ATTENDED,
    )


class SessionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=SessionStatus.choices)


class CloseEpisodeForm(CheckedText, forms.Form):
    checked = ("end_reason",)

    end_reason = forms.CharField(
        max_length=200, help_text='In neutral words, e.g. "goals met" or "client chose to stop".'
    )


class AcknowledgeForm(CheckedText, forms.Form):
    """A safety follow-up: what was done (required), how it went and what is next.

    Each risk answer on a page gets its own form, prefixed by the administration's id, so
    several can stand on one page with distinct field ids."""

    checked = ("note", "outcome", "next_step")

    note = forms.CharField(
        label="What was done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example “phoned, safety plan reviewed together”.",
        error_messages={"required": "Say what was done before recording the follow-up."},
    )
    outcome = forms.CharField(
        label="Outcome (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_step = forms.CharField(
        label="Next step (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @classmethod
    def for_administration(cls, administration_id: int, data: Any = None) -> AcknowledgeForm:
        return cls(data, prefix=f"ack{administration_id}")


def with_follow_up_forms(
    items: list[tuple[Any, str]], bound: AcknowledgeForm | None = None
) -> list[tuple[Any, str, AcknowledgeForm]]:
    """(administration, name) pairs with each one's follow-up form; a refused form comes back
    bound, with its errors and the text that was typed."""
    out = []
    for administration, name in items:
        form = AcknowledgeForm.for_administration(administration.pk)
        if bound is not None and bound.prefix == form.prefix:
            form = bound
        out.append((administration, name, form))
    return out


SKIP_LABEL = "Not today (skip)"


class AdministrationForm(forms.Form):
    """A form generated from the instrument definition; every item can be skipped."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    session = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    # Set by the "save as a correction" button: the administration this one replaces.
    replaces = BoundedIntegerField(min_value=1, max_value=MAX_ID, required=False)

    def __init__(
        self, *args: Any, instrument: Instrument, sessions: list[Session], **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        session_field = self.fields["session"]
        assert isinstance(session_field, forms.TypedChoiceField)
        session_field.choices = [("", "No session")] + [
            (s.pk, f"Session {s.number} ({s.date:%d %b %Y})") for s in sessions
        ]
        if sessions:
            self.fields["session"].initial = sessions[-1].pk
        for item in instrument.items:
            choices = [(str(o.value), f"{o.value} · {o.label}") for o in item.options]
            self.fields[f"item_{item.id}"] = forms.ChoiceField(
                label=f"{item.number}. {item.text or item.short_label}",
                choices=[*choices, (SKIP, SKIP_LABEL)],
                widget=forms.RadioSelect,
                required=False,  # unanswered means missing; "skip" is a choice
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{item.id}"] for item in self.instrument.items]

    def answers(self) -> list[int | str | None]:
        out: list[int | str | None] = []
        for item in self.instrument.items:
            value: str = self.cleaned_data.get(f"item_{item.id}") or ""
            out.append(None if not value else SKIP if value == SKIP else int(value))
        return out
