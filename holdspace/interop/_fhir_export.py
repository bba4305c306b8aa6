"""Build a FHIR R4B Bundle for one client: Patient, Questionnaires, responses and totals.

- Patient: pseudonymous, identified only by the client code (no name, no birth date).
- Questionnaire: one per instrument used, with LOINC codes from the definition; the
  item wording only when the definition may ship it (else the short label).
- QuestionnaireResponse: one per administration. A skipped item carries the
  data-absent-reason "asked-declined"; a missing item is left out.
- Observation: one per total, coded with the instrument's LOINC total code (or a
  Holdspace code where LOINC has none), `derivedFrom` its response.
Every resource is validated by its fhir.resources model before it is returned.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from holdspace.instruments import (
    SKIP,
    Instrument,
    Item,
    Option,
    UnknownInstrumentError,
    get_instrument,
)
from holdspace.interop._fhir_common import (
    CLIENT_CODE_SYSTEM,
    DATA_ABSENT,
    DECLINED,
    LOINC,
    OBSERVATION_CATEGORY,
    ORDINAL_VALUE,
    RESPONSE_SYSTEM,
    TOTAL_SYSTEM,
    UCUM,
    answer_system,
    questionnaire_url,
    stable_uuid,
)
from holdspace.interop._records import AdministrationRecord, InteropError

Json = dict[str, Any]


def _instrument(instrument_id: str) -> Instrument:
    try:
        return get_instrument(instrument_id)
    except UnknownInstrumentError as exc:
        # A local definition that has since been removed: its answers cannot be labelled.
        raise InteropError(
            f"instrument {instrument_id!r} is not installed; add its definition back to "
            "export these administrations"
        ) from exc


def _ordinal(option: Option) -> list[Json]:
    return [{"url": ORDINAL_VALUE, "valueDecimal": option.value}]


def _answer_coding(instrument: Instrument, option: Option, *, ordinal: bool = True) -> Json:
    coding: Json = (
        {"system": LOINC, "code": option.loinc_answer}
        if option.loinc_answer
        else {"system": answer_system(instrument.id), "code": str(option.value)}
    )
    coding["display"] = option.label
    if ordinal:
        # The score value travels with the answer, so other systems need not look it up.
        coding["extension"] = _ordinal(option)
    return coding


def _questionnaire_item(instrument: Instrument, item: Item) -> Json:
    text = item.text if instrument.text_available and item.text else item.short_label
    entry: Json = {
        "linkId": item.id,
        "prefix": str(item.number),
        "text": text,
        "type": "choice",
        "required": False,  # any item may be skipped by choice
        # ordinalValue on answerOption.extension: the R4 convention LHC-Forms and SDC read.
        "answerOption": [
            {"valueCoding": _answer_coding(instrument, o, ordinal=False), "extension": _ordinal(o)}
            for o in item.options
        ],
    }
    if item.loinc:
        entry["code"] = [{"system": LOINC, "code": item.loinc, "display": item.short_label}]
    return entry


def questionnaire(instrument: Instrument) -> Json:
    resource: Json = {
        "resourceType": "Questionnaire",
        "id": stable_uuid("Questionnaire", f"{instrument.id}|{instrument.version}"),
        "url": questionnaire_url(instrument.id),
        "version": instrument.version,
        "name": "".join(ch for ch in instrument.id.upper() if ch.isalnum()),
        "title": instrument.name,
        "status": "active",
        "description": instrument.citation,
        "copyright": instrument.licence.statement,
        "item": [_questionnaire_item(instrument, item) for item in instrument.items],
    }
    if instrument.loinc_panel:
        resource["code"] = [{"system": LOINC, "code": instrument.loinc_panel}]
    return resource


def _response_item(instrument: Instrument, item: Item, answer: int | str | None) -> Json | None:
    if answer is None:
        return None  # missing: never answered
    if answer == SKIP:
        coding: Json = {"system": DATA_ABSENT, "code": DECLINED, "display": "Asked But Declined"}
    else:
        option = next((o for o in item.options if o.value == answer), None)
        if option is None:
            raise InteropError(f"{instrument.id} item {item.id}: stored answer {answer!r} unknown")
        coding = _answer_coding(instrument, option)
    text = item.text if instrument.text_available and item.text else item.short_label
    return {"linkId": item.id, "text": text, "answer": [{"valueCoding": coding}]}


def questionnaire_response(record: AdministrationRecord, patient_ref: str) -> Json:
    instrument = _instrument(record.instrument_id)
    if not instrument.fewest_answers <= len(record.answers) <= len(instrument.items):
        raise InteropError(
            f"{record.key}: {len(record.answers)} answers for {len(instrument.items)} items"
        )
    items = [
        _response_item(instrument, i, a)
        for i, a in zip(instrument.items, instrument.padded(record.answers), strict=True)
    ]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": stable_uuid("QuestionnaireResponse", record.key),
        "identifier": {
            "system": RESPONSE_SYSTEM,
            "value": stable_uuid("QuestionnaireResponse", record.key),
        },
        "questionnaire": f"{questionnaire_url(instrument.id)}|{record.instrument_version}",
        "status": "completed",
        "subject": {"reference": patient_ref},
        "authored": _when(record),
        "item": [item for item in items if item is not None],
    }


def _when(record: AdministrationRecord) -> str:
    """The completion time, or only its date when that is all the sender gave."""
    if record.date_only:
        return record.completed_at.date().isoformat()
    return record.completed_at.isoformat()


def total_observation(
    record: AdministrationRecord, patient_ref: str, response_ref: str | None
) -> Json:
    instrument = _instrument(record.instrument_id)
    code = (
        {"system": LOINC, "code": instrument.loinc_total}
        if instrument.loinc_total
        else {"system": TOTAL_SYSTEM, "code": instrument.id}
    )
    code["display"] = f"{instrument.name} total score"
    resource: Json = {
        "resourceType": "Observation",
        "id": stable_uuid("Observation", record.key),
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": {"coding": [code], "text": f"{instrument.name} total score"},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": _when(record),
        "valueQuantity": {
            "value": record.total,
            "unit": "{score}",
            "system": UCUM,
            "code": "{score}",
        },
    }
    if response_ref:
        resource["derivedFrom"] = [{"reference": response_ref}]
    if record.band:
        resource["interpretation"] = [{"text": record.band}]
    return resource


def patient(client_code: str) -> Json:
    return {
        "resourceType": "Patient",
        "id": stable_uuid("Patient", client_code),
        "identifier": [{"system": CLIENT_CODE_SYSTEM, "value": client_code}],
    }


_MODELS: dict[str, Any] = {
    "Patient": Patient,
    "Questionnaire": Questionnaire,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Observation": Observation,
}


def _entry(resource: Json) -> Json:
    # Validating each resource on its own names the failing one in any error.
    _MODELS[resource["resourceType"]].model_validate(resource)
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def build_bundle(
    client_code: str,
    records: Sequence[AdministrationRecord],
    *,
    timestamp: datetime | None = None,
) -> Bundle:
    """A `collection` Bundle: Patient, then Questionnaires, then responses and totals."""
    subject = _entry(patient(client_code))
    entries = [subject]
    used = sorted({r.instrument_id for r in records})
    entries += [_entry(questionnaire(_instrument(i))) for i in used]
    for record in sorted(records, key=lambda r: (r.completed_at, r.key)):
        if record.total_only:
            # Another system sent only the total: there is no response to export.
            entries.append(_entry(total_observation(record, subject["fullUrl"], None)))
            continue
        response = _entry(questionnaire_response(record, subject["fullUrl"]))
        entries.append(response)
        if record.total is not None:
            entries.append(
                _entry(total_observation(record, subject["fullUrl"], response["fullUrl"]))
            )
    when = (timestamp or datetime.now(UTC)).isoformat()
    return Bundle.model_validate(
        {"resourceType": "Bundle", "type": "collection", "timestamp": when, "entry": entries}
    )


def bundle_json(bundle: Bundle) -> str:
    """Indented JSON, readable in a text editor."""
    return json.dumps(json.loads(bundle.model_dump_json()), indent=2, ensure_ascii=False) + "\n"
