"""Exceptions raised by the instrument library.

Hierarchy::

    InstrumentError                 base class: catch this to catch them all
    ├── UnknownInstrumentError      no instrument with that id
    ├── DefinitionError             a definition file breaks the schema or a semantic rule
    └── AnswerError                 an answer vector cannot be scored as given

Every message is one line that names the thing at fault and what is allowed, so the CLI
and the web layer can show it as it is.
"""

from __future__ import annotations


class InstrumentError(Exception):
    """Base class for every error the instrument library raises."""


class UnknownInstrumentError(InstrumentError, LookupError):
    def __init__(self, instrument_id: str, known: list[str]) -> None:
        self.instrument_id = instrument_id
        self.known = known
        super().__init__(
            f"unknown instrument {instrument_id!r}; known instruments: {', '.join(known)}"
        )


class DefinitionError(InstrumentError):
    """A definition file is malformed: names the file, the field and what is allowed."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        super().__init__(f"{source}: field {field}: {problem}")


class AnswerError(InstrumentError, ValueError):
    """An answer cannot be scored: names the item and the allowed values."""

    def __init__(self, item: str, allowed: str, problem: str) -> None:
        self.item = item
        self.allowed = allowed
        self.problem = problem
        super().__init__(f"item {item}: {problem}; allowed: {allowed}")
