"""Read QuestionnaireResponses (alone or in a Bundle) for instruments Holdspace knows.

Everything is checked before anything is returned: one problem anywhere raises
FhirImportError listing every problem found, so the caller can import all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from holdspace.instruments import SKIP, Instrument, Item, all_instruments
from holdspace.interop._fhir_common import (
    CLIENT_CODE_SYSTEM,
    DATA_ABSENT,
    DECLINED,
    LOINC,
    LOINC_QUESTIONNAIRE_BASE,
    QUESTIONNAIRE_BASE,
    answer_system,
)
from holdspace.interop._records import Answer, FhirImportError, ImportedResponse

Json = dict[str, Any]
_ACCEPTED_STATUS = ("completed", "amended")


def _load(raw: str | bytes | Json) -> Json:
    if isinstance(raw, dict):
        return raw
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirImportError([f"the file is not JSON ({exc})"]) from exc
    if not isinstance(data, dict):
        raise FhirImportError(["the file must hold one FHIR resource (a JSON object)"])
    return data


def _validate(data: Json) -> Bundle | QuestionnaireResponse:
    kind = data.get("resourceType")
    models: dict[str, Any] = {"Bundle": Bundle, "QuestionnaireResponse": QuestionnaireResponse}
    if kind not in models:
        raise FhirImportError(
            [f"resourceType: {kind!r} cannot be imported; use a Bundle or a QuestionnaireResponse"]
        )
    try:
        resource: Bundle | QuestionnaireResponse = models[kind].model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise FhirImportError([f"not valid FHIR R4B {kind}: " + "; ".join(problems[:5])]) from exc
    return resource


def _patients(bundle: Bundle) -> dict[str, str]:
    """fullUrl (and Patient/id) -> client code, for Patients that carry one."""
    codes: dict[str, str] = {}
    for entry in bundle.entry or []:
        resource: Any = entry.resource
        if resource is None or resource.get_resource_type() != "Patient":
            continue
        for identifier in resource.identifier or []:
            if identifier.system == CLIENT_CODE_SYSTEM and identifier.value:
                if entry.fullUrl:
                    codes[str(entry.fullUrl)] = identifier.value
                if resource.id:
                    codes[f"Patient/{resource.id}"] = identifier.value
    return codes


def _responses(resource: Bundle | QuestionnaireResponse) -> Iterator[tuple[str, Any]]:
    if isinstance(resource, QuestionnaireResponse):
        yield "the QuestionnaireResponse", resource
        return
    for index, entry in enumerate(resource.entry or []):
        found = entry.resource
        if found is not None and found.get_resource_type() == "QuestionnaireResponse":
            yield f"entry {index} (QuestionnaireResponse {found.id or 'without id'})", found


def _instrument_for(canonical: str | None) -> Instrument:
    if not canonical:
        raise ValueError("questionnaire: missing; name the instrument it answers")
    base = str(canonical).split("|", 1)[0]
    known = all_instruments()
    for instrument in known:
        if base == QUESTIONNAIRE_BASE + instrument.id:
            return instrument
        if instrument.loinc_panel and base == LOINC_QUESTIONNAIRE_BASE + instrument.loinc_panel:
            return instrument
    names = ", ".join(i.id for i in known)
    raise ValueError(
        f"questionnaire: {base!r} is not an instrument Holdspace knows (known: {names}; "
        f"use {QUESTIONNAIRE_BASE}<id> or {LOINC_QUESTIONNAIRE_BASE}<LOINC panel>)"
    )


def _item_for(instrument: Instrument, link_id: str) -> Item | None:
    wanted = link_id.lstrip("/")
    for item in instrument.items:
        if wanted in (item.id, item.loinc):
            return item
    return None


def _answer(instrument: Instrument, item: Item, answers: list[Any]) -> Answer:
    if not answers:
        return None
    if len(answers) > 1:
        raise ValueError(f"item {item.id}: {len(answers)} answers given, one is allowed")
    answer = answers[0]
    coding = answer.valueCoding
    if coding is not None:
        if coding.system == DATA_ABSENT and coding.code == DECLINED:
            return SKIP
        for option in item.options:
            if (coding.system == LOINC and coding.code == option.loinc_answer) or (
                coding.system == answer_system(instrument.id) and coding.code == str(option.value)
            ):
                return option.value
        raise ValueError(
            f"item {item.id}: answer {coding.system}|{coding.code} is not allowed; "
            f"allowed: {_allowed(instrument, item)}"
        )
    if answer.valueInteger is not None and answer.valueInteger in item.values:
        return int(answer.valueInteger)
    raise ValueError(f"item {item.id}: give a coded answer; allowed: {_allowed(instrument, item)}")


def _allowed(instrument: Instrument, item: Item) -> str:
    codes = [o.loinc_answer or f"{answer_system(instrument.id)}|{o.value}" for o in item.options]
    return ", ".join(codes) + f" or {DATA_ABSENT}|{DECLINED} (skipped by choice)"


def _read_response(response: Any, patients: dict[str, str]) -> ImportedResponse:
    instrument = _instrument_for(response.questionnaire)
    if response.status not in _ACCEPTED_STATUS:
        raise ValueError(f"status: {response.status!r}; only completed responses are imported")
    authored = response.authored
    if not isinstance(authored, datetime) or authored.tzinfo is None:
        raise ValueError("authored: give the date and time it was completed, with a time zone")
    given: dict[str, Any] = {}
    for entry in response.item or []:
        item = _item_for(instrument, entry.linkId)
        if item is None:
            raise ValueError(f"item {entry.linkId!r} is not part of {instrument.id}")
        if item.id in given:
            raise ValueError(f"item {item.id} appears twice")
        given[item.id] = _answer(instrument, item, list(entry.answer or []))
    identifier = response.identifier
    subject = response.subject.reference if response.subject is not None else None
    return ImportedResponse(
        instrument_id=instrument.id,
        answers=tuple(given.get(item.id) for item in instrument.items),
        completed_at=authored,
        identifier=f"{identifier.system}|{identifier.value}" if identifier else None,
        patient_code=patients.get(str(subject)) if subject else None,
    )


def read_responses(raw: str | bytes | Json) -> list[ImportedResponse]:
    """Every QuestionnaireResponse in `raw`, or FhirImportError naming every problem."""
    resource = _validate(_load(raw))
    patients = _patients(resource) if isinstance(resource, Bundle) else {}
    found: list[ImportedResponse] = []
    problems: list[str] = []
    for where, response in _responses(resource):
        try:
            found.append(_read_response(response, patients))
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise FhirImportError(problems)
    if not found:
        raise FhirImportError(["the file holds no QuestionnaireResponse to import"])
    return found
