"""The instrument library: definitions as data files, a loader and a scoring engine.

Framework-free (no Django). The public API is re-exported here; everything else is
private. See docs/instruments.md.
"""

from __future__ import annotations

from holdspace.instruments._docs import markdown_table
from holdspace.instruments._errors import (
    AnswerError,
    DefinitionError,
    InstrumentError,
    UnknownInstrumentError,
)
from holdspace.instruments._loader import (
    LOCAL_ENV,
    Library,
    all_instruments,
    get_instrument,
    load_definition,
    load_library,
    local_problems,
)
from holdspace.instruments._model import (
    SKIP,
    Algorithm,
    AlgorithmResult,
    Band,
    Cutoff,
    Flag,
    Instrument,
    Item,
    Licence,
    Option,
    ReliableChange,
    ScoreResult,
    SubscaleScore,
)
from holdspace.instruments._scoring import score, total_only_result

__all__ = [
    "Algorithm",
    "AlgorithmResult",
    "AnswerError",
    "Band",
    "Cutoff",
    "DefinitionError",
    "Flag",
    "Instrument",
    "InstrumentError",
    "Item",
    "LOCAL_ENV",
    "Library",
    "Licence",
    "Option",
    "ReliableChange",
    "SKIP",
    "ScoreResult",
    "SubscaleScore",
    "UnknownInstrumentError",
    "all_instruments",
    "get_instrument",
    "load_definition",
    "load_library",
    "local_problems",
    "markdown_table",
    "score",
    "total_only_result",
]
