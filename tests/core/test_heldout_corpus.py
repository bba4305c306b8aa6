"""The held-out language corpus is well formed: classes, labels and exact offsets.

This test checks the corpus file only. It never asserts the linter's scores on it: the
corpus is a yardstick the rules are not tuned on (tests/fixtures/language_heldout/README.md).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "tests" / "fixtures" / "language_heldout"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build = _script("heldout_build")
evaluation = _script("heldout_eval")


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    data = yaml.safe_load((FOLDER / "heldout.yaml").read_text(encoding="utf-8"))
    assert data["version"] == 1
    return list(data["items"])


def test_corpus_is_large_enough(items: list[dict[str, Any]]) -> None:
    assert len(items) >= 350


def test_every_item_has_the_fields_and_nothing_else(items: list[dict[str, Any]]) -> None:
    for item in items:
        assert set(item) <= {"id", "text", "category", "labels", "info_ok"}, item["id"]
        assert {"id", "text", "category", "labels"} <= set(item), item
        assert isinstance(item["text"], str) and item["text"].strip() == item["text"]
        assert item["category"] in build.CLASSES, item["id"]
        assert isinstance(item["labels"], list), item["id"]
        assert item.get("info_ok", True) is True, item["id"]
        if item.get("info_ok"):
            assert item["labels"] == [], f"{item['id']}: info_ok items have no warning spans"


def test_ids_are_unique_and_follow_the_class(items: list[dict[str, Any]]) -> None:
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids))
    for item in items:
        assert re.fullmatch(rf"{build.PREFIX[item['category']]}-\d{{3}}", item["id"]), item["id"]


def test_offsets_are_exact(items: list[dict[str, Any]]) -> None:
    for item in items:
        previous_end = 0
        for label in item["labels"]:
            assert set(label) == {"start", "end", "text", "kind"}, item["id"]
            start, end = label["start"], label["end"]
            assert 0 <= previous_end <= start < end <= len(item["text"]), item["id"]
            assert item["text"][start:end] == label["text"], item["id"]
            assert label["text"].strip() == label["text"], item["id"]
            assert label["kind"] in build.KINDS, item["id"]
            previous_end = end


def test_every_class_has_positives_and_hard_negatives(items: list[dict[str, Any]]) -> None:
    total = Counter(item["category"] for item in items)
    positive = Counter(item["category"] for item in items if item["labels"])
    for klass in build.CLASSES:
        assert total[klass] >= 25, klass
        assert positive[klass] >= 10, klass
        assert total[klass] - positive[klass] >= 10, klass


def test_no_sentence_is_repeated(items: list[dict[str, Any]]) -> None:
    texts = Counter(item["text"] for item in items)
    assert [t for t, n in texts.items() if n > 1] == []


def test_a_neutral_declined_is_never_labelled(items: list[dict[str, Any]]) -> None:
    for item in items:
        for label in item["labels"]:
            assert not label["text"].lower().startswith("declin"), item["id"]


def test_yaml_is_built_from_the_source() -> None:
    source = (FOLDER / "sentences.txt").read_text(encoding="utf-8")
    assert build.render(build.build(source)) == (FOLDER / "heldout.yaml").read_text(
        encoding="utf-8"
    ), "heldout.yaml is out of date: run scripts/heldout_build.py"


def test_the_readme_counts_match_the_corpus(items: list[dict[str, Any]]) -> None:
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    total = Counter(item["category"] for item in items)
    positive = Counter(item["category"] for item in items if item["labels"])
    for klass in build.CLASSES:
        negative = total[klass] - positive[klass]
        row = f"| `{klass}` | {total[klass]} | {positive[klass]} | {negative} |"
        assert row in readme, row
    assert f"**{len(items)}** sentences" in readme


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("He is [[fine|nice]].", "kind 'nice'"),
        ("He is [[fine|label].", "unbalanced"),
    ],
)
def test_build_rejects_bad_markup(line: str, message: str) -> None:
    with pytest.raises(build.SourceError, match=message):
        build.build(f"@class label\n{line}\n")


def test_build_rejects_an_unknown_class() -> None:
    with pytest.raises(build.SourceError, match="class 'labels' is not one of"):
        build.build("@class labels\nHe is fine.\n")


def test_build_computes_offsets_after_earlier_spans() -> None:
    (item,) = build.build("@class label\n[[A|label]] and “[[bc|doubt]]” x\n")
    assert item["text"] == "A and “bc” x"
    assert [(lab["start"], lab["end"]) for lab in item["labels"]] == [(0, 1), (7, 9)]


def test_scoring_counts_overlaps_misses_and_false_positives() -> None:
    items = [
        evaluation.Item("a", "x is bad and sad", "label", ((5, 8), (13, 16)), False),
        evaluation.Item("b", "nothing here", "mention", (), False),
    ]
    # one warning overlaps the first span, one misses everything; the second item gets one.
    result = evaluation.score(items, [[(6, 7), (0, 1)], [(0, 7)]])
    assert (result.overall.spans, result.overall.found) == (2, 1)
    assert (result.overall.findings, result.overall.false_positives) == (3, 2)
    assert result.overall.recall == 0.5
    assert result.overall.precision == pytest.approx(1 / 3)
    assert result.by_class["mention"].recall is None
    assert [m["id"] for m in result.misses] == ["a", "b"]
