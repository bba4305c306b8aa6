"""Share and connect: FHIR R4B bundles and CSV in the analysis format (no Django).

See docs/interop.md.
"""

from __future__ import annotations

from holdspace.interop._capability import capability_statement
from holdspace.interop._csv import csv_row, write_csv
from holdspace.interop._fhir_common import (
    CLIENT_CODE_SYSTEM,
    QUESTIONNAIRE_BASE,
    RESPONSE_SYSTEM,
    questionnaire_url,
)
from holdspace.interop._fhir_export import (
    build_bundle,
    bundle_json,
    patient,
    questionnaire,
    questionnaire_response,
    total_observation,
)
from holdspace.interop._fhir_import import read_fhir, read_responses
from holdspace.interop._from_fhir import Draft, draft_definition
from holdspace.interop._records import (
    AdministrationRecord,
    FhirImportError,
    ImportBatch,
    ImportedResponse,
    InteropError,
)
from holdspace.longformat import COLUMNS

__all__ = [
    "CLIENT_CODE_SYSTEM",
    "COLUMNS",
    "QUESTIONNAIRE_BASE",
    "RESPONSE_SYSTEM",
    "AdministrationRecord",
    "Draft",
    "FhirImportError",
    "ImportBatch",
    "ImportedResponse",
    "InteropError",
    "build_bundle",
    "capability_statement",
    "bundle_json",
    "csv_row",
    "draft_definition",
    "patient",
    "questionnaire",
    "questionnaire_response",
    "questionnaire_url",
    "read_fhir",
    "read_responses",
    "total_observation",
    "write_csv",
]
