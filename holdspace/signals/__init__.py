"""Signals: plain-data flags computed from one client's series (DESIGN.md, "Signals").

``evaluate(series)`` returns the signals that fire, safety first and then by severity. Each
rule, its default thresholds and their sources live in ``rules.yaml``; docs/signals.md
documents every rule.
"""

from __future__ import annotations

from datetime import date

from holdspace.signals import rules as _rules
from holdspace.signals.model import (
    KIND_ORDER,
    SEVERITY_ORDER,
    Attendance,
    ClientSeries,
    Measurement,
    Rule,
    RuleRef,
    Signal,
    SignalConfig,
    Threshold,
    TrajectoryModel,
    rules,
)

__all__ = [
    "Attendance",
    "ClientSeries",
    "Measurement",
    "Rule",
    "RuleRef",
    "Signal",
    "SignalConfig",
    "Threshold",
    "TrajectoryModel",
    "evaluate",
    "rules",
]


def evaluate(
    series: ClientSeries, *, config: SignalConfig | None = None, today: date | None = None
) -> list[Signal]:
    """Every signal that fires for this series, safety first, then by severity and kind."""
    cfg = config or SignalConfig()
    today = today or date.today()
    found = _rules.safety(series, cfg, today)
    for instrument_id in _rules.instruments_of_kind(series, "outcome"):
        worse = _rules.deterioration(series, instrument_id, cfg)
        found += worse
        found += _rules.not_on_track(series, instrument_id, cfg, deteriorated_now=bool(worse))
    for instrument_id in _rules.instruments_of_kind(series, "alliance"):
        found += _rules.alliance(series, instrument_id, cfg)
    found += _rules.attendance(series, cfg)
    found += _rules.measurement_gap(series, cfg, today)
    return sorted(found, key=_order)


def _order(signal: Signal) -> tuple[int, int, int, str]:
    return (
        0 if signal.kind == "safety" else 1,
        SEVERITY_ORDER.index(signal.severity),
        KIND_ORDER.index(signal.kind),
        signal.instrument_id or "",
    )
