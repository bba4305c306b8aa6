"""One function per signal rule. Each takes the series (already sorted) and the config and
returns the signals it fires; the wording is the product's: plain, specific, never blaming."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from holdspace.change import (
    InstrumentThresholds,
    in_clinical_range,
    instrument_thresholds,
    reliable_change,
)
from holdspace.phrases import ago
from holdspace.signals.model import (
    Attendance,
    ClientSeries,
    Measurement,
    Signal,
    SignalConfig,
    rules,
)


@cache
def _info(instrument_id: str) -> InstrumentThresholds | None:
    from holdspace.instruments import InstrumentError

    try:
        return instrument_thresholds(instrument_id)
    except InstrumentError:
        return None


@cache
def label(instrument_id: str) -> str:
    """The short name inside the definition's "(…)", e.g. "PHQ-9"; else the id."""
    from holdspace.instruments import InstrumentError, get_instrument

    try:
        name = get_instrument(instrument_id).name
    except InstrumentError:
        return instrument_id
    if name.endswith(")") and "(" in name:
        return name[name.rindex("(") + 1 : -1]
    return name


def day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def point(m: Measurement) -> dict[str, Any]:
    return {
        "instrument_id": m.instrument_id,
        "session_number": m.session_number,
        "date": m.date.isoformat(),
        "total": m.total,
    }


def _signal(
    rule_id: str, sentence: str, points: list[dict[str, Any]], instrument_id: str | None
) -> Signal:
    rule = rules()[rule_id]
    return Signal(
        kind=rule.kind,
        severity=rule.severity,
        title=rule.title,
        sentence=sentence,
        rule=rule.ref,
        data_points=points,
        source=rule.source,
        instrument_id=instrument_id,
    )


def _scored(series: ClientSeries, instrument_id: str) -> list[Measurement]:
    return sorted(
        (
            m
            for m in series.measurements
            if m.instrument_id == instrument_id and m.total is not None
        ),
        key=lambda m: (m.session_number, m.date),
    )


def _threshold(instrument_id: str, config: SignalConfig) -> float | None:
    if instrument_id in config.reliable_change:
        return float(config.reliable_change[instrument_id])
    info = _info(instrument_id)
    return None if info is None else info.reliable_change


def instruments_of_kind(series: ClientSeries, kind: str) -> list[str]:
    ids = sorted({m.instrument_id for m in series.measurements})
    return [i for i in ids if (info := _info(i)) is not None and info.kind == kind]


# --- safety ------------------------------------------------------------------------------


def safety(series: ClientSeries, config: SignalConfig, today: date) -> list[Signal]:
    flagged = [m for m in series.measurements if m.has_risk and not m.acknowledged]
    if not flagged:
        return []
    latest = max(flagged, key=lambda m: (m.date, m.session_number))
    oldest = min(flagged, key=lambda m: (m.date, m.session_number))
    # An answer left waiting says how long it has waited; "today" only when it is today's.
    waiting = (
        ""
        if oldest.date >= today
        else (f" The oldest not yet followed up was given {ago(oldest.date, today)}.")
    )
    sentence = (
        f"A risk question on the {label(latest.instrument_id)} of {day(latest.date)} "
        f"({ago(latest.date, today)}, session {latest.session_number}) was answered above 0; "
        f"please follow up on safety, whatever the total.{waiting}"
    )
    return [_signal("safety.risk_item", sentence, [point(m) for m in flagged], None)]


# --- deterioration and not on track --------------------------------------------------------


def deterioration(series: ClientSeries, instrument_id: str, config: SignalConfig) -> list[Signal]:
    scored = _scored(series, instrument_id)
    threshold = _threshold(instrument_id, config)
    info = _info(instrument_id)
    if len(scored) < 2 or threshold is None or info is None:
        return []
    first, last = scored[0], scored[-1]
    assert first.total is not None and last.total is not None
    if reliable_change(first.total, last.total, threshold, info.direction) != "deteriorated":
        return []
    sentence = (
        f"{label(instrument_id)} has moved from {first.total:g} to {last.total:g} since session "
        f"{first.session_number}, a reliable change for the worse (threshold {threshold:g}); "
        "things may be getting harder, so review together now."
    )
    return [_signal("deterioration.reliable", sentence, [point(first), point(last)], instrument_id)]


def not_on_track(
    series: ClientSeries, instrument_id: str, config: SignalConfig, *, deteriorated_now: bool
) -> list[Signal]:
    scored = _scored(series, instrument_id)
    threshold = _threshold(instrument_id, config)
    info = _info(instrument_id)
    if len(scored) < 2 or threshold is None or info is None:
        return []
    model = config.trajectory(instrument_id)
    if model is not None:
        return _expected_trajectory(scored, instrument_id, model)
    return _default_rule(scored, instrument_id, threshold, info, config, deteriorated_now)


def _default_rule(
    scored: Sequence[Measurement],
    instrument_id: str,
    threshold: float,
    info: InstrumentThresholds,
    config: SignalConfig,
    deteriorated_now: bool,
) -> list[Signal]:
    first, last = scored[0], scored[-1]
    assert first.total is not None and last.total is not None
    name = label(instrument_id)
    if not deteriorated_now:
        for m in scored[1:]:
            assert m.total is not None
            if reliable_change(first.total, m.total, threshold, info.direction) == "deteriorated":
                sentence = (
                    f"{name} reached {m.total:g} at session {m.session_number}, reliably worse "
                    f"than {first.total:g} at the start (threshold {threshold:g}), though it is "
                    f"{last.total:g} now; worth a review of how the work is going."
                )
                return [
                    _signal(
                        "not_on_track.deteriorated_at_any_point",
                        sentence,
                        [point(first), point(m), point(last)],
                        instrument_id,
                    )
                ]
    by_session = int(config.value("not_on_track.no_reliable_improvement", "by_session"))
    improved = reliable_change(first.total, last.total, threshold, info.direction) == "improved"
    # A latest score outside the clinical range is the OQ system's "white" state ("functioning
    # in the normal range", outcome-monitoring reference §2.1), not a not-on-track one; without
    # this, a client who starts low could never reach a reliable drop and would always fire.
    in_range = info.caseness is None or in_clinical_range(last.total, info.caseness, info.direction)
    if last.session_number >= by_session and not improved and in_range:
        sentence = (
            f"By session {last.session_number}, {name} has moved from {first.total:g} to "
            f"{last.total:g}, short of a reliable improvement ({threshold:g} points) by the "
            f"review point of session {by_session}; this client may not yet be helped by the "
            "current approach, so a review is suggested."
        )
        return [
            _signal(
                "not_on_track.no_reliable_improvement",
                sentence,
                [point(first), point(last)],
                instrument_id,
            )
        ]
    return []


def _expected_trajectory(
    scored: Sequence[Measurement], instrument_id: str, model: Any
) -> list[Signal]:
    first, last = scored[0], scored[-1]
    assert first.total is not None and last.total is not None
    boundary = float(model.boundary(first.total, last.session_number))
    expected = float(model.expected(first.total, last.session_number))
    worse = last.total > boundary if model.direction == "higher_is_worse" else last.total < boundary
    if not worse or last.session_number == first.session_number:
        return []
    sentence = (
        f"At session {last.session_number}, {label(instrument_id)} is {last.total:g}; clients in "
        f"this service who started near {first.total:g} were usually around {expected:.0f} by "
        f"now, and {last.total:g} is past the review line of {boundary:.0f}, so a review is "
        "suggested."
    )
    points = [point(first), point(last)]
    points[-1] |= {"expected": round(expected, 1), "boundary": round(boundary, 1)}
    return [_signal("not_on_track.expected_trajectory", sentence, points, instrument_id)]


# --- alliance -----------------------------------------------------------------------------


def alliance(series: ClientSeries, instrument_id: str, config: SignalConfig) -> list[Signal]:
    scored = _scored(series, instrument_id)
    if not scored:
        return []
    name = label(instrument_id)
    first, last = scored[0], scored[-1]
    assert first.total is not None and last.total is not None
    drop = _threshold(instrument_id, config) or config.value(
        "alliance.reliable_drop", "drop_points"
    )
    info = _info(instrument_id)
    better_is_higher = info is None or info.direction == "higher_is_better"
    fall = (first.total - last.total) if better_is_higher else (last.total - first.total)
    if len(scored) >= 2 and fall >= drop:
        sentence = (
            f"{name} has fallen from {first.total:g} to {last.total:g} since session "
            f"{first.session_number} (a drop of {fall:g}; threshold {drop:g}); worth checking "
            "in together about how the work feels."
        )
        return [
            _signal("alliance.reliable_drop", sentence, [point(first), point(last)], instrument_id)
        ]
    low = config.value("alliance.low_from_start", "low_total")
    if better_is_higher and first.total <= low:
        sentence = (
            f"{name} started at {first.total:g} (at or below {low:g}, an average answer under "
            '"fairly often"); worth checking in early about the relationship and the goals.'
        )
        return [_signal("alliance.low_from_start", sentence, [point(first)], instrument_id)]
    return []


# --- attendance and measurement gap ---------------------------------------------------------


def attendance(series: ClientSeries, config: SignalConfig) -> list[Signal]:
    window = int(config.value("attendance.cluster", "window"))
    needed = int(config.value("attendance.cluster", "missed_or_cancelled"))
    recent: list[Attendance] = sorted(series.attendance, key=lambda a: (a.date, a.session_number))
    recent = recent[-window:]
    off = [a for a in recent if a.status in ("missed", "cancelled")]
    if len(off) < needed:
        return []
    sentence = (
        f"{len(off)} of the last {len(recent)} sessions were missed or cancelled (most recently "
        f"{day(off[-1].date)}); worth asking gently what has changed."
    )
    points = [
        {"session_number": a.session_number, "date": a.date.isoformat(), "status": a.status}
        for a in recent
    ]
    return [_signal("attendance.cluster", sentence, points, None)]


def measurement_gap(series: ClientSeries, config: SignalConfig, today: date) -> list[Signal]:
    if not series.open:
        return []
    gap_days = int(config.value("measurement_gap.no_recent", "days"))
    dates = [m.date for m in series.measurements]
    since = max(dates) if dates else series.opened
    days = (today - since).days
    if days < gap_days:
        return []
    what = f"since {day(since)}" if dates else f"since the episode opened on {day(since)}"
    sentence = (
        f"No measures have been recorded {what} ({days} days); a short check-in would keep "
        "the picture current."
    )
    points = [{"date": since.isoformat(), "days": days}]
    return [_signal("measurement_gap.no_recent", sentence, points, None)]
