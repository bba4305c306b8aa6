"""Local definitions: an organisation's folder, validated like the bundled files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from holdspace.instruments import (
    LOCAL_ENV,
    DefinitionError,
    all_instruments,
    get_instrument,
    load_definition,
    local_problems,
    score,
)

BUNDLED = Path(__file__).resolve().parents[3] / "holdspace" / "instruments" / "definitions"


def a_local_instrument(**changes: object) -> dict:
    """A small valid definition: three 0-2 items, summed."""
    data = {
        "id": "calm3",
        "name": "Calm-3 (an organisation's own measure)",
        "version": "2",
        "citation": "Example Clinic. Calm-3 internal measure, 2026.",
        "licence": {
            "status": "local_licence",
            "statement": "Written by Example Clinic; for internal use only.",
            "source": "Example Clinic",
        },
        "recall_period": "This week",
        "kind": "outcome",
        "direction": "higher_is_worse",
        "text_available": True,
        "option_sets": {"three": [{"value": 0, "label": "No"}, {"value": 1, "label": "Some"},
                                  {"value": 2, "label": "A lot"}]},
        "items": [
            {"id": f"calm3_{n}", "text": f"Question {n}", "short_label": f"Q{n}",
             "options": "three"}
            for n in (1, 2, 3)
        ],
        "scoring": {
            "method": "sum",
            "total": {"min": 0, "max": 6},
            "missing": {"max_missing": 0, "method": "none", "source": "Example", "verified": True},
        },
        "bands": {"source": "Example", "verified": True, "ranges": [
            {"label": "low", "min": 0, "max": 3}, {"label": "high", "min": 4, "max": 6}]},
        "caseness": None,
        "reliable_change": {"threshold": None, "source": "none published", "verified": True},
    }  # fmt: skip
    data.update(changes)
    return data


def write(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_valid_local_instrument_is_added(tmp_path: Path) -> None:
    write(tmp_path, "calm3.yaml", a_local_instrument())

    ids = [ins.id for ins in all_instruments(tmp_path)]
    result = score(get_instrument("calm3", tmp_path), [2, 2, 0])

    assert "calm3" in ids and "phq9" in ids
    assert (result.total, result.band) == (4, "high")


def test_the_environment_variable_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "calm3.yaml", a_local_instrument())
    monkeypatch.setenv(LOCAL_ENV, str(tmp_path))

    assert get_instrument("calm3").name.startswith("Calm-3")


def test_a_malformed_local_file_is_reported_and_the_rest_still_load(tmp_path: Path) -> None:
    write(tmp_path, "calm3.yaml", a_local_instrument())
    bad = a_local_instrument(id="broken")
    bad["scoring"]["missing"]["method"] = "sometimes"
    write(tmp_path, "broken.yaml", bad)

    ids = [ins.id for ins in all_instruments(tmp_path)]
    problems = local_problems(tmp_path)

    assert "calm3" in ids and "phq9" in ids and "broken" not in ids
    assert len(problems) == 1
    message = str(problems[0])
    assert message.startswith("broken.yaml: field scoring.missing.method:")
    assert "'none', 'prorate'" in message


def test_a_file_that_is_not_yaml_is_reported(tmp_path: Path) -> None:
    (tmp_path / "junk.yaml").write_text("id: [unclosed\n", encoding="utf-8")

    problems = local_problems(tmp_path)

    assert len(all_instruments(tmp_path)) == 13
    assert "junk.yaml" in str(problems[0]) and "not valid YAML" in str(problems[0])


def test_a_missing_folder_is_reported_not_fatal(tmp_path: Path) -> None:
    assert len(all_instruments(tmp_path / "nowhere")) == 13
    assert "does not exist" in str(local_problems(tmp_path / "nowhere")[0])


def test_an_edited_local_file_is_read_again(tmp_path: Path) -> None:
    path = write(tmp_path, "calm3.yaml", a_local_instrument())
    assert get_instrument("calm3", tmp_path).version == "2"

    write(tmp_path, "calm3.yaml", a_local_instrument(version="3.0.1"))

    assert get_instrument("calm3", tmp_path).version == "3.0.1"
    assert path.exists()


def test_wsas_text_can_be_supplied_locally(tmp_path: Path) -> None:
    texts = {f"wsas_{n}": f"Licensed wording {n}" for n in range(1, 6)}
    write(tmp_path, "wsas-text.yaml", {
        "supplies_text_for": "wsas", "text_source": "Licensed copy, Example Clinic", "items": texts,
    })  # fmt: skip

    wsas = get_instrument("wsas", tmp_path)

    assert wsas.text_available is True
    assert [item.text for item in wsas.items] == list(texts.values())
    assert wsas.text_source == "Licensed copy, Example Clinic"
    assert score(wsas, [1, 1, 1, 1, 1]).total == 5
    assert get_instrument("wsas").text_available is False  # the bundled copy is untouched


def test_incomplete_wsas_text_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "wsas-text.yaml", {
        "supplies_text_for": "wsas", "text_source": "Licensed", "items": {"wsas_1": "x"},
    })  # fmt: skip

    problems = local_problems(tmp_path)

    assert get_instrument("wsas", tmp_path).text_available is False
    assert "wsas-text.yaml: field items: has no text for wsas_2" in str(problems[0])


def test_shipped_wording_cannot_be_replaced_by_a_text_file(tmp_path: Path) -> None:
    write(tmp_path, "core10-text.yaml", {
        "supplies_text_for": "core10", "text_source": "Reworded", "items": {"core10_1": "x"},
    })  # fmt: skip

    problems = local_problems(tmp_path)

    assert (
        get_instrument("core10", tmp_path).items[0].text == "I have felt tense, anxious or nervous"
    )
    assert "field supplies_text_for: 'core10' is not a scoring-only" in str(problems[0])
    assert "allowed: wsas" in str(problems[0])


def test_a_local_definition_with_a_bundled_id_replaces_it(tmp_path: Path) -> None:
    k10 = yaml.safe_load((BUNDLED / "k10.yaml").read_text(encoding="utf-8"))
    k10["bands"] = {
        "source": "Andrews & Slade 2001 (CRUfAD)", "verified": True, "ranges": [
            {"label": "likely well", "min": 10, "max": 19}, {"label": "mild", "min": 20, "max": 24},
            {"label": "moderate", "min": 25, "max": 29}, {"label": "severe", "min": 30, "max": 50}],
    }  # fmt: skip
    write(tmp_path, "k10.yaml", k10)

    assert score(get_instrument("k10", tmp_path), [2] * 10).band == "mild"
    assert score("k10", [2] * 10).band == "moderate"


BROKEN = [
    ("bands with a gap", {"bands": {"source": "xyz", "verified": True, "ranges": [
        {"label": "low", "min": 0, "max": 2}, {"label": "high", "min": 4, "max": 6}]}},
     "bands.ranges[1].min: is 4 after a band ending at 2; allowed: 3"),
    ("bands not covering the range", {"bands": {"source": "xyz", "verified": True, "ranges": [
        {"label": "low", "min": 0, "max": 5}]}}, "allowed: exactly the score range 0–6"),
    ("a wrong total range", {"scoring": {"method": "sum", "total": {"min": 0, "max": 9},
        "missing": {"max_missing": 0, "method": "none", "source": "xyz", "verified": True}}},
     "scoring.total: declares 0–9 but the items and multiplier give 0–6"),
    ("an unknown reversed item", {"scoring": {"method": "sum", "reversed": ["calm3_9"],
        "total": {"min": 0, "max": 6},
        "missing": {"max_missing": 0, "method": "none", "source": "xyz", "verified": True}}},
     "scoring.reversed[0]: 'calm3_9' is not an item"),
    ("an unknown risk item", {"risk_items": [{"item": "calm3_7", "min_value": 1,
        "message": "xyz", "source": "xyz"}]}, "risk_items[0]: 'calm3_7' is not an item"),
    ("a reliable change without source", {"reliable_change": {"threshold": None,
        "source": "somewhere", "verified": True}}, "threshold null with source 'none published'"),
    ("an unknown option set", {"items": [{"id": "calm3_1", "text": "Q", "short_label": "Q1",
        "options": "five"}]}, "items[0].options: 'five' is not an option set; allowed: three"),
    ("a missing citation", {"citation": None}, "field citation: None is not of type 'string'"),
    ("an unknown field", {"colour": "blue"}, "('colour' was unexpected); allowed: algorithms,"),
    ("a source too short", {"bands": {"source": "x", "verified": True, "ranges": []}},
     "bands.source: 'x' is too short; allowed: text of at least 3 characters"),
    ("a bad kind", {"kind": "symptom"},
     "field kind: 'symptom' is not one of ['outcome', 'alliance']"),
    ("text missing while text_available", {"items": [{"id": "calm3_1", "short_label": "Q1",
        "options": "three"}]}, "items[0].text: is empty but text_available is true"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in BROKEN],
                         ids=[name for name, _, _ in BROKEN])  # fmt: skip
def test_a_broken_definition_names_the_field_and_what_is_allowed(
    tmp_path: Path, change: dict, expected: str
) -> None:
    path = write(tmp_path, "calm3.yaml", a_local_instrument(**change))

    with pytest.raises(DefinitionError) as caught:
        load_definition(path)

    assert expected in str(caught.value)
    assert str(caught.value).startswith("calm3.yaml: field ")
    assert "\n" not in str(caught.value)
