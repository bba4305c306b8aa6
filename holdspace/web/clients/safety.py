"""Safety follow-ups and the safety history of a client.

The history (every risk answer, the answer chosen, and its follow-ups) is read by the client
page, the stuck-point review and, through both, the supervisor; two queries whatever the
number of answers. `record_follow_up` is the one way a follow-up form is saved, from the
client page or a review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from holdspace.instruments import UnknownInstrumentError, get_instrument
from holdspace.phrases import ago
from holdspace.web.access import request_user, visible_episodes
from holdspace.web.accounts.models import User
from holdspace.web.clients import services
from holdspace.web.clients.forms import AcknowledgeForm
from holdspace.web.clients.models import Administration, Episode, SafetyAcknowledgement
from holdspace.web.feedback import add_errors


@dataclass(frozen=True)
class RiskAnswer:
    """One risk item answered at or above its flag: the question and the answer chosen."""

    item: str  # "Item 9: Thoughts that you would be better off dead …"
    answer: str  # "1 · Several days"


@dataclass(frozen=True)
class SafetyEntry:
    administration: Administration
    instrument_name: str
    day: dt.date
    ago: str  # "7 days ago"
    answers: list[RiskAnswer]
    follow_ups: list[SafetyAcknowledgement]

    @property
    def followed_up(self) -> bool:
        return bool(self.follow_ups)


def risk_answers(administration: Administration) -> list[RiskAnswer]:
    """The risk items this administration flagged, with the answer the client chose."""
    flags = [f for f in administration.result.get("flags", []) if f.get("kind") == "risk"]
    try:
        instrument = get_instrument(administration.instrument_id)
    except UnknownInstrumentError:
        instrument = None
    found = []
    for flag in flags:
        item_id, value = str(flag.get("item", "")), flag.get("value")
        question, answer = f"Item {item_id}", f"{value}"
        if instrument is not None:
            try:
                item = instrument.item(item_id)
            except KeyError:
                pass
            else:
                question = f"Item {item.number}: {item.text or item.short_label}"
                label = next((o.label for o in item.options if o.value == value), "")
                answer = f"{value} · {label}" if label else answer
        found.append(RiskAnswer(question, answer))
    return found


def safety_history(
    episodes: QuerySet[Episode], *, today: dt.date | None = None
) -> list[SafetyEntry]:
    """Every risk answer in these episodes, newest first, each with its follow-ups."""
    today = today or timezone.localdate()
    administrations = (
        # Superseded administrations too: a risk answer is never lost from the history.
        Administration.with_history.filter(episode__in=episodes, has_risk=True)
        .select_related("session")
        .prefetch_related(
            Prefetch(
                "acknowledgements",
                queryset=SafetyAcknowledgement.objects.select_related("by").order_by("at", "pk"),
            )
        )
        .order_by("-completed_at", "-pk")
    )
    entries = []
    for a in administrations:
        day = timezone.localdate(a.completed_at)
        entries.append(
            SafetyEntry(
                administration=a,
                instrument_name=_name(a.instrument_id),
                day=day,
                ago=ago(day, today),
                answers=risk_answers(a),
                follow_ups=list(a.acknowledgements.all()),
            )
        )
    return entries


def _name(instrument_id: str) -> str:
    try:
        return get_instrument(instrument_id).name
    except UnknownInstrumentError:
        return instrument_id


def client_safety_history(user: User, episode: Episode) -> list[SafetyEntry]:
    """The client's risk answers across every episode this user may read."""
    return safety_history(visible_episodes(user).filter(client_id=episode.client_id))


def record_follow_up(
    request: HttpRequest, administration: Administration, form: AcknowledgeForm
) -> bool:
    """Record a valid follow-up form; False (with the reason on the form) if refused."""
    user = request_user(request)
    try:
        ack = services.acknowledge_safety(
            administration,
            user,
            note=form.cleaned_data["note"],
            outcome=form.cleaned_data["outcome"],
            next_step=form.cleaned_data["next_step"],
            request=request,
        )
    except ValidationError as exc:
        add_errors(form, exc)
        return False
    messages.success(request, "Safety follow-up recorded.")
    form.save_wording(ack, user, request)
    return True
