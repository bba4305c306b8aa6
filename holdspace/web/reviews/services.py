"""Every write for reviews goes through here (one transaction, one audit record each), and
the reads that turn an episode into the core's ReviewContext and adaptation outcomes.

Audit records carry ids only, never client words (holdspace.web.audit.log).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from holdspace.instruments import UnknownInstrumentError, get_instrument
from holdspace.limits import MAX_SESSION_NUMBER
from holdspace.reviews import (
    DEFAULT_MIN_SESSIONS_AFTER,
    SIGNAL_KINDS,
    AdaptationOutcome,
    Card,
    CardError,
    LastAdaptation,
    Review,
    ReviewContext,
    assemble,
    compare_adaptation,
    load_cards,
)
from holdspace.reviews.patterns import PATTERN_FIELDS, glossary
from holdspace.web.accounts.models import Role, User
from holdspace.web.audit.log import record as audit
from holdspace.web.clients.models import Administration, Episode, Session, SessionStatus
from holdspace.web.reviews.models import (
    Adaptation,
    AdaptationKind,
    HypothesisMark,
    LifeEvent,
    PatternSighting,
    ProtectivePattern,
    ReviewComment,
    ReviewHypothesis,
    ReviewTrigger,
    StuckPointReview,
)

# Product defaults (docs/reviews.md): what counts as "recent" in the review's data.
RECENT_DAYS = 84  # twelve weeks of life events and pattern sightings
RECENT_SESSIONS = 6  # attendance over the last six sessions
RECENT_ALLIANCE = 4  # falls between the last four alliance scores

# The pattern's text fields are the prompts in the core's patterns.yaml, one for one.
PATTERN_TEXT_FIELDS = PATTERN_FIELDS


def cards_and_warning() -> tuple[list[Card], str]:
    """The card library; a broken local card file falls back to the bundled cards with a
    warning naming the file and field, so a typo never takes the review pages down."""
    try:
        return load_cards(local_dir=settings.HOLDSPACE_LOCAL_CARDS), ""
    except CardError as exc:
        return load_cards(local_dir=""), f"The clinic's local cards were not loaded: {exc}"


def cards() -> list[Card]:
    return cards_and_warning()[0]


def min_sessions_after() -> int:
    return int(getattr(settings, "HOLDSPACE_ADAPTATION_MIN_SESSIONS", DEFAULT_MIN_SESSIONS_AFTER))


# --- patterns and life events -------------------------------------------------------


def _clean_pattern(name: str, glossary_key: str) -> None:
    if not name.strip():
        raise ValidationError({"name": "Give the pattern a name (a word from the list is fine)."})
    keys = {g.key for g in glossary()}
    if glossary_key and glossary_key not in keys:
        raise ValidationError({"glossary_key": f"Choose one of: {', '.join(sorted(keys))}."})


def save_pattern(
    episode: Episode,
    by: User,
    *,
    name: str,
    glossary_key: str = "",
    fields: dict[str, str],
    pattern: ProtectivePattern | None = None,
    request: HttpRequest | None = None,
) -> ProtectivePattern:
    """Create a pattern, or update `pattern` in place."""
    _clean_pattern(name, glossary_key)
    unknown = set(fields) - set(PATTERN_TEXT_FIELDS)
    if unknown:
        raise ValidationError({"fields": f"Unknown fields: {', '.join(sorted(unknown))}."})
    with transaction.atomic():
        target = pattern or ProtectivePattern(episode=episode, created_by=by)
        target.name = name.strip()
        target.glossary_key = glossary_key
        for key, value in fields.items():
            setattr(target, key, value.strip())
        target.save()
        action = "update" if pattern else "create"
        audit(by, action, f"pattern:{target.pk}", request=request, detail={"episode": episode.pk})
    return target


def mark_pattern_seen(
    pattern: ProtectivePattern,
    by: User,
    *,
    session: Session | None,
    note: str = "",
    request: HttpRequest | None = None,
) -> PatternSighting:
    if session is not None and session.episode_id != pattern.episode_id:
        raise ValidationError({"session": "That session belongs to another episode."})
    with transaction.atomic():
        sighting = PatternSighting.objects.create(
            pattern=pattern, session=session, note=note.strip(), noted_by=by
        )
        audit(by, "create", f"pattern_sighting:{sighting.pk}", request=request)
    return sighting


def add_life_event(
    episode: Episode,
    by: User,
    *,
    happened_on: dt.date,
    description: str,
    request: HttpRequest | None = None,
) -> LifeEvent:
    if not description.strip():
        raise ValidationError({"description": "Say briefly what happened."})
    with transaction.atomic():
        event = LifeEvent.objects.create(
            episode=episode, happened_on=happened_on, description=description.strip(), noted_by=by
        )
        audit(by, "create", f"life_event:{event.pk}", request=request)
    return event


# --- reviews ------------------------------------------------------------------------


def signal_snapshot(signals: Sequence[Any]) -> list[dict[str, str]]:
    """Signals from holdspace.signals as stored on a review; unknown kinds are left out."""
    out = []
    for signal in signals:
        kind = str(getattr(signal, "kind", ""))
        if kind not in SIGNAL_KINDS:
            continue
        summary = getattr(signal, "sentence", "") or getattr(signal, "title", "") or ""
        out.append(
            {
                "kind": kind,
                "severity": str(getattr(signal, "severity", "")),
                "summary": str(summary),
            }
        )
    return out


def open_review(
    episode: Episode,
    by: User,
    *,
    signals: list[dict[str, str]],
    trigger: str,
    request: HttpRequest | None = None,
) -> StuckPointReview:
    if trigger not in ReviewTrigger.values:
        raise ValidationError(
            {"trigger": f"trigger must be one of {', '.join(ReviewTrigger.values)}"}
        )
    bad = [s.get("kind") for s in signals if s.get("kind") not in SIGNAL_KINDS]
    if bad:
        raise ValidationError(
            {"signals": f"Unknown signal {bad[0]!r}; allowed: {', '.join(SIGNAL_KINDS)}."}
        )
    with transaction.atomic():
        review = StuckPointReview.objects.create(
            episode=episode, opened_by=by, trigger=trigger, signals=signals
        )
        audit(by, "create", f"review:{review.pk}", request=request, detail={"episode": episode.pk})
    return review


def mark_hypotheses(
    review: StuckPointReview,
    by: User,
    marks: dict[str, str],
    *,
    request: HttpRequest | None = None,
) -> None:
    """Save the clinician's marks by card id; an empty mark clears it."""
    known = {c.id for c in cards()}
    for card_id, mark in marks.items():
        if card_id not in known:
            raise ValidationError({"card": f"Unknown card {card_id!r}."})
        if mark and mark not in HypothesisMark.values:
            raise ValidationError(
                {"mark": f"mark must be one of {', '.join(HypothesisMark.values)}"}
            )
    with transaction.atomic():
        for card_id, mark in marks.items():
            if mark:
                ReviewHypothesis.objects.update_or_create(
                    review=review, card_id=card_id, defaults={"mark": mark}
                )
            else:
                ReviewHypothesis.objects.filter(review=review, card_id=card_id).delete()
        audit(by, "update", f"review:{review.pk}", request=request, detail={"marks": len(marks)})


def unacknowledged_risk(episode: Episode) -> list[Administration]:
    return list(
        # Superseded administrations too: a risk answer is never lost.
        Administration.with_history.filter(
            episode=episode, has_risk=True, acknowledgements__isnull=True
        )
        .select_related("session")
        .order_by("completed_at")
    )


def save_plan(
    review: StuckPointReview,
    by: User,
    *,
    plan: str,
    complete: bool,
    request: HttpRequest | None = None,
) -> StuckPointReview:
    """Save the plan; completing the review needs every risk answer acknowledged first."""
    if complete and unacknowledged_risk(review.episode):
        raise ValidationError(
            {"complete": "Record the safety follow-up first: a risk answer is not acknowledged."}
        )
    with transaction.atomic():
        review.plan = plan.strip()
        if complete:
            review.completed_at = timezone.now()
        review.save(update_fields=["plan", "completed_at"])
        audit(by, "update", f"review:{review.pk}", request=request, detail={"complete": complete})
    return review


def save_review(
    review: StuckPointReview,
    by: User,
    marks: dict[str, str],
    *,
    plan: str,
    complete: bool,
    request: HttpRequest | None = None,
) -> StuckPointReview:
    """Marks and plan together, as the clinician sends them from one page: both are saved,
    or (a refusal of either) neither, so nothing typed is half-kept."""
    with transaction.atomic():
        mark_hypotheses(review, by, marks, request=request)
        return save_plan(review, by, plan=plan, complete=complete, request=request)


def add_comment(
    review: StuckPointReview, author: User, text: str, *, request: HttpRequest | None = None
) -> ReviewComment:
    """Supervisors of the review's clinician comment; the clinician reads."""
    is_supervisor = (
        author.role == Role.SUPERVISOR
        and review.episode.clinician.supervisors.filter(pk=author.pk).exists()
    )
    if not is_supervisor:
        raise ValidationError({"author": "Only a supervisor of this clinician can comment."})
    if not text.strip():
        raise ValidationError({"text": "Write a comment first."})
    with transaction.atomic():
        comment = ReviewComment.objects.create(review=review, author=author, text=text.strip())
        audit(author, "create", f"review_comment:{comment.pk}", request=request)
    return comment


# --- adaptations --------------------------------------------------------------------


def outcome_instruments(episode: Episode) -> list[str]:
    """The episode's outcome measures (plan order first), for the comparison."""
    ids = [p.instrument_id for p in episode.plan_items.order_by("pk")]
    ids += sorted(set(episode.administrations.values_list("instrument_id", flat=True)) - set(ids))
    found = []
    for instrument_id in ids:
        try:
            if get_instrument(instrument_id).kind == "outcome":
                found.append(instrument_id)
        except UnknownInstrumentError:
            continue
    return found


def record_adaptation(
    episode: Episode,
    by: User,
    *,
    kind: str,
    description: str,
    starts_on_session: int,
    instrument_id: str,
    review: StuckPointReview | None = None,
    request: HttpRequest | None = None,
) -> Adaptation:
    if kind not in AdaptationKind.values:
        raise ValidationError({"kind": f"kind must be one of {', '.join(AdaptationKind.values)}"})
    if not description.strip():
        raise ValidationError({"description": "Say what changes."})
    if not 1 <= starts_on_session <= MAX_SESSION_NUMBER:
        raise ValidationError(
            {"starts_on_session": f"A session number from 1 to {MAX_SESSION_NUMBER:,}."}
        )
    if instrument_id not in outcome_instruments(episode):
        raise ValidationError(
            {"instrument_id": f"Choose one of: {', '.join(outcome_instruments(episode))}."}
        )
    with transaction.atomic():
        adaptation = Adaptation.objects.create(
            episode=episode,
            review=review,
            kind=kind,
            description=description.strip(),
            starts_on_session=starts_on_session,
            instrument_id=instrument_id,
            created_by=by,
        )
        audit(by, "create", f"adaptation:{adaptation.pk}", request=request)
    return adaptation


def adaptation_annotations(episode: Episode) -> list[tuple[int, str]]:
    """(session number, label) for the client chart's dashed adaptation lines."""
    return [
        (a.starts_on_session, a.title)
        for a in Adaptation.objects.in_effect()
        .filter(episode=episode)
        .order_by("starts_on_session", "pk")
    ]


def _session_number(administration: Administration, sessions: list[Session]) -> int:
    if administration.session is not None:
        return administration.session.number
    day = timezone.localdate(administration.completed_at)
    return max((s.number for s in sessions if s.date <= day), default=1)


def score_points(episode: Episode, instrument_id: str) -> list[tuple[int, float]]:
    """(session number, total) for one instrument; the latest score wins within a session."""
    sessions = list(episode.sessions.order_by("number"))
    by_session: dict[int, float] = {}
    rows = episode.administrations.filter(instrument_id=instrument_id, total__isnull=False)
    for a in rows.select_related("session").order_by("completed_at"):
        by_session[_session_number(a, sessions)] = float(a.total or 0.0)
    return sorted(by_session.items())


def adaptation_outcome(adaptation: Adaptation) -> AdaptationOutcome:
    instrument = get_instrument(adaptation.instrument_id)
    return compare_adaptation(
        score_points(adaptation.episode, adaptation.instrument_id),
        adaptation.starts_on_session,
        instrument.reliable_change.threshold,
        instrument.direction,
        min_sessions_after(),
    )


# --- the review page ----------------------------------------------------------------


@dataclass(frozen=True)
class AllianceFall:
    session_from: int
    session_to: int
    before: float
    after: float


@dataclass(frozen=True)
class ClientData:
    """What the review puts beside the cards."""

    context: ReviewContext
    unacknowledged: list[Administration]
    alliance_falls: list[AllianceFall]
    attendance: dict[str, int]
    sightings: list[PatternSighting]
    life_events: list[LifeEvent]
    last_adaptation: Adaptation | None
    last_outcome: AdaptationOutcome | None


def _alliance_falls(episode: Episode) -> list[AllianceFall]:
    falls: list[AllianceFall] = []
    for instrument_id in set(episode.administrations.values_list("instrument_id", flat=True)):
        try:
            instrument = get_instrument(instrument_id)
        except UnknownInstrumentError:
            continue
        if instrument.kind != "alliance":
            continue
        points = score_points(episode, instrument_id)[-RECENT_ALLIANCE:]
        for (s1, v1), (s2, v2) in zip(points, points[1:], strict=False):
            worse = v2 < v1 if instrument.direction == "higher_is_better" else v2 > v1
            if worse:
                falls.append(AllianceFall(s1, s2, v1, v2))
    return falls


def _attendance(episode: Episode) -> dict[str, int]:
    recent = list(episode.sessions.order_by("-number")[:RECENT_SESSIONS])
    counts = {status: 0 for status in SessionStatus.values}
    for session in recent:
        counts[session.status] = counts.get(session.status, 0) + 1
    return counts


def client_data(episode: Episode, *, today: dt.date | None = None) -> ClientData:
    since = (today or timezone.localdate()) - dt.timedelta(days=RECENT_DAYS)
    unacknowledged = unacknowledged_risk(episode)
    falls = _alliance_falls(episode)
    attendance = _attendance(episode)
    sightings = list(
        PatternSighting.objects.filter(
            pattern__episode=episode, noted_at__date__gte=since
        ).select_related("pattern", "session")
    )
    events = list(LifeEvent.objects.filter(episode=episode, happened_on__gte=since))
    last = (
        Adaptation.objects.in_effect()
        .filter(episode=episode)
        .order_by("-starts_on_session", "-pk")
        .first()
    )
    outcome = adaptation_outcome(last) if last is not None else None
    context = ReviewContext(
        unacknowledged_risk=bool(unacknowledged),
        alliance_drops=len(falls),
        missed_sessions=attendance.get(SessionStatus.MISSED, 0)
        + attendance.get(SessionStatus.CANCELLED, 0),
        life_events=tuple(e.description for e in events),
        patterns_seen=tuple(dict.fromkeys(s.pattern.name for s in sightings)),
        last_adaptation=_last_adaptation(last, outcome),
    )
    return ClientData(context, unacknowledged, falls, attendance, sightings, events, last, outcome)


def _last_adaptation(
    adaptation: Adaptation | None, outcome: AdaptationOutcome | None
) -> LastAdaptation | None:
    if adaptation is None or outcome is None:
        return None
    return LastAdaptation(
        kind=adaptation.get_kind_display(),
        description=adaptation.description,
        from_session=adaptation.starts_on_session,
        outcome=" ".join(outcome.explanation),
    )


def assemble_review(review: StuckPointReview, data: ClientData) -> tuple[Review, str]:
    """The assembled review, and a warning when local cards could not be loaded."""
    library, warning = cards_and_warning()
    return assemble(review.signals, data.context, library), warning
