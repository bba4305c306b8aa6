"""Code systems and identifiers shared by the FHIR export and import."""

from __future__ import annotations

import uuid

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
# Holdspace's own names, as URNs: they claim no web address.
QUESTIONNAIRE_BASE = "urn:holdspace:questionnaire:"
ANSWER_SYSTEM_BASE = "urn:holdspace:answers:"
TOTAL_SYSTEM = "urn:holdspace:total"
CLIENT_CODE_SYSTEM = "urn:holdspace:client-code"
RESPONSE_SYSTEM = "urn:holdspace:administration"
LOINC_QUESTIONNAIRE_BASE = "http://loinc.org/q/"
# "Asked but declined": an item the client chose to skip ("not today"), not missing data.
DECLINED = "asked-declined"

_NAMESPACE = uuid.UUID("5b0c2a4e-8f1d-4a7e-9a53-3d2f6c1b7e90")


def stable_uuid(kind: str, key: str) -> str:
    """The same record always gets the same id, so repeated exports are comparable."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


def questionnaire_url(instrument_id: str) -> str:
    return QUESTIONNAIRE_BASE + instrument_id


def answer_system(instrument_id: str) -> str:
    return ANSWER_SYSTEM_BASE + instrument_id
