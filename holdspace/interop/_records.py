"""Plain records the interop formats are built from (no Django: the web layer maps rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from holdspace.instruments import ScoreResult

Answer = int | str | None


class InteropError(Exception):
    """Base class for export and import problems."""


class FhirImportError(InteropError):
    """A FHIR document could not be imported; `problems` names every field at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class AdministrationRecord:
    """One completed instrument, as the export formats need it.

    `key` is stable for the row (e.g. "administration:12"); exported FHIR ids derive from
    it, so exporting the same data twice gives the same ids. `completed_at` is aware.
    `date_only`: the sender gave a date without a time (kept at that precision).
    `total_only`: another system sent only the total; `answers` are all missing.
    """

    key: str
    episode_id: str
    client_code: str
    clinician_id: str
    session_number: int | None
    instrument_id: str
    instrument_version: str
    answers: tuple[Answer, ...]
    total: float | None
    band: str | None
    completed_at: datetime
    date_only: bool = False
    total_only: bool = False


@dataclass(frozen=True)
class ImportedResponse:
    """One administration read from a FHIR file, in Holdspace's terms, checked and scored.

    A QuestionnaireResponse (or a panel Observation with its item Observations) gives the
    answers; a total-only Observation gives `total_only=True`, all answers missing and the
    sender's total as the only total there is.
    """

    instrument_id: str
    answers: tuple[Answer, ...]
    # Aware when the sender gave a time; None when `authored` was a date only.
    completed_at: datetime | None
    completed_on: date
    identifier: str | None  # "system|value" of the resource's identifier, when it has one
    patient_code: str | None
    where: str = ""  # "entry 3 (QuestionnaireResponse abc)": for messages
    result: ScoreResult | None = None
    total_only: bool = False
    sender_total: float | None = None
    questionnaire: str | None = None  # the canonical address as the sender gave it
    # What makes the same response the same on a second import: its identifier, else its
    # id and the sending system, else a hash of its content.
    source_key: str = ""
    # Plain statements for the person importing (a total that disagrees, no total, ...).
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> float | None:
        return self.result.total if self.result is not None else None

    @property
    def date_only(self) -> bool:
        return self.completed_at is None


@dataclass(frozen=True)
class ImportBatch:
    """Everything importable in one file, and what was passed over (and why)."""

    responses: list[ImportedResponse]
    skipped: list[str]
