"""`holdspace instruments from-fhir`: a draft that `instruments check` refuses until a
person fills in the scoring rule and the sources, then accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from holdspace.cli import app
from holdspace.instruments import load_definition, score
from holdspace.interop import FhirImportError, draft_definition
from tests.core.interop.samples import SHARED, sample

runner = CliRunner()


def fill_in(text: str) -> dict:
    """What a person adds from the PHQ-9's published sources (Kroenke et al. 2001)."""
    data = yaml.safe_load(text)
    data["citation"] = "Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16:606-613."
    data["licence"].update(
        status="public_domain",
        statement="No permission is required to reproduce, translate, display or distribute.",
        source="phqscreeners.com",
    )
    data["recall_period"] = "Over the last 2 weeks"
    data["direction"] = "higher_is_worse"
    data["text_available"] = True
    data["text_source"] = "PHQ-9 as published by Pfizer (public domain)"
    data["scoring"]["method"] = "sum"
    scored = [i["id"] for i in data["items"] if i.get("loinc") != "69722-7"]
    data["scoring"]["items"] = scored
    data["scoring"]["total"] = {"min": 0, "max": 27}
    data["scoring"]["missing"]["source"] = "No published prorating rule"
    data["bands"] = {
        "source": "Kroenke et al. 2001",
        "verified": True,
        "ranges": [
            {"label": "none-minimal", "min": 0, "max": 4},
            {"label": "mild", "min": 5, "max": 27},
        ],
    }
    data["reliable_change"]["source"] = "none published"
    return data


@pytest.mark.parametrize(
    "name",
    [
        "lforms-phq9-Questionnaire.json",
        "cirg-PHQ-9-Questionnaire.json",
        "uscore-Questionnaire-phq-9-example.json",
    ],
)
def test_a_draft_is_refused_until_filled_in_then_accepted(name, tmp_path: Path) -> None:
    if not (SHARED / name).is_file():
        pytest.skip(f"public FHIR sample {name} not found in ../shared/fhir-samples")
    draft_path = tmp_path / "draft.yaml"

    made = runner.invoke(
        app, ["instruments", "from-fhir", str(SHARED / name), "-o", str(draft_path)]
    )
    refused = runner.invoke(app, ["instruments", "check", str(draft_path)])

    assert made.exit_code == 0, made.output
    assert "Fill in before use" in made.stderr and "scoring.method" in made.stderr
    assert refused.exit_code == 1 and refused.stderr.startswith("Error:")

    filled = tmp_path / "filled.yaml"
    filled.write_text(yaml.safe_dump(fill_in(draft_path.read_text())))
    accepted = runner.invoke(app, ["instruments", "check", str(filled)])

    assert accepted.exit_code == 0, accepted.output
    assert "OK: filled.yaml" in accepted.stdout


def test_the_draft_keeps_loinc_codes_and_ordinal_values() -> None:
    draft = draft_definition(sample("lforms-phq9-Questionnaire.json"))
    data = yaml.safe_load(draft.yaml_text)

    assert data["loinc"]["panel"] == "44249-1" and data["loinc"]["total"] == "44261-6"
    codes = [i.get("loinc") for i in data["items"]]
    assert codes[:2] == ["44250-9", "44255-8"] and codes[-1] == "69722-7"
    first = data["option_sets"][data["items"][0]["options"]]
    assert [(o["value"], o["loinc_answer"]) for o in first] == [
        (0, "LA6568-5"), (1, "LA6569-3"), (2, "LA6570-1"), (3, "LA6571-9"),
    ]  # fmt: skip
    assert any("69722-7" in line and "no ordinalValue" in line for line in draft.to_fill)


def test_a_filled_in_draft_scores_like_the_shipped_definition(tmp_path: Path) -> None:
    draft = draft_definition(sample("cirg-PHQ-9-Questionnaire.json"))
    path = tmp_path / "local.yaml"
    path.write_text(yaml.safe_dump(fill_in(draft.yaml_text)))
    local = load_definition(path)
    answers = [2, 2, 2, 2, 1, 1, 2, 0, 0, 1]

    assert score(local, answers).total == score("phq9", answers).total == 12


def test_a_file_that_is_not_a_questionnaire_is_named() -> None:
    with pytest.raises(FhirImportError, match="give a FHIR Questionnaire"):
        draft_definition(b'{"resourceType": "Patient"}')


def test_the_cli_never_overwrites_a_file(tmp_path: Path) -> None:
    target = tmp_path / "exists.yaml"
    target.write_text("keep me")
    source = tmp_path / "q.json"
    source.write_text('{"resourceType": "Questionnaire", "item": []}')

    done = runner.invoke(app, ["instruments", "from-fhir", str(source), "-o", str(target)])

    assert done.exit_code == 1 and target.read_text() == "keep me"
