"""Frozen dataclasses for instrument definitions and score results.

These are plain data: the loader builds them from the YAML definition files and the
scoring engine reads them. Nothing here knows about files, Django or the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

#: An item skipped by choice ("not today"). ``None`` means missing (never answered).
SKIP: Final = "skip"

Answer = int | str | None
Direction = Literal["higher_is_worse", "higher_is_better"]
Kind = Literal["outcome", "alliance"]


@dataclass(frozen=True)
class Option:
    value: int
    label: str
    loinc_answer: str | None = None


@dataclass(frozen=True)
class Item:
    id: str
    number: int
    text: str | None
    short_label: str
    loinc: str | None
    options: list[Option]

    @property
    def values(self) -> list[int]:
        return [option.value for option in self.options]

    @property
    def allowed(self) -> str:
        """The allowed answers, as a phrase for error messages."""
        values = ", ".join(str(v) for v in self.values)
        return f"{values}, {SKIP!r} (skipped by choice) or empty (missing)"


@dataclass(frozen=True)
class Licence:
    status: str
    statement: str
    source: str
    verified: bool = True


@dataclass(frozen=True)
class Band:
    label: str
    min: float
    max: float
    verified: bool = True


@dataclass(frozen=True)
class Cutoff:
    threshold: float
    source: str
    verified: bool = True
    note: str = ""


@dataclass(frozen=True)
class ReliableChange:
    threshold: float | None
    source: str
    verified: bool = True
    note: str = ""


@dataclass(frozen=True)
class RiskItem:
    item: str
    min_value: int
    message: str
    source: str


@dataclass(frozen=True)
class MissingRule:
    """How many unanswered items a score tolerates, and what happens then.

    ``max_missing == 0`` means no prorating: any unanswered item leaves no total.
    ``optional_items`` may stay unanswered without counting (e.g. the PHQ-15
    menstrual item); they then add nothing to the total.
    """

    max_missing: int
    method: Literal["none", "prorate"]
    source: str
    verified: bool
    optional_items: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImpliedAnswer:
    """A form skip rule: when ``if_item`` is answered ``equals``, ``then_item`` scores ``value``."""

    if_item: str
    equals: int
    then_item: str
    value: int
    source: str
    verified: bool


@dataclass(frozen=True)
class Subscale:
    id: str
    name: str
    items: list[str]
    multiplier: float
    bands: list[Band]
    bands_source: str
    bands_verified: bool
    total_min: float
    total_max: float


@dataclass(frozen=True)
class Criterion:
    """At least ``min_endorsed`` (and at most ``max_endorsed``) of ``items`` are endorsed."""

    name: str
    items: list[str]
    min_endorsed: int
    max_endorsed: int | None = None


@dataclass(frozen=True)
class Algorithm:
    """A named diagnostic rule: every criterion holds, ``requires`` met, ``excludes`` not met.

    An item is endorsed when its answer is at least ``endorse_at`` (or the item's own
    value in ``endorse_overrides``, e.g. PHQ-9 item 9 counts from 1); with
    ``endorse="at_most"``, when it is at most that value (WHO-5: any item at 0 or 1).
    """

    id: str
    name: str
    source: str
    verified: bool
    endorse_at: int
    endorse_overrides: dict[str, int]
    criteria: list[Criterion]
    requires: list[str]
    excludes: list[str]
    note: str = ""
    endorse: Literal["at_least", "at_most"] = "at_least"

    def endorsed(self, item_id: str, value: int) -> bool:
        threshold = self.endorse_overrides.get(item_id, self.endorse_at)
        return value >= threshold if self.endorse == "at_least" else value <= threshold


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    version: str
    citation: str
    licence: Licence
    recall_period: str
    preamble: str | None
    items: list[Item]
    direction: Direction
    kind: Kind
    method: Literal["sum", "mean"]
    multiplier: float
    scored_items: list[str]
    reversed_items: list[str]
    total_min: float
    total_max: float
    bands: list[Band]
    bands_source: str
    bands_verified: bool
    caseness: Cutoff | None
    reliable_change: ReliableChange
    missing: MissingRule
    implied: list[ImpliedAnswer]
    risk: list[RiskItem]
    subscales: list[Subscale]
    algorithms: list[Algorithm]
    loinc_panel: str | None
    loinc_total: str | None
    text_available: bool
    text_source: str | None
    notes: list[str]
    source_file: str
    scoring_verified: bool = True
    scoring_source: str = ""
    # What it asks about in everyday words, for the client's screens ("Mood"); the name is
    # the clinical one. A definition without one shows its name.
    plain_name: str = ""
    # Asks about traumatic experiences: the check-in shows a content note first, with the
    # choice to skip the whole measure (SAMHSA 2014 principles: safety; voice and choice).
    content_note: bool = False

    @property
    def fewest_answers(self) -> int:
        """How many answers an administration must give, in item order.

        Unscored items at the end (PHQ-9 item 10, asked after the nine) may be left off:
        administrations recorded before such an item joined the definition stay valid, and
        a left-off item reads as missing.
        """
        count = len(self.items)
        while count > 1 and self.items[count - 1].id not in self.scored_items:
            count -= 1
        return count

    def padded(self, answers: Sequence[Answer]) -> list[Answer]:
        """`answers` with left-off trailing unscored items read as missing (None)."""
        return list(answers) + [None] * max(0, len(self.items) - len(answers))

    def trimmed(self, answers: Sequence[Answer]) -> list[Answer]:
        """`answers` without trailing unscored items that were not asked (None)."""
        kept = list(answers)
        while len(kept) > self.fewest_answers and kept[-1] is None:
            kept.pop()
        return kept

    def _scored_answers(self, answers: Sequence[Answer]) -> list[Answer]:
        padded = self.padded(answers)
        return [
            a for item, a in zip(self.items, padded, strict=True) if item.id in self.scored_items
        ]

    def why_no_total(self, answers: Sequence[Answer]) -> str:
        """Why an administration has no total, in plain words: the missing-item rule and
        how many items were skipped by choice or left unanswered."""
        scored = self._scored_answers(answers)
        skipped = sum(1 for a in scored if a == SKIP)
        unanswered = sum(1 for a in scored if a is None)
        allowed = self.missing.max_missing
        rule = (
            f"{self.name} has a total only when every question is answered"
            if allowed == 0
            else f"{self.name} has a total when no more than {allowed} "
            f"question{'s are' if allowed != 1 else ' is'} left out"
        )
        parts = []
        if skipped:
            parts.append(f"{skipped} skipped by choice")
        if unanswered:
            parts.append(f"{unanswered} not answered")
        left = ", ".join(parts) or "none answered"
        return f"No total: {rule}; here {left}."

    def declined(self, answers: Sequence[Answer]) -> bool:
        """The whole questionnaire was skipped by choice ("not today")."""
        scored = self._scored_answers(answers)
        return bool(scored) and all(a == SKIP for a in scored)

    def skipped_labels(self, answers: Sequence[Answer]) -> list[str]:
        """The items skipped by choice, by their short label (or "item N")."""
        return [
            item.short_label or f"item {item.number}"
            for item, answer in zip(self.items, self.padded(answers), strict=True)
            if answer == SKIP
        ]

    def no_total_summary(self, answers: Sequence[Answer]) -> str:
        """One sentence for an administration without a total: a whole questionnaire
        skipped says so; otherwise why there is no total and which items were skipped."""
        if self.declined(answers):
            return "Chose to skip today."
        skipped = self.skipped_labels(answers)
        tail = f" Skipped by choice: {', '.join(skipped)}." if skipped else ""
        return self.why_no_total(answers) + tail

    @property
    def risk_items(self) -> list[str]:
        return [risk.item for risk in self.risk]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def unverified(self) -> list[str]:
        """Names of the values in this definition that the reference marks [U]/[R]."""
        names = [] if self.licence.verified else ["licence"]
        if not self.scoring_verified:
            names.append("scoring")
        if not self.bands_verified or any(not b.verified for b in self.bands):
            names.append("bands")
        if self.caseness is not None and not self.caseness.verified:
            names.append("caseness")
        if not self.reliable_change.verified:
            names.append("reliable_change")
        if not self.missing.verified:
            names.append("missing")
        names += [f"implied:{i.then_item}" for i in self.implied if not i.verified]
        names += [f"subscale:{s.id}" for s in self.subscales if not s.bands_verified]
        names += [f"algorithm:{a.id}" for a in self.algorithms if not a.verified]
        return names


@dataclass(frozen=True)
class Flag:
    kind: Literal["risk"]
    item: str
    value: int
    message: str


@dataclass(frozen=True)
class SubscaleScore:
    total: float | None
    band: str | None
    name: str = ""
    prorated: bool = False


@dataclass(frozen=True)
class AlgorithmResult:
    met: bool | None
    explanation: str
    name: str = ""


@dataclass(frozen=True)
class ScoreResult:
    instrument: str
    version: str
    total: float | None
    band: str | None
    caseness: bool | None
    flags: list[Flag]
    subscales: dict[str, SubscaleScore]
    algorithms: dict[str, AlgorithmResult]
    skipped: list[str]
    missing: list[str]
    explanation: list[str]
    prorated: bool = False

    @property
    def has_risk(self) -> bool:
        return any(flag.kind == "risk" for flag in self.flags)

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "total": self.total,
            "band": self.band,
            "caseness": self.caseness,
            "prorated": self.prorated,
            "has_risk": self.has_risk,
            "flags": [
                {"kind": f.kind, "item": f.item, "value": f.value, "message": f.message}
                for f in self.flags
            ],
            "subscales": {
                key: {"name": s.name, "total": s.total, "band": s.band, "prorated": s.prorated}
                for key, s in self.subscales.items()
            },
            "algorithms": {
                key: {"name": a.name, "met": a.met, "explanation": a.explanation}
                for key, a in self.algorithms.items()
            },
            "skipped": list(self.skipped),
            "missing": list(self.missing),
            "explanation": list(self.explanation),
        }
