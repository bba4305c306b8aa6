"""Assemble a stuck-point review: the client's signals and data beside the relevant cards.

Sections follow the environment-first order (trauma-informed.md §9): safety, then the
relationship and environment, life context, protective patterns, and formulation last.
Safety always leads when there is a safety signal or an unacknowledged risk answer. When
an adaptation was tried before, the review starts from it (right after safety).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from holdspace.reviews.cards import (
    LAYER_TITLES,
    LAYERS,
    SIGNAL_KINDS,
    SIGNAL_TITLES,
    Card,
    load_cards,
)


@dataclass(frozen=True)
class SignalRef:
    kind: str
    severity: str


@dataclass(frozen=True)
class LastAdaptation:
    """The previous adaptation and what happened after it (see compare_adaptation)."""

    kind: str
    description: str
    from_session: int
    outcome: str  # the AdaptationOutcome's explanation


@dataclass(frozen=True)
class ReviewContext:
    """The client's own data the review puts beside the cards."""

    unacknowledged_risk: bool = False
    alliance_drops: int = 0
    missed_sessions: int = 0
    life_events: tuple[str, ...] = ()
    patterns_seen: tuple[str, ...] = ()
    last_adaptation: LastAdaptation | None = None

    def facts(self) -> dict[str, str]:
        """Each fact that holds, with the reason shown beside a card it highlights."""
        found: dict[str, str] = {}
        if self.unacknowledged_risk:
            found["unacknowledged_risk"] = "A risk answer has not been acknowledged yet."
        if self.alliance_drops:
            found["alliance_drop"] = f"Alliance drops recently: {self.alliance_drops}."
        if self.missed_sessions:
            found["missed_sessions"] = f"Missed or cancelled sessions: {self.missed_sessions}."
        if self.life_events:
            found["life_event"] = "Life events noted: " + "; ".join(self.life_events) + "."
        if self.patterns_seen:
            found["pattern_seen"] = (
                "Protective patterns seen: " + ", ".join(self.patterns_seen) + "."
            )
        if self.last_adaptation is not None:
            found["adaptation_tried"] = (
                f"Adaptation from session {self.last_adaptation.from_session}: "
                f"{self.last_adaptation.description}."
            )
        return found


@dataclass(frozen=True)
class ReviewCard:
    card: Card
    # Why this card stands out for this client (empty when no fact matches).
    because: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    key: str  # a layer name, or "last_adaptation"
    title: str
    cards: tuple[ReviewCard, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Review:
    signals: tuple[SignalRef, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def card_ids(self) -> list[str]:
        return [rc.card.id for s in self.sections for rc in s.cards]


class ReviewInputError(ValueError):
    """A signal is not one the review knows; the message names the field."""


def _signal_ref(signal: Any) -> SignalRef:
    # Signals arrive as holdspace.signals.Signal objects, or as plain dicts (stored snapshots).
    if isinstance(signal, Mapping):
        kind, severity = signal.get("kind"), signal.get("severity", "")
    else:
        kind, severity = getattr(signal, "kind", None), getattr(signal, "severity", "")
    if kind not in SIGNAL_KINDS:
        raise ReviewInputError(
            f"signal.kind: {kind!r} is not a signal kind; allowed: {', '.join(SIGNAL_KINDS)}"
        )
    return SignalRef(str(kind), str(severity or ""))


def _kinds(signals: Sequence[SignalRef], context: ReviewContext) -> list[str]:
    kinds = {s.kind for s in signals}
    # An unacknowledged risk answer brings the safety cards even without a safety signal.
    if context.unacknowledged_risk:
        kinds.add("safety")
    return [k for k in SIGNAL_KINDS if k in kinds]


def _review_card(card: Card, facts: Mapping[str, str]) -> ReviewCard:
    return ReviewCard(card, tuple(facts[f] for f in card.highlight_when if f in facts))


def _layer_sections(
    cards: Iterable[Card], kinds: Sequence[str], facts: Mapping[str, str]
) -> list[Section]:
    chosen = [c for c in cards if c.signal in kinds]
    sections = []
    for layer in LAYERS:
        in_layer = [c for c in chosen if c.layer == layer]
        # Within a layer: by signal priority, then in the order the card files give.
        in_layer.sort(key=lambda c: kinds.index(c.signal))
        if in_layer:
            sections.append(
                Section(layer, LAYER_TITLES[layer], tuple(_review_card(c, facts) for c in in_layer))
            )
    return sections


def _adaptation_section(last: LastAdaptation) -> Section:
    return Section(
        "last_adaptation",
        "Start here: the last adaptation and what followed",
        notes=(f"From session {last.from_session} ({last.kind}): {last.description}", last.outcome),
    )


def assemble(
    signals: Sequence[Any], context: ReviewContext, cards: Sequence[Card] | None = None
) -> Review:
    """Build the review: which cards for which signals, in which order, and why.

    `cards` defaults to the bundled library (load_cards()); the web app passes the
    clinic's cards too.
    """
    if cards is None:
        cards = load_cards()
    refs = tuple(_signal_ref(s) for s in signals)
    refs = tuple(sorted(refs, key=lambda r: SIGNAL_KINDS.index(r.kind)))
    sections = _layer_sections(cards, _kinds(refs, context), context.facts())
    if context.last_adaptation is not None:
        # The review starts from the last adaptation, except that a safety signal or an
        # unacknowledged risk answer always leads.
        urgent = context.unacknowledged_risk or any(r.kind == "safety" for r in refs)
        at = 1 if urgent and sections and sections[0].key == "safety" else 0
        sections.insert(at, _adaptation_section(context.last_adaptation))
    return Review(refs, tuple(sections))


def signal_title(kind: str) -> str:
    return SIGNAL_TITLES[kind]
