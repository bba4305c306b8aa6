"""Stuck-point reviews: the card library, review assembly and the adaptation comparison.

Framework-free core: no Django import here (the web layer is holdspace.web.reviews).
"""

from __future__ import annotations

from holdspace.reviews.adaptation import (
    DEFAULT_MIN_SESSIONS_AFTER,
    AdaptationInputError,
    AdaptationOutcome,
    compare_adaptation,
    least_squares_slope,
)
from holdspace.reviews.assembly import (
    LastAdaptation,
    Review,
    ReviewCard,
    ReviewContext,
    ReviewInputError,
    Section,
    SignalRef,
    assemble,
)
from holdspace.reviews.cards import LAYERS, SIGNAL_KINDS, Card, CardError, Source, load_cards

__all__ = [
    "DEFAULT_MIN_SESSIONS_AFTER",
    "LAYERS",
    "SIGNAL_KINDS",
    "AdaptationInputError",
    "AdaptationOutcome",
    "Card",
    "CardError",
    "LastAdaptation",
    "Review",
    "ReviewCard",
    "ReviewContext",
    "ReviewInputError",
    "Section",
    "SignalRef",
    "Source",
    "assemble",
    "compare_adaptation",
    "least_squares_slope",
    "load_cards",
]
