"""Real files written by other systems, imported as their authors published them.

Expected values are read off the published files by hand (the answer codes and the
sender's totals), not produced by running the importer.
"""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from holdspace.interop import FhirImportError, read_fhir
from tests.core.interop.samples import bundle, fixture, sample, sample_json

USCORE_QR = "uscore-QuestionnaireResponse-phq-9-example.json"
# US Core's PHQ-9 example: items 1-4 and 7 "More than half the days" (2), items 5 and 6
# "Several days" (1), items 8 and 9 "Not at all" (0); item 10 "Somewhat difficult".
USCORE_ANSWERS = (2, 2, 2, 2, 1, 1, 2, 0, 0, 1)
USCORE_OBSERVATIONS = [
    f"uscore-Observation-PHQ9-item-example-{code}.json"
    for code in (
        "44250-9",
        "44251-7",
        "44252-5",
        "44253-3",
        "44254-1",
        "44255-8",
        "44258-2",
        "44259-0",
        "44260-8",
        "44261-6",
        "69722-7",
    )
] + ["uscore-Observation-PHQ9-panel-example-44249-1.json"]


def test_us_core_response_from_lhc_forms_is_read_with_its_total_and_item_10() -> None:
    (found,) = read_fhir(fixture(USCORE_QR)).responses

    assert found.instrument_id == "phq9"
    assert found.answers == USCORE_ANSWERS
    assert found.total == 12 and found.sender_total == 12  # the sender's total is right
    assert found.questionnaire == "http://hl7.org/fhir/us/core/Questionnaire/phq-9-example"
    assert found.completed_at is not None and found.completed_on == date(2022, 11, 29)
    assert not any("differs" in note for note in found.notes)


def test_us_core_response_with_its_questionnaire_in_one_bundle() -> None:
    raw = bundle(
        sample_json("uscore-Questionnaire-phq-9-example.json"), json.loads(fixture(USCORE_QR))
    )

    (found,) = read_fhir(raw).responses

    assert found.answers == USCORE_ANSWERS and found.total == 12


def test_us_core_panel_observation_with_its_item_observations_is_one_administration() -> None:
    raw = bundle(*[sample_json(name) for name in USCORE_OBSERVATIONS], full_urls=True)

    (found,) = read_fhir(raw).responses

    assert found.instrument_id == "phq9" and not found.total_only
    assert found.answers == USCORE_ANSWERS
    assert found.total == 12 and found.sender_total == 12


def test_us_core_response_and_its_observations_together_import_the_response_once() -> None:
    resources = [json.loads(fixture(USCORE_QR))] + [sample_json(n) for n in USCORE_OBSERVATIONS]

    (found,) = read_fhir(bundle(*resources, full_urls=True)).responses

    assert found.answers == USCORE_ANSWERS and found.sender_total == 12


def test_us_core_total_observation_alone_is_a_total_only_administration() -> None:
    (found,) = read_fhir(sample("uscore-Observation-PHQ9-item-example-44261-6.json")).responses

    assert found.total_only and found.instrument_id == "phq9"
    assert found.total == 12 and found.result is not None and found.result.band == "moderate"
    assert all(answer is None for answer in found.answers)
    assert any("total only" in note for note in found.notes)


def test_synthea_phq2_total_observation_imports_as_total_only() -> None:
    (found,) = read_fhir(sample("synthea-phq2-observation-bundle.json")).responses

    assert (found.instrument_id, found.total_only, found.total) == ("phq2", True, 1)
    assert found.completed_on == date(2016, 10, 17)


def test_mii_score_observation_coded_with_the_panel_is_read_as_the_total() -> None:
    (found,) = read_fhir(sample("mii-Observation-mii-exa-pro-phq-9-observation.json")).responses

    assert (found.instrument_id, found.total_only, found.total) == ("phq9", True, 27)
    assert any("panel code 44249-1" in note for note in found.notes)


def test_mii_response_alone_cannot_be_recognised_and_says_what_would_help() -> None:
    with pytest.raises(FhirImportError) as caught:
        read_fhir(sample("mii-QuestionnaireResponse-mii-exa-pro-phq-9-response.json"))

    (problem,) = caught.value.problems
    assert "'Questionnaire/mii-qst-pro-phq-9' is not an instrument Holdspace knows" in problem
    assert "send its Questionnaire in the same Bundle" in problem


def test_mii_response_with_its_questionnaire_lists_every_mismatched_link_id() -> None:
    # As published, the response's linkIds (PHQ.1 …) are not its Questionnaire's (PHQ-9.1 …).
    raw = bundle(
        sample_json("mii-Questionnaire-mii-qst-pro-phq-9.json"),
        sample_json("mii-QuestionnaireResponse-mii-exa-pro-phq-9-response.json"),
    )

    with pytest.raises(FhirImportError) as caught:
        read_fhir(raw)

    problems = caught.value.problems
    assert len(problems) == 11  # PHQ.1 … PHQ.10 and PHQ.Score, all reported together
    assert all("not in its Questionnaire" in p for p in problems)


def test_mii_answers_without_a_system_are_read_when_the_link_ids_match() -> None:
    # The MII Questionnaire's own linkIds with the response's system-less LOINC answers.
    response = sample_json("mii-QuestionnaireResponse-mii-exa-pro-phq-9-response.json")
    for item in response["item"]:
        item["linkId"] = item["linkId"].replace("PHQ.", "PHQ-9.")
    raw = bundle(sample_json("mii-Questionnaire-mii-qst-pro-phq-9.json"), response)

    (found,) = read_fhir(raw).responses

    # LA6571-9 "Nearly every day" (3) on items 1-9; item 10 LA6574-3 "Extremely difficult".
    assert found.answers == (3,) * 9 + (3,)
    assert found.total == 27 and found.sender_total == 27


def test_cirg_gad7_as_published_is_not_json_and_gets_one_line() -> None:
    with pytest.raises(FhirImportError) as caught:
        read_fhir(sample("cirg-GAD-7-Questionnaire.json"))

    (problem,) = caught.value.problems
    assert problem.startswith("the file is not JSON (")


@pytest.mark.parametrize(
    "name",
    [
        "cirg-PHQ-9-Questionnaire.json",
        "lforms-phq9-Questionnaire.json",
        "uscore-Questionnaire-phq-9-example.json",
    ],
)
def test_a_questionnaire_alone_points_to_from_fhir(name) -> None:
    with pytest.raises(FhirImportError, match="instruments from-fhir"):
        read_fhir(sample(name))


def test_a_sender_total_that_disagrees_is_reported_and_kept() -> None:
    response = json.loads(fixture(USCORE_QR))
    changed = copy.deepcopy(response)
    next(i for i in changed["item"] if i["linkId"] == "/44261-6")["answer"] = [{"valueDecimal": 14}]

    (found,) = read_fhir(json.dumps(changed)).responses

    assert found.total == 12 and found.sender_total == 14
    assert any("sender's total 14 differs from Holdspace's 12" in n for n in found.notes)


def test_an_incomplete_response_says_plainly_why_it_has_no_total() -> None:
    response = json.loads(fixture(USCORE_QR))
    response["item"] = [i for i in response["item"] if i["linkId"] not in ("/44252-5", "/44261-6")]

    (found,) = read_fhir(json.dumps(response)).responses

    assert found.total is None
    assert any(
        "no total, because 1 of 9 scored items have no answer (item 7)" in n for n in found.notes
    )


def test_a_broken_response_lists_every_problem() -> None:
    response = json.loads(fixture(USCORE_QR))
    response["status"] = "in-progress"
    response["authored"] = "2022-11"
    response["item"][0]["answer"][0]["valueCoding"]["code"] = "LA9999-9"
    response["item"][1]["answer"].append({"valueInteger": 1})
    response["item"].append({"linkId": "/12345-6", "answer": [{"valueInteger": 1}]})

    with pytest.raises(FhirImportError) as caught:
        read_fhir(json.dumps(response))

    text = "\n".join(caught.value.problems)
    for expected in (
        "status: 'in-progress'",
        "authored: '2022-11' gives no day",
        "item phq9_1: answer http://loinc.org|LA9999-9 is not allowed",
        "item phq9_2: 2 answers given, one is allowed",
        "item '/12345-6' is not part of phq9",
    ):
        assert expected in text
    assert len(caught.value.problems) == 5


def test_a_broken_total_observation_lists_every_problem() -> None:
    observation = sample_json("uscore-Observation-PHQ9-item-example-44261-6.json")
    observation["status"] = "preliminary"
    observation["valueString"] = "31"
    del observation["effectiveDateTime"]

    with pytest.raises(FhirImportError) as caught:
        read_fhir(json.dumps(observation))

    text = "\n".join(caught.value.problems)
    assert "status: 'preliminary'" in text
    assert "effective[x]: missing" in text
    assert "31 is outside the phq9 total's range" in text


def test_a_lone_item_observation_is_explained() -> None:
    with pytest.raises(FhirImportError, match="an item Observation on its own is not imported"):
        read_fhir(sample("uscore-Observation-PHQ9-item-example-44250-9.json"))
