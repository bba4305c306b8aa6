"""The library as a whole: the public API, completeness of every definition, the docs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import holdspace.instruments as instruments
from holdspace.instruments import all_instruments, get_instrument, markdown_table

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "instruments.md"
GOLDEN = Path(__file__).parent / "golden"
EXPECTED_IDS = {
    "phq9", "phq2", "gad7", "gad2", "pcl5", "itq", "who5", "k10", "dass21", "phq15",
    "core10", "waisr", "wsas",
}  # fmt: skip
ALL = all_instruments()
IDS = [ins.id for ins in ALL]


def test_the_bundled_library_is_exactly_the_shippable_set() -> None:
    assert set(IDS) == EXPECTED_IDS
    assert sorted(IDS) == IDS


def test_instruments_we_may_not_ship_are_absent() -> None:
    assert not {"ors", "srs", "cssrs", "c_ssrs"} & set(IDS)


def test_all_is_sorted_and_names_only_real_members() -> None:
    assert instruments.__all__ == sorted(instruments.__all__)
    for name in instruments.__all__:
        assert hasattr(instruments, name), name


def test_contract_names_are_exported() -> None:
    for name in (
        "SKIP", "get_instrument", "all_instruments", "score", "InstrumentError",
        "AnswerError", "UnknownInstrumentError", "DefinitionError",
    ):  # fmt: skip
        assert name in instruments.__all__
    assert instruments.SKIP == "skip"
    assert issubclass(instruments.AnswerError, instruments.InstrumentError)
    assert issubclass(instruments.UnknownInstrumentError, instruments.InstrumentError)
    assert issubclass(instruments.DefinitionError, instruments.InstrumentError)


def test_the_core_library_never_imports_django() -> None:
    for path in (ROOT / "holdspace" / "instruments").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), path.name


@pytest.mark.parametrize("ins", ALL, ids=IDS)
def test_every_instrument_is_cited_licensed_and_documented(ins: instruments.Instrument) -> None:
    assert len(ins.citation) > 20
    assert ins.licence.status and len(ins.licence.statement) > 20 and ins.licence.source
    rc = ins.reliable_change
    assert rc.source.strip()
    assert rc.threshold is not None or rc.source.startswith("none published")
    assert (GOLDEN / f"{ins.id}.yaml").is_file(), "golden cases missing"
    assert f"### {ins.id}\n" in DOCS.read_text(encoding="utf-8"), "docs section missing"


@pytest.mark.parametrize("ins", ALL, ids=IDS)
def test_every_rule_carries_a_source(ins: instruments.Instrument) -> None:
    assert ins.missing.source
    assert ins.bands_source
    if ins.caseness is not None:
        assert ins.caseness.source
    for risk in ins.risk:
        assert risk.source and risk.message
    for algorithm in ins.algorithms:
        assert algorithm.source


@pytest.mark.parametrize("ins", ALL, ids=IDS)
def test_items_have_labels_options_and_text_when_shipped(ins: instruments.Instrument) -> None:
    assert [item.number for item in ins.items] == list(range(1, len(ins.items) + 1))
    for item in ins.items:
        assert item.short_label and item.options
        assert (item.text is not None) == ins.text_available


@pytest.mark.parametrize("doc", [DOCS, ROOT / "README.md"], ids=lambda p: p.name)
def test_the_docs_table_matches_the_definitions(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    match = re.search(
        r"<!-- instrument-table:start -->\n(.*?)\n<!-- instrument-table:end -->", text, re.S
    )

    assert match is not None
    assert match.group(1) == markdown_table(ALL)


def test_risk_items_match_the_reference() -> None:
    assert get_instrument("phq9").risk_items == ["phq9_9"]
    assert get_instrument("core10").risk_items == ["core10_6"]
    others = [ins.id for ins in ALL if ins.risk_items and ins.id not in {"phq9", "core10"}]
    assert others == []


def test_wsas_ships_no_item_text() -> None:
    wsas = get_instrument("wsas")

    assert wsas.text_available is False
    assert all(item.text is None for item in wsas.items)
    assert wsas.licence.status == "scoring_only"


def test_unverified_values_are_flagged() -> None:
    assert "missing" in get_instrument("phq9").unverified
    assert {"caseness", "reliable_change"} <= set(get_instrument("pcl5").unverified)
    assert "bands" in get_instrument("core10").unverified
    assert "reliable_change" not in get_instrument("core10").unverified


def test_unknown_instrument_lists_the_known_ones() -> None:
    with pytest.raises(instruments.UnknownInstrumentError, match="known instruments: core10"):
        get_instrument("ors")


def test_contract_fields_exist() -> None:
    phq9 = get_instrument("phq9")

    assert phq9.direction == "higher_is_worse" and phq9.kind == "outcome"
    assert (phq9.total_min, phq9.total_max) == (0, 27)
    assert phq9.loinc_panel == "44249-1" and phq9.loinc_total == "44261-6"
    assert phq9.items[8].loinc == "44260-8"
    assert phq9.items[0].options[3].loinc_answer == "LA6571-9"
    assert phq9.caseness is not None and phq9.caseness.threshold == 10
    assert phq9.reliable_change.threshold == 6
    assert get_instrument("waisr").kind == "alliance"
    assert get_instrument("who5").direction == "higher_is_better"
