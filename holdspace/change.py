"""Change statistics: Jacobson–Truax reliable and clinically significant change, and the
NHS Talking Therapies paired metrics.

Pure functions over plain numbers. Every threshold is a parameter; the defaults below carry
their citation, and per-instrument defaults are read through the instrument library in one
small adapter (:func:`instrument_thresholds`).

Sources: Jacobson & Truax 1991, J Consult Clin Psychol 59:12–19 (formulas, cut-offs a, b, c;
psychometrics reference §15); NHS Talking Therapies definitions and Holdspace's written
convention for session-level data in psychometrics reference §16 and its addendum, restated in
docs/analytics.md (caseness, recovery, reliable improvement / deterioration / recovery, finished
treatment).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Direction = Literal["higher_is_worse", "higher_is_better"]
ChangeKind = Literal["improved", "deteriorated", "no_reliable_change"]
Classification = Literal["recovered", "improved", "unchanged", "deteriorated"]
DeteriorationRule = Literal["symmetric", "any"]

JT_SOURCE = "Jacobson & Truax 1991, J Consult Clin Psychol 59:12-19"
# Two-sided 95% criterion for |RC| used by Jacobson & Truax.
Z_95 = 1.96


# --- Jacobson–Truax -----------------------------------------------------------------------


def standard_error(sd_pre: float, reliability: float) -> float:
    """SE of measurement: s1 * sqrt(1 - r_xx)."""
    _check_reliability(reliability)
    if not sd_pre > 0:
        raise ValueError(f"sd_pre must be > 0, got {sd_pre}")
    return sd_pre * math.sqrt(1.0 - reliability)


def s_diff(sd_pre: float, reliability: float) -> float:
    """Standard error of the difference: sqrt(2 * SE^2)."""
    return math.sqrt(2.0) * standard_error(sd_pre, reliability)


def reliable_change_index(first: float, last: float, sd_pre: float, reliability: float) -> float:
    """RC = (x2 - x1) / S_diff. The sign is raw (positive = score went up)."""
    denominator = s_diff(sd_pre, reliability)
    if denominator <= 0:
        raise ValueError("sd_pre must be > 0 and reliability < 1 for a reliable change index")
    return (last - first) / denominator


def minimum_reliable_change(
    sd_pre: float, reliability: float, *, z: float = Z_95, round_up: bool = False
) -> float:
    """The smallest raw change that is reliable: z * S_diff (optionally rounded up, a policy)."""
    value = z * s_diff(sd_pre, reliability)
    return float(math.ceil(value)) if round_up else value


def cutoff_a(clinical_mean: float, clinical_sd: float, direction: Direction) -> float:
    """Two SDs from the clinical mean toward the functional side ("out of the clinical range")."""
    step = 2.0 * clinical_sd
    return clinical_mean - step if direction == "higher_is_worse" else clinical_mean + step


def cutoff_b(functional_mean: float, functional_sd: float, direction: Direction) -> float:
    """Two SDs from the functional mean toward the clinical side ("into the functional range")."""
    step = 2.0 * functional_sd
    return functional_mean + step if direction == "higher_is_worse" else functional_mean - step


def cutoff_c(
    functional_mean: float, functional_sd: float, clinical_mean: float, clinical_sd: float
) -> float:
    """Weighted midpoint c = (s0*M1 + s1*M0) / (s0 + s1); direction-free by construction."""
    total_sd = functional_sd + clinical_sd
    if total_sd <= 0:
        raise ValueError("the two standard deviations must not both be 0")
    return (functional_sd * clinical_mean + clinical_sd * functional_mean) / total_sd


def reliable_change(
    first: float, last: float, threshold: float, direction: Direction
) -> ChangeKind:
    """Compare a raw change with a reliable-change threshold (inclusive: |change| >= threshold)."""
    if threshold <= 0:
        raise ValueError("a reliable-change threshold must be > 0")
    change = last - first
    if abs(change) < threshold:
        return "no_reliable_change"
    went_up = change > 0
    better = (not went_up) if direction == "higher_is_worse" else went_up
    return "improved" if better else "deteriorated"


def in_clinical_range(total: float, cutoff: float, direction: Direction) -> bool:
    """Caseness: total >= cutoff (higher is worse) or total <= cutoff (higher is better)."""
    return total >= cutoff if direction == "higher_is_worse" else total <= cutoff


def classify(
    first: float,
    last: float,
    *,
    threshold: float,
    direction: Direction,
    cutoff: float | None = None,
) -> Classification:
    """Jacobson–Truax category: recovered / improved / unchanged / deteriorated.

    Recovered needs a reliable improvement *and* a move from the clinical range to outside it.
    Without a cut-off, nobody can be called recovered.
    """
    kind = reliable_change(first, last, threshold, direction)
    if kind == "deteriorated":
        return "deteriorated"
    if kind == "no_reliable_change":
        return "unchanged"
    if (
        cutoff is not None
        and in_clinical_range(first, cutoff, direction)
        and not in_clinical_range(last, cutoff, direction)
    ):
        return "recovered"
    return "improved"


def _check_reliability(reliability: float) -> None:
    if not 0.0 <= reliability < 1.0:
        raise ValueError(f"reliability must be in [0, 1), got {reliability}")


# --- Per-instrument defaults, through the instrument library (the one adapter) ----------------


@dataclass(frozen=True)
class InstrumentThresholds:
    instrument_id: str
    direction: Direction
    total_min: float
    total_max: float
    kind: str
    caseness: float | None
    caseness_source: str
    reliable_change: float | None
    reliable_change_source: str


def instrument_thresholds(instrument_id: str) -> InstrumentThresholds:
    """Read direction, range, caseness and reliable change from the instrument definition.

    Raises the instrument library's UnknownInstrumentError for an unknown id.
    """
    from holdspace.instruments import get_instrument  # the shared instrument API

    instrument = get_instrument(instrument_id)
    caseness = instrument.caseness
    rc = instrument.reliable_change
    return InstrumentThresholds(
        instrument_id=instrument.id,
        direction=instrument.direction,
        total_min=float(instrument.total_min),
        total_max=float(instrument.total_max),
        kind=instrument.kind,
        caseness=None if caseness is None else float(caseness.threshold),
        caseness_source="none" if caseness is None else caseness.source,
        reliable_change=None if rc is None or rc.threshold is None else float(rc.threshold),
        reliable_change_source="none published" if rc is None else rc.source,
    )


# --- NHS Talking Therapies paired metrics ------------------------------------------------


TT_SOURCE = (
    "NHS Talking Therapies (IAPT) definitions: Fingertips glossary; NHS Digital annual report "
    "2022-23; NCT05134103 outcome definitions; Gyani et al. 2013, Behav Res Ther 51:597"
)


@dataclass(frozen=True)
class TalkingTherapiesConfig:
    """Thresholds for the paired metrics; every default is cited in ``sources``."""

    depression: str = "phq9"
    anxiety: str = "gad7"
    depression_caseness: float = 10.0  # PHQ-9 >= 10 ("> 9")
    anxiety_caseness: float = 8.0  # GAD-7 >= 8 ("> 7") in NHS Talking Therapies
    depression_reliable_change: float = 6.0
    anxiety_reliable_change: float = 4.0
    # "symmetric": a reliable rise on one and no reliable drop on the other (Holdspace default);
    # "any": any reliable rise counts. The official wording is unverified (see docs).
    deterioration_rule: DeteriorationRule = "symmetric"
    finished_min_sessions: int = 2
    sources: dict[str, str] = field(
        default_factory=lambda: {
            "depression_caseness": "PHQ-9 >= 10: NCT05134103; Fingertips glossary; PMC8411661",
            "anxiety_caseness": "GAD-7 >= 8: NCT05134103; Fingertips glossary; PMC8411661",
            "depression_reliable_change": "PHQ-9 change >= 6: PMC8411661; NCT05134103",
            "anxiety_reliable_change": "GAD-7 change >= 4: PMC8411661; NCT05134103",
            "reliable_improvement_rule": (
                "[R] a reliable drop on at least one measure and no reliable rise on the other:"
                " psychometrics reference §16 (recalled NHS Digital methodology; NCT05134103"
                " gives only the per-measure thresholds)"
            ),
            "deterioration_rule": "[U] symmetric rule; NHS TT manual wording not verified",
            "finished_min_sessions": "finished = 2 or more sessions: Fingertips glossary",
        }
    )


@dataclass(frozen=True)
class Score:
    session_number: int
    instrument: str
    total: float | None


@dataclass(frozen=True)
class FirstLast:
    first: float
    first_session: int
    last: float
    last_session: int

    @property
    def distinct(self) -> bool:
        return self.last_session != self.first_session


# An episode's outcome flags, in the order both the pure-Python reference
# (`EpisodeOutcome.to_dict`) and the SQL per-episode table (analytics.metrics) list them.
OUTCOME_FLAGS = (
    "finished",
    "paired",
    "caseness_first",
    "caseness_last",
    "recovered",
    "reliable_improvement",
    "reliable_deterioration",
    "reliable_recovery",
)


@dataclass(frozen=True)
class EpisodeOutcome:
    """One episode's paired metrics. A flag is None when the episode is outside its
    denominator (recovery needs paired + caseness at first; improvement needs paired)."""

    scored_sessions: int
    finished: bool
    paired: bool
    caseness_first: bool | None
    caseness_last: bool | None
    recovered: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_recovery: bool | None
    depression: FirstLast | None
    anxiety: FirstLast | None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {k: getattr(self, k) for k in ("scored_sessions", *OUTCOME_FLAGS)}
        for name, pair in (("depression", self.depression), ("anxiety", self.anxiety)):
            out[f"{name}_first"] = None if pair is None else pair.first
            out[f"{name}_last"] = None if pair is None else pair.last
        return out


def first_last(scores: Iterable[Score], instrument: str) -> FirstLast | None:
    """First = lowest session with a non-missing total; last = highest."""
    present = sorted(
        (s.session_number, s.total)
        for s in scores
        if s.instrument == instrument and s.total is not None
    )
    if not present:
        return None
    (s1, t1), (s2, t2) = present[0], present[-1]
    assert t1 is not None and t2 is not None
    return FirstLast(first=t1, first_session=s1, last=t2, last_session=s2)


def _caseness(dep: float | None, anx: float | None, config: TalkingTherapiesConfig) -> bool | None:
    if dep is None and anx is None:
        return None
    return (dep is not None and dep >= config.depression_caseness) or (
        anx is not None and anx >= config.anxiety_caseness
    )


def talking_therapies_outcome(
    scores: Sequence[Score], config: TalkingTherapiesConfig | None = None
) -> EpisodeOutcome:
    """The NHS Talking Therapies paired metrics for one episode (docs/analytics.md)."""
    cfg = config or TalkingTherapiesConfig()
    scored_sessions = len({s.session_number for s in scores if s.total is not None})
    dep = first_last(scores, cfg.depression)
    anx = first_last(scores, cfg.anxiety)
    finished = scored_sessions >= cfg.finished_min_sessions
    paired = dep is not None and anx is not None and dep.distinct and anx.distinct
    case_first = _caseness(
        None if dep is None else dep.first, None if anx is None else anx.first, cfg
    )
    case_last = _caseness(None if dep is None else dep.last, None if anx is None else anx.last, cfg)
    if not paired or dep is None or anx is None:
        return EpisodeOutcome(
            scored_sessions, finished, False, case_first, None, None, None, None, None, dep, anx
        )
    d = reliable_change(dep.first, dep.last, cfg.depression_reliable_change, "higher_is_worse")
    a = reliable_change(anx.first, anx.last, cfg.anxiety_reliable_change, "higher_is_worse")
    improvement = "improved" in (d, a) and "deteriorated" not in (d, a)
    if cfg.deterioration_rule == "any":
        deterioration = "deteriorated" in (d, a)
    else:
        deterioration = "deteriorated" in (d, a) and "improved" not in (d, a)
    recovered: bool | None = None
    reliable_recovery: bool | None = None
    if case_first:
        recovered = not case_last
        reliable_recovery = recovered and improvement
    return EpisodeOutcome(
        scored_sessions=scored_sessions,
        finished=finished,
        paired=True,
        caseness_first=case_first,
        caseness_last=case_last,
        recovered=recovered,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        reliable_recovery=reliable_recovery,
        depression=dep,
        anxiety=anx,
    )


# --- Rates -------------------------------------------------------------------------------


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score 95% interval for a proportion (Wilson 1927, JASA 22:209); None when n = 0."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n == 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n ({n}), got {successes}")
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))
