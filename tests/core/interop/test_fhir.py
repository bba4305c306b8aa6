"""FHIR R4B export and import: every resource validates; export -> import is exact."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from holdspace.instruments import SKIP, get_instrument
from holdspace.interop import (
    AdministrationRecord,
    FhirImportError,
    build_bundle,
    bundle_json,
    read_responses,
)

MODELS: dict[str, Any] = {
    "Patient": Patient,
    "Questionnaire": Questionnaire,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Observation": Observation,
}
PHQ9_ANSWERS = (1, 2, SKIP, None, 0, 3, 1, 0, 0)
GAD7_ANSWERS = (3, 3, 2, 2, 1, 1, 0)


def make_record(key, instrument, answers, total, completed_at, band=None):
    return AdministrationRecord(
        key=key,
        episode_id="7",
        client_code="HS-0042",
        clinician_id="3",
        session_number=1,
        instrument_id=instrument,
        instrument_version=get_instrument(instrument).version,
        answers=tuple(answers),
        total=total,
        band=band,
        completed_at=completed_at,
    )


@pytest.fixture
def records():
    return [
        make_record(
            "administration:1",
            "phq9",
            PHQ9_ANSWERS,
            None,
            datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1))),
        ),
        make_record(
            "administration:2",
            "gad7",
            GAD7_ANSWERS,
            12.0,
            datetime(2026, 1, 12, 18, 0, tzinfo=UTC),
            band="moderate",
        ),
    ]


def resources(bundle_text, kind=None):
    found = [e["resource"] for e in json.loads(bundle_text)["entry"]]
    return [r for r in found if kind is None or r["resourceType"] == kind]


def test_every_exported_resource_validates(records) -> None:
    text = bundle_json(build_bundle("HS-0042", records))

    assert Bundle.model_validate_json(text).type == "collection"
    for resource in resources(text):
        MODELS[resource["resourceType"]].model_validate(resource)


def test_the_patient_is_pseudonymous(records) -> None:
    text = bundle_json(build_bundle("HS-0042", records))

    (patient,) = resources(text, "Patient")
    assert patient["identifier"] == [{"system": "urn:holdspace:client-code", "value": "HS-0042"}]
    assert set(patient) == {"resourceType", "id", "identifier"}


def test_one_questionnaire_per_instrument_with_loinc_codes(records) -> None:
    text = bundle_json(build_bundle("HS-0042", records + records[:1]))

    questionnaires = {q["url"]: q for q in resources(text, "Questionnaire")}
    assert sorted(questionnaires) == [
        "urn:holdspace:questionnaire:gad7",
        "urn:holdspace:questionnaire:phq9",
    ]
    phq9 = questionnaires["urn:holdspace:questionnaire:phq9"]
    assert phq9["code"] == [{"system": "http://loinc.org", "code": "44249-1"}]
    assert phq9["item"][8]["code"][0]["code"] == "44260-8"  # item 9, psychometrics.md §1
    first_option = phq9["item"][0]["answerOption"][0]["valueCoding"]
    assert (first_option["system"], first_option["code"]) == ("http://loinc.org", "LA6568-5")


def test_a_skipped_item_is_declined_and_a_missing_item_is_left_out(records) -> None:
    text = bundle_json(build_bundle("HS-0042", records[:1]))

    (response,) = resources(text, "QuestionnaireResponse")
    by_link = {i["linkId"]: i["answer"][0]["valueCoding"] for i in response["item"]}
    assert by_link["phq9_3"]["code"] == "asked-declined"
    assert by_link["phq9_3"]["system"] == (
        "http://terminology.hl7.org/CodeSystem/data-absent-reason"
    )
    assert "phq9_4" not in by_link
    assert by_link["phq9_6"]["code"] == "LA6571-9"  # "Nearly every day" = 3


def test_a_total_becomes_an_observation_derived_from_its_response(records) -> None:
    text = bundle_json(build_bundle("HS-0042", records))
    entries = json.loads(text)["entry"]
    urls = {e["resource"]["id"]: e["fullUrl"] for e in entries}

    observations = resources(text, "Observation")
    (response,) = [
        r for r in resources(text, "QuestionnaireResponse") if "gad7" in r["questionnaire"]
    ]

    # The PHQ-9 record has no total (an item is missing), so only GAD-7 has one.
    assert len(observations) == 1
    (observation,) = observations
    assert observation["code"]["coding"][0]["code"] == "70274-6"  # GAD-7 total, §2
    assert observation["valueQuantity"]["value"] == 12.0
    assert observation["derivedFrom"] == [{"reference": urls[response["id"]]}]
    assert observation["interpretation"] == [{"text": "moderate"}]


def test_export_then_import_reproduces_answers_and_times_exactly(records) -> None:
    text = bundle_json(build_bundle("HS-0042", records))

    imported = read_responses(text)

    assert [(r.instrument_id, r.answers, r.completed_at) for r in imported] == [
        (rec.instrument_id, rec.answers, rec.completed_at) for rec in records
    ]
    assert {r.patient_code for r in imported} == {"HS-0042"}
    assert all(r.identifier and r.identifier.startswith("urn:holdspace:") for r in imported)


def test_repeated_exports_give_the_same_ids(records) -> None:
    when = datetime(2026, 2, 1, tzinfo=UTC)

    first = bundle_json(build_bundle("HS-0042", records, timestamp=when))
    second = bundle_json(build_bundle("HS-0042", list(reversed(records)), timestamp=when))

    assert first == second


def qr(questionnaire="urn:holdspace:questionnaire:gad7", items=None, **extra):
    coding = {"system": "http://loinc.org", "code": "LA6569-3"}
    resource = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": questionnaire,
        "status": "completed",
        "authored": "2026-03-01T10:00:00+00:00",
        "item": items
        if items is not None
        else [{"linkId": "gad7_1", "answer": [{"valueCoding": coding}]}],
    }
    resource.update(extra)
    return resource


def test_a_single_response_with_a_loinc_panel_url_is_read() -> None:
    (found,) = read_responses(json.dumps(qr("http://loinc.org/q/69737-5")))

    assert found.instrument_id == "gad7"
    assert found.answers == (1, None, None, None, None, None, None)


def test_an_unknown_instrument_is_named_with_the_known_ones() -> None:
    with pytest.raises(FhirImportError) as caught:
        read_responses(json.dumps(qr("http://example.org/Questionnaire/ors")))

    message = str(caught.value)
    assert "'http://example.org/Questionnaire/ors' is not an instrument Holdspace knows" in message
    assert "phq9" in message


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            [
                {
                    "linkId": "gad7_1",
                    "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA0000-0"}}],
                }
            ],
            "item gad7_1: answer http://loinc.org|LA0000-0 is not allowed; allowed: LA6568-5",
        ),
        ([{"linkId": "phq9_1"}], "item 'phq9_1' is not part of gad7"),
        (
            [{"linkId": "gad7_1", "answer": [{"valueInteger": 1}, {"valueInteger": 2}]}],
            "item gad7_1: 2 answers given, one is allowed",
        ),
    ],
)
def test_bad_answers_name_the_item_and_what_is_allowed(items, expected) -> None:
    with pytest.raises(FhirImportError, match="entry|QuestionnaireResponse") as caught:
        read_responses(json.dumps(qr(items=items)))

    assert expected in str(caught.value)


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(FhirImportError, match="authored: give the date and time"):
        read_responses(json.dumps(qr(authored="2026-03-01T10:00:00")))


def test_a_date_alone_is_kept_at_that_precision() -> None:
    (found,) = read_responses(json.dumps(qr(authored="2026-03-01")))

    assert found.completed_at is None and found.date_only
    assert found.completed_on.isoformat() == "2026-03-01"


@pytest.mark.parametrize(
    ("authored", "expected"),
    [("2026-03", "gives no day"), ("2026-02-30", "not a calendar date"), (None, "missing")],
)
def test_a_vague_or_impossible_date_is_named(authored, expected) -> None:
    resource = qr()
    resource.pop("authored")
    if authored:
        resource["authored"] = authored
    with pytest.raises(FhirImportError, match=f"authored: .*{expected}"):
        read_responses(json.dumps(resource))


def test_every_problem_in_a_bundle_is_reported_together() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": qr("urn:holdspace:questionnaire:nope")},
            {"resource": qr()},
            {"resource": qr(status="in-progress")},
        ],
    }

    with pytest.raises(FhirImportError) as caught:
        read_responses(json.dumps(bundle))

    assert [p.split(":")[0] for p in caught.value.problems] == [
        "entry 0 (QuestionnaireResponse without id)",
        "entry 2 (QuestionnaireResponse without id)",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("not json", "the file is not JSON"),
        ('{"resourceType": "Patient"}', "resourceType: 'Patient' cannot be imported"),
        (
            '{"resourceType": "Bundle", "type": "collection", "entry": []}',
            "no QuestionnaireResponse",
        ),
        (
            '{"resourceType": "QuestionnaireResponse"}',
            "questionnaire: \\(no questionnaire address\\) is not an instrument",
        ),
        ("[" * 10_000 + "]" * 10_000, "nests arrays or objects more than 64 levels deep"),
        ('{"resourceType": "Questionnaire"}', "a Questionnaire holds no answers"),
    ],
)
def test_files_that_are_not_responses_get_a_clear_error(raw, expected) -> None:
    with pytest.raises(FhirImportError, match=expected):
        read_responses(raw)
