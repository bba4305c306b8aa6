"""Every write to clients, episodes, sessions and administrations goes through here.

Each function validates, writes inside one transaction and leaves an audit record, so a
view or a check-in never half-writes. Reading the caseload also lives here: the one place
that turns database rows into the core's `ClientSeries` and asks `holdspace.signals` for
signals, with a fixed number of queries however large the caseload.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from holdspace.instruments import (
    UnknownInstrumentError,
    get_instrument,
    score,
    total_only_result,
)
from holdspace.limits import MAX_EVERY_N_SESSIONS, MAX_SESSION_NUMBER
from holdspace.signals import Attendance, ClientSeries, Measurement, Signal, SignalConfig, evaluate
from holdspace.signals.model import KIND_ORDER
from holdspace.trajectories import TrajectoryModel
from holdspace.web.accounts.models import User
from holdspace.web.audit.log import record as audit
from holdspace.web.clients.models import (
    Administration,
    AdministrationSource,
    Client,
    Episode,
    EpisodeStatus,
    FittedTrajectoryModel,
    PlanItem,
    SafetyAcknowledgement,
    Session,
    SessionStatus,
    how_entered,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanLine:
    """One line of a measurement plan, before it is saved."""

    instrument_id: str
    every_n_sessions: int = 1
    from_session: int = 1
    after_session: bool = False


# The default plan from issue 4: symptoms every session, trauma every fourth session, and
# the alliance after each session from the second on (there is no alliance to rate
# before the first session has happened).
DEFAULT_PLAN: tuple[PlanLine, ...] = (
    PlanLine("phq9"),
    PlanLine("gad7"),
    PlanLine("pcl5", every_n_sessions=4),
    PlanLine("waisr", from_session=2, after_session=True),
)

# Safety always first; the rest in the order of the design's signal table (the core's).
SIGNAL_ORDER = KIND_ORDER


def _signal_rank(signal: Signal) -> int:
    kind = str(signal.kind)
    return SIGNAL_ORDER.index(kind) if kind in SIGNAL_ORDER else len(SIGNAL_ORDER)


# --- writes -------------------------------------------------------------------------


def add_client(
    clinician: User, code: str, *, display_name: str = "", request: HttpRequest | None = None
) -> Client:
    code = code.strip()
    if not code:
        raise ValidationError({"code": "A pseudonymous code is needed (letters or numbers)."})
    with transaction.atomic():
        if Client.objects.filter(code=code).exists():
            raise ValidationError({"code": f"The code {code!r} is already in use; pick another."})
        client = Client.objects.create(
            code=code, display_name=display_name.strip(), clinician=clinician
        )
        audit(clinician, "create", f"client:{client.pk}", request=request)
    return client


def _check_plan(plan: Sequence[PlanLine]) -> None:
    if not plan:
        raise ValidationError({"plan": "Choose at least one instrument for the plan."})
    seen: set[str] = set()
    for line in plan:
        try:
            get_instrument(line.instrument_id)
        except UnknownInstrumentError as exc:
            raise ValidationError({"plan": f"Unknown instrument {line.instrument_id!r}."}) from exc
        if line.instrument_id in seen:
            raise ValidationError({"plan": f"{line.instrument_id!r} is in the plan twice."})
        if not (
            1 <= line.every_n_sessions <= MAX_EVERY_N_SESSIONS
            and 1 <= line.from_session <= MAX_SESSION_NUMBER
        ):
            raise ValidationError(
                {
                    "plan": f"'every' must be a whole number from 1 to {MAX_EVERY_N_SESSIONS} "
                    f"and 'from session' from 1 to {MAX_SESSION_NUMBER:,}."
                }
            )
        seen.add(line.instrument_id)


def open_episode(
    client: Client,
    clinician: User,
    *,
    opened_on: dt.date | None = None,
    plan: Sequence[PlanLine] = DEFAULT_PLAN,
    request: HttpRequest | None = None,
) -> Episode:
    _check_plan(plan)
    with transaction.atomic():
        episode = Episode.objects.create(
            client=client, clinician=clinician, opened_on=opened_on or timezone.localdate()
        )
        PlanItem.objects.bulk_create(
            PlanItem(
                episode=episode,
                instrument_id=line.instrument_id,
                every_n_sessions=line.every_n_sessions,
                from_session=line.from_session,
                after_session=line.after_session,
            )
            for line in plan
        )
        audit(clinician, "create", f"episode:{episode.pk}", request=request)
    return episode


def close_episode(
    episode: Episode,
    by: User,
    *,
    end_reason: str,
    closed_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Episode:
    with transaction.atomic():
        episode.status = EpisodeStatus.CLOSED
        episode.closed_on = closed_on or timezone.localdate()
        episode.end_reason = end_reason.strip()
        episode.save(update_fields=["status", "closed_on", "end_reason"])
        audit(by, "update", f"episode:{episode.pk}", request=request)
    return episode


def add_session(
    episode: Episode,
    by: User,
    *,
    date: dt.date,
    status: str = SessionStatus.ATTENDED,
    request: HttpRequest | None = None,
) -> Session:
    if status not in SessionStatus.values:
        raise ValidationError(
            {"status": f"status must be one of {', '.join(SessionStatus.values)}"}
        )
    with transaction.atomic():
        # Lock the episode so two sessions added at once get distinct numbers.
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        last = episode.sessions.aggregate(n=Max("number"))["n"] or 0
        if last >= MAX_SESSION_NUMBER:
            raise ValidationError(
                {
                    "date": f"An episode holds at most {MAX_SESSION_NUMBER:,} sessions; "
                    "close this one and open a new episode."
                }
            )
        session = Session.objects.create(episode=episode, number=last + 1, date=date, status=status)
        audit(by, "create", f"session:{session.pk}", request=request)
    return session


def set_session_status(
    session: Session, by: User, status: str, *, request: HttpRequest | None = None
) -> Session:
    if status not in SessionStatus.values:
        raise ValidationError(
            {"status": f"status must be one of {', '.join(SessionStatus.values)}"}
        )
    with transaction.atomic():
        session.status = status
        session.save(update_fields=["status"])
        audit(by, "update", f"session:{session.pk}", request=request, detail={"status": status})
    return session


@dataclass(frozen=True)
class Provenance:
    """What another system sent beside the answers, kept with the administration."""

    sender_total: float | None = None
    questionnaire: str = ""
    date_only: bool = False
    # Plain statements made at import (a total that disagrees, no total and why).
    notes: tuple[str, ...] = ()


OnExisting = Literal["refuse", "supersede", "keep"]


def record_administration(
    episode: Episode,
    instrument_id: str,
    answers: Sequence[int | str | None],
    *,
    source: str,
    session: Session | None = None,
    entered_by: User | None = None,
    completed_at: dt.datetime | None = None,
    idempotency_key: str | None = None,
    request: HttpRequest | None = None,
    provenance: Provenance | None = None,
    total_only: float | None = None,
    replaces: int | None = None,
    on_existing: OnExisting = "refuse",
) -> Administration:
    """Score with the core and store one administration, at most once per key.

    One truth per instrument per session: when the session already has a current
    administration of this instrument, `on_existing` decides, before anything is written:
    "refuse" raises SessionHasOne unless `replaces` names that administration (the caller
    saw it and chose to correct it); "supersede" replaces it; "keep" stores the new one as
    not current (an answer that arrived late is kept in the history, not lost).

    Raises the core's InstrumentError (naming the item and the allowed values) for bad
    answers, and ValidationError for a bad source, session or reused key.
    """
    if source not in AdministrationSource.values:
        raise ValidationError(
            {"source": f"source must be one of {', '.join(AdministrationSource.values)}"}
        )
    if session is not None and session.episode_id != episode.pk:
        raise ValidationError({"session": "That session belongs to another episode."})
    if idempotency_key:
        existing = _existing(episode, idempotency_key)
        if existing is not None:
            return existing
    # A total sent without its answers (total_only) is checked against the instrument's
    # range and banded by the core like any other total.
    result = (
        score(instrument_id, list(answers))
        if total_only is None
        else total_only_result(instrument_id, total_only)
    )
    came = provenance or Provenance()
    stored_result = result.to_dict()
    if came.notes:
        stored_result["import_notes"] = list(came.notes)
    try:
        with transaction.atomic():
            earlier = _current_to_replace(session, result.instrument, replaces, on_existing)
            keep_earlier = earlier is not None and on_existing == "keep"
            if earlier is not None and not keep_earlier:
                # Marked first: the partial unique index allows one current row per session.
                earlier.superseded_at = timezone.now()
                earlier.save(update_fields=["superseded_at"])
            administration = Administration.objects.create(
                episode=episode,
                session=session,
                instrument_id=result.instrument,
                instrument_version=result.version,
                # A trailing unscored item left blank (PHQ-9 item 10) is stored as not asked,
                # so answers given with or without it compare equal.
                answers=get_instrument(result.instrument).trimmed(answers),
                total=result.total,
                band=result.band or "",
                result=stored_result,
                has_risk=result.has_risk,
                source=source,
                completed_at=completed_at or timezone.now(),
                entered_by=entered_by,
                idempotency_key=idempotency_key or None,
                total_only=total_only is not None,
                sender_total=came.sender_total,
                date_only=came.date_only,
                source_questionnaire=came.questionnaire[:500],
                superseded_at=timezone.now() if keep_earlier else None,
                superseded_by=earlier if keep_earlier else None,
            )
            if earlier is not None and not keep_earlier:
                earlier.superseded_by = administration
                earlier.save(update_fields=["superseded_by"])
                audit(
                    entered_by,
                    "update",
                    f"administration:{earlier.pk}",
                    request=request,
                    detail={"superseded_by": administration.pk},
                )
            audit(
                entered_by,
                "create",
                f"administration:{administration.pk}",
                request=request,
                detail={"episode": episode.pk, "instrument": result.instrument, "source": source},
            )
    except IntegrityError:
        # A retry raced us to the same key: the first write wins and is returned.
        existing = _existing(episode, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing
    return administration


class SessionHasOne(ValidationError):
    """The session already has a current administration of this instrument."""

    def __init__(self, existing: Administration) -> None:
        self.existing = existing
        super().__init__({"session": correction_offer(existing)})


def already_recorded(existing: Administration) -> str:
    """The one sentence that says a session already has this measure."""
    name = instrument_name(existing.instrument_id)
    number = existing.session.number if existing.session else "this session"
    day = timezone.localdate(existing.completed_at)
    total = f"total {existing.total:g}" if existing.total is not None else "no total"
    source = existing.source_label.lower()
    return f"Session {number} already has a {name} ({source}, {day.day} {day:%b %Y}, {total})."


def correction_offer(existing: Administration) -> str:
    return (
        f"{already_recorded(existing)} Save this one as a correction to replace it; the "
        "earlier one is kept in its history."
    )


def instrument_name(instrument_id: str) -> str:
    try:
        return get_instrument(instrument_id).name
    except UnknownInstrumentError:
        return instrument_id


def current_administration(session: Session | None, instrument_id: str) -> Administration | None:
    """The session's current administration of this instrument, if it has one."""
    if session is None:
        return None
    return (
        Administration.objects.select_related("session")
        .filter(session=session, instrument_id=instrument_id)
        .first()
    )


def _current_to_replace(
    session: Session | None, instrument_id: str, replaces: int | None, on_existing: OnExisting
) -> Administration | None:
    if session is None:
        return None
    # Lock the session so two submissions for it at once are decided one after the other.
    Session.objects.select_for_update().filter(pk=session.pk).first()
    earlier = current_administration(session, instrument_id)
    if earlier is None or on_existing != "refuse" or replaces == earlier.pk:
        return earlier
    raise SessionHasOne(earlier)


def _existing(episode: Episode, key: str) -> Administration | None:
    found = Administration.with_history.filter(idempotency_key=key).first()
    if found is not None and found.episode_id != episode.pk:
        raise ValidationError({"idempotency_key": "This key was already used for another episode."})
    return found


def acknowledge_safety(
    administration: Administration,
    by: User,
    *,
    note: str,
    outcome: str = "",
    next_step: str = "",
    request: HttpRequest | None = None,
) -> SafetyAcknowledgement:
    """A safety follow-up is a clinical record: it says what was done, or it is refused."""
    if not administration.has_risk:
        raise ValidationError({"administration": "This administration has no risk answer."})
    if not note.strip():
        raise ValidationError(
            {"note": "Say what was done (for example “phoned, safety plan reviewed”)."}
        )
    with transaction.atomic():
        ack = SafetyAcknowledgement.objects.create(
            administration=administration,
            by=by,
            at=timezone.now(),
            note=note.strip(),
            outcome=outcome.strip(),
            next_step=next_step.strip(),
        )
        audit(by, "acknowledge", f"administration:{administration.pk}", request=request)
    return ack


# --- reads --------------------------------------------------------------------------
#
# The dashboard reads plain rows (values_list), not model instances: building tens of
# thousands of model objects for a 500-client caseload dominated its time. Four queries
# load any number of episodes.


def plan_due(plan: Iterable[PlanItem], session_number: int) -> list[PlanItem]:
    return [item for item in plan if item.is_due(session_number)]


@dataclass(frozen=True)
class MeasureRow:
    instrument_id: str
    session_number: int | None
    completed_at: dt.datetime
    total: float | None
    has_risk: bool
    acknowledged: bool
    source: str
    total_only: bool = False
    current: bool = True

    @property
    def source_label(self) -> str:
        return how_entered(self.source, total_only=self.total_only)


@dataclass(frozen=True)
class SessionRow:
    number: int
    date: dt.date
    status: str


@dataclass(frozen=True)
class EpisodeData:
    """One episode with what the signals and the dashboard need, as plain rows."""

    episode: Episode
    measures: list[MeasureRow]
    sessions: list[SessionRow]
    plan: list[str]  # instrument ids in plan order


def acknowledged_annotation() -> Exists:
    return Exists(SafetyAcknowledgement.objects.filter(administration=OuterRef("pk")))


def load_episode_data(episodes: QuerySet[Episode]) -> list[EpisodeData]:
    rows = list(episodes.select_related("client", "clinician"))
    ids = episodes.values("pk")  # a subquery, whatever the caseload size
    measures: dict[int, list[MeasureRow]] = defaultdict(list)
    # The one place episodes' administrations are loaded for every derived number: only
    # current ones count. A superseded one still carries an unacknowledged risk answer to
    # the safety signal (a risk answer is never lost), with no total.
    administrations = (
        Administration.with_history.filter(episode_id__in=ids)
        .annotate(acknowledged=acknowledged_annotation())
        .filter(Q(superseded_at__isnull=True) | Q(has_risk=True, acknowledged=False))
        .order_by("completed_at", "pk")
        .values_list(
            "episode_id", "instrument_id", "session__number", "completed_at", "total",
            "has_risk", "acknowledged", "source", "total_only", "superseded_at",
        )
    )  # fmt: skip
    for episode_id, *fields, superseded_at in administrations:
        row = MeasureRow(*fields, current=superseded_at is None)  # type: ignore[misc]
        measures[episode_id].append(row if row.current else replace(row, total=None))
    sessions: dict[int, list[SessionRow]] = defaultdict(list)
    for episode_id, number, date, status in (
        Session.objects.filter(episode_id__in=ids)
        .order_by("number")
        .values_list("episode_id", "number", "date", "status")
    ):
        sessions[episode_id].append(SessionRow(number, date, status))
    plans: dict[int, list[str]] = defaultdict(list)
    for episode_id, instrument_id in (
        PlanItem.objects.filter(episode_id__in=ids)
        .order_by("pk")
        .values_list("episode_id", "instrument_id")
    ):
        plans[episode_id].append(instrument_id)
    return [EpisodeData(e, measures[e.pk], sessions[e.pk], plans[e.pk]) for e in rows]


def _session_for(number: int | None, day: dt.date, sessions: Sequence[SessionRow | Session]) -> int:
    """The session a measure belongs to: its own, else the last one held by that date."""
    if number is not None:
        return number
    return max((s.number for s in sessions if s.date <= day), default=1)


def session_number_for(administration: Administration, sessions: list[Session]) -> int:
    number = administration.session.number if administration.session else None
    return _session_for(number, timezone.localdate(administration.completed_at), sessions)


def series_from(data: EpisodeData) -> ClientSeries:
    tz = timezone.get_current_timezone()  # once, not per row: it showed in the profile
    measurements = []
    for m in data.measures:
        day = m.completed_at.astimezone(tz).date()
        measurements.append(
            Measurement(
                instrument_id=m.instrument_id,
                session_number=_session_for(m.session_number, day, data.sessions),
                date=day,
                total=m.total,
                has_risk=m.has_risk,
                acknowledged=m.acknowledged,
            )
        )
    attendance = [
        Attendance(session_number=s.number, date=s.date, status=s.status)  # type: ignore[arg-type]
        for s in data.sessions
        if s.status != SessionStatus.SCHEDULED  # a session still to come says nothing yet
    ]
    episode = data.episode
    return ClientSeries(
        episode.opened_on,
        measurements=measurements,
        attendance=attendance,
        open=episode.status == EpisodeStatus.OPEN,
    )


def episode_data(episode: Episode) -> EpisodeData:
    return load_episode_data(Episode.objects.filter(pk=episode.pk))[0]


def build_series(episode: Episode) -> ClientSeries:
    """The core's view of one episode (`holdspace.signals.ClientSeries`)."""
    return series_from(episode_data(episode))


# --- the service's expected-trajectory model (not on track, method b) ----------------


def install_trajectory_model(model: TrajectoryModel, *, source: str = "") -> bool:
    """Store the fitted model as the one row for its instrument, replacing an older one;
    every process on this database uses it from its next page. True when it replaced one."""
    _, created = FittedTrajectoryModel.objects.update_or_create(
        instrument_id=model.instrument_id,
        defaults={"model": model.to_dict(), "source": source[:255]},
    )
    return not created


def trajectory_model_problem() -> str | None:
    """Why the configured model cannot be used, or None when it can (or none is set)."""
    try:
        signal_config_strict()
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


def signal_config() -> SignalConfig:
    """The signal settings, with the fitted trajectory model when there is a usable one.

    A missing or broken model file must never hide the caseload's signals (safety above
    all): the default rule (method a) applies, and the problem is logged and shown.
    """
    try:
        return signal_config_strict()
    except ImproperlyConfigured as exc:
        logger.warning("Expected-trajectory model not used: %s", exc)
        return SignalConfig()


def signal_config_strict() -> SignalConfig:
    # One small query per call: a model installed through any process is picked up by all
    # of them without a restart, and an unchanged one is parsed once per process.
    key = tuple(
        FittedTrajectoryModel.objects.order_by("instrument_id").values_list("pk", "installed_at")
    )
    if not key:
        return SignalConfig()
    return _config_with_models(key)


@lru_cache(maxsize=4)
def _config_with_models(key: tuple[tuple[int, dt.datetime], ...]) -> SignalConfig:
    models: dict[str, TrajectoryModel] = {}
    for row in FittedTrajectoryModel.objects.filter(pk__in=[pk for pk, _ in key]):
        try:
            model = TrajectoryModel.from_dict(row.model)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"expected-trajectory model for {row.instrument_id}: {exc}"
            ) from None
        models[model.instrument_id] = model
    return SignalConfig(trajectories=models)


def signals_for(
    data: EpisodeData, *, today: dt.date | None = None, config: SignalConfig | None = None
) -> list[Signal]:
    # evaluate() already orders them: safety first, then by severity and kind.
    return evaluate(
        series_from(data), config=config or signal_config(), today=today or timezone.localdate()
    )


def episode_signals(episode: Episode, *, today: dt.date | None = None) -> list[Signal]:
    return signals_for(episode_data(episode), today=today)


@dataclass(frozen=True)
class Direction:
    """The direction of change on the episode's first outcome measure, in plain words."""

    instrument_id: str
    first: float
    last: float
    label: str
    explanation: str


def direction_of_change(data: EpisodeData) -> Direction | None:
    totals: dict[str, list[float]] = defaultdict(list)
    for m in data.measures:
        if m.total is not None:
            totals[m.instrument_id].append(m.total)
    for instrument_id in data.plan:
        series = totals.get(instrument_id, [])
        if len(series) >= 2 and _is_outcome(instrument_id):
            return _direction(instrument_id, series[0], series[-1])
    return None


def _is_outcome(instrument_id: str) -> bool:
    try:
        return get_instrument(instrument_id).kind == "outcome"
    except UnknownInstrumentError:
        return False


def _direction(instrument_id: str, first: float, last: float) -> Direction:
    instrument = get_instrument(instrument_id)
    threshold = instrument.reliable_change.threshold
    better = (first - last) if instrument.direction == "higher_is_worse" else (last - first)
    if threshold is None:
        label = "Changed" if better else "No change"
        why = "no published reliable-change threshold for this measure"
    elif better >= threshold:
        label = "Improving (reliable change)"
        why = f"change of {abs(last - first):g} reaches the threshold of {threshold:g}"
    elif -better >= threshold:
        label = "Getting worse (reliable change)"
        why = f"change of {abs(last - first):g} reaches the threshold of {threshold:g}"
    else:
        label = "No reliable change yet"
        why = f"change of {abs(last - first):g} is below the threshold of {threshold:g}"
    source = instrument.reliable_change.source
    return Direction(
        instrument_id=instrument.id,
        first=first,
        last=last,
        label=label,
        explanation=f"{instrument.name}: {first:g} → {last:g}; {why} ({source}).",
    )


@dataclass(frozen=True)
class CaseloadRow:
    episode: Episode
    signals: list[Signal]
    last_measure: MeasureRow | None
    direction: Direction | None
    kinds: frozenset[str] = field(default_factory=frozenset)

    @property
    def has_safety(self) -> bool:
        return "safety" in self.kinds


def caseload(
    episodes: QuerySet[Episode],
    *,
    signal_kind: str = "",
    today: dt.date | None = None,
) -> list[CaseloadRow]:
    """Open episodes with their signals, safety first, then by the most pressing signal."""
    rows = []
    config = signal_config()  # once for the whole caseload
    for data in load_episode_data(episodes.filter(status=EpisodeStatus.OPEN)):
        signals = signals_for(data, today=today, config=config)
        kinds = frozenset(str(s.kind) for s in signals)
        if signal_kind and signal_kind not in kinds:
            continue
        rows.append(
            CaseloadRow(
                episode=data.episode,
                signals=signals,
                last_measure=next((m for m in reversed(data.measures) if m.current), None),
                direction=direction_of_change(data),
                kinds=kinds,
            )
        )
    rows.sort(
        key=lambda r: (
            not r.has_safety,
            min((_signal_rank(s) for s in r.signals), default=len(SIGNAL_ORDER) + 1),
            r.episode.client.code,
        )
    )
    return rows


def instrument_known(instrument_id: str) -> bool:
    try:
        get_instrument(instrument_id)
    except UnknownInstrumentError:
        return False
    return True
