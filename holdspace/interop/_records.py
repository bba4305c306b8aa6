"""Plain records the interop formats are built from (no Django: the web layer maps rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True)
class ImportedResponse:
    """One QuestionnaireResponse read back into Holdspace's terms."""

    instrument_id: str
    answers: tuple[Answer, ...]
    completed_at: datetime
    identifier: str | None  # "system|value" of the response's identifier, when it has one
    patient_code: str | None
