"""Every write to clients, episodes, sessions and administrations goes through here.

Each function validates, writes inside one transaction and leaves an audit record, so a
view or a check-in never half-writes. Reading the caseload also lives here: the one place
that turns database rows into the core's `ClientSeries` and asks `holdspace.signals` for
signals, with a fixed number of queries however large the caseload.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
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
from holdspace.trajectories import load_model
from holdspace.web.accounts.models import User
from holdspace.web.audit.log import record as audit
from holdspace.web.clients.models import (
    Administration,
    AdministrationSource,
    Client,
    Episode,
    EpisodeStatus,
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
) -> Administration:
    """Score with the core and store one administration, at most once per key.

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


def _existing(episode: Episode, key: str) -> Administration | None:
    found = Administration.objects.filter(idempotency_key=key).first()
    if found is not None and found.episode_id != episode.pk:
        raise ValidationError({"idempotency_key": "This key was already used for another episode."})
    return found


def acknowledge_safety(
    administration: Administration,
    by: User,
    *,
    note: str = "",
    request: HttpRequest | None = None,
) -> SafetyAcknowledgement:
    if not administration.has_risk:
        raise ValidationError({"administration": "This administration has no risk answer."})
    with transaction.atomic():
        ack = SafetyAcknowledgement.objects.create(
            administration=administration, by=by, at=timezone.now(), note=note.strip()
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
    administrations = (
        Administration.objects.filter(episode_id__in=ids)
        .annotate(acknowledged=acknowledged_annotation())
        .order_by("completed_at", "pk")
        .values_list(
            "episode_id", "instrument_id", "session__number", "completed_at", "total",
            "has_risk", "acknowledged", "source", "total_only",
        )
    )  # fmt: skip
    for episode_id, *fields in administrations:
        measures[episode_id].append(MeasureRow(*fields))
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


def trajectory_model_path() -> Path | None:
    """$HOLDSPACE_TRAJECTORY_MODEL, else DATA/trajectories.json when it exists (written by
    `holdspace trajectories fit DATA --out …` or by the demo); None means method (a) only."""
    configured = os.getenv("HOLDSPACE_TRAJECTORY_MODEL", "")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ImproperlyConfigured(f"HOLDSPACE_TRAJECTORY_MODEL: no file at {path}")
        return path
    default = Path(settings.DATA_DIR) / "trajectories.json"
    return default if default.is_file() else None


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
    path = trajectory_model_path()
    if path is None:
        return SignalConfig()
    stat = path.stat()
    return _config_with_model(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _config_with_model(path: str, mtime_ns: int, size: int) -> SignalConfig:
    # Keyed on the file's time and size: a refitted model is picked up without a restart,
    # and an unchanged one is read once.
    try:
        model = load_model(Path(path))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"expected-trajectory model {path}: {exc}") from None
    return SignalConfig(trajectories={model.instrument_id: model})


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
                last_measure=data.measures[-1] if data.measures else None,
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
