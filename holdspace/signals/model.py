"""Plain data for signals: the client's series in, signals out, and the rule table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Literal, Protocol

import yaml

SignalKind = Literal[
    "safety", "deterioration", "not_on_track", "alliance", "attendance", "measurement_gap"
]
Severity = Literal["urgent", "review", "notice"]
KIND_ORDER: tuple[SignalKind, ...] = (
    "safety",
    "deterioration",
    "not_on_track",
    "alliance",
    "attendance",
    "measurement_gap",
)
SEVERITY_ORDER: tuple[Severity, ...] = ("urgent", "review", "notice")


@dataclass(frozen=True)
class Measurement:
    instrument_id: str
    session_number: int
    date: date
    total: float | None
    has_risk: bool = False
    acknowledged: bool = False


@dataclass(frozen=True)
class Attendance:
    session_number: int
    date: date
    status: Literal["attended", "cancelled", "missed"]


@dataclass(frozen=True)
class ClientSeries:
    opened: date
    measurements: list[Measurement] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)
    open: bool = True


@dataclass(frozen=True)
class RuleRef:
    id: str
    description: str


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    severity: Severity
    title: str
    sentence: str
    rule: RuleRef
    data_points: list[dict[str, Any]]
    source: str
    instrument_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "title": self.title,
            "sentence": self.sentence,
            "rule": {"id": self.rule.id, "description": self.rule.description},
            "data_points": [dict(p) for p in self.data_points],
            "source": self.source,
            "instrument_id": self.instrument_id,
        }


@dataclass(frozen=True)
class Threshold:
    value: float
    verified: bool
    source: str


@dataclass(frozen=True)
class Rule:
    id: str
    kind: SignalKind
    severity: Severity
    title: str
    description: str
    source: str
    thresholds: dict[str, Threshold]

    @property
    def ref(self) -> RuleRef:
        return RuleRef(self.id, self.description)


@cache
def rules() -> dict[str, Rule]:
    """The rule table from rules.yaml, by id."""
    text = resources.files("holdspace.signals").joinpath("rules.yaml").read_text("utf-8")
    out: dict[str, Rule] = {}
    for raw in yaml.safe_load(text)["rules"]:
        thresholds = {
            name: Threshold(float(t["value"]), bool(t["verified"]), str(t["source"]).strip())
            for name, t in (raw.get("thresholds") or {}).items()
        }
        out[raw["id"]] = Rule(
            id=raw["id"],
            kind=raw["kind"],
            severity=raw["severity"],
            title=raw["title"],
            description=" ".join(str(raw["description"]).split()),
            source=" ".join(str(raw["source"]).split()),
            thresholds=thresholds,
        )
    return out


class TrajectoryModel(Protocol):
    """What the not-on-track method (b) needs from a fitted model (holdspace.trajectories)."""

    @property
    def instrument_id(self) -> str: ...

    @property
    def n_episodes(self) -> int: ...

    @property
    def direction(self) -> Literal["higher_is_worse", "higher_is_better"]: ...

    def boundary(self, intake: float, session: int) -> float: ...

    def expected(self, intake: float, session: int) -> float: ...

    def band(self, intake: float, session: int) -> tuple[float, float]: ...


@dataclass(frozen=True)
class SignalConfig:
    """Overrides for the defaults in rules.yaml.

    ``thresholds``: {rule id: {threshold name: value}}; anything not given keeps its default.
    ``reliable_change``: {instrument id: points}, overriding the instrument definition.
    ``trajectories``: {instrument id: fitted model}; used for method (b) when it has at least
    ``not_on_track.expected_trajectory.min_episodes`` episodes behind it.
    """

    thresholds: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    reliable_change: Mapping[str, float] = field(default_factory=dict)
    trajectories: Mapping[str, TrajectoryModel] = field(default_factory=dict)

    def value(self, rule_id: str, name: str) -> float:
        override = self.thresholds.get(rule_id, {})
        if name in override:
            return float(override[name])
        return rules()[rule_id].thresholds[name].value

    def trajectory(self, instrument_id: str) -> TrajectoryModel | None:
        """The fitted model for this instrument when it is in use: fitted on at least
        ``min_episodes`` completed episodes (signals and the chart's expected band agree)."""
        model = self.trajectories.get(instrument_id)
        min_n = self.value("not_on_track.expected_trajectory", "min_episodes")
        return model if model is not None and model.n_episodes >= min_n else None
