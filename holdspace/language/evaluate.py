"""Precision and recall of the linter on a labelled corpus (reference/language.md §4).

A corpus item is a sentence with the full set of rules it should produce ("rule" or
"rule:level"). Each produced (rule, level) pair is a true positive when it matches an expected
entry, otherwise a false positive; each unmatched expected entry is a false negative. Counts are
kept per category of the rule and overall.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from holdspace.language.engine import lint
from holdspace.language.rules import RuleSet, default_rules


@dataclass(frozen=True)
class Case:
    text: str
    expect: tuple[str, ...]  # "rule" or "rule:level"
    about: str  # the rule or context rule this case exercises
    positive: bool


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _cases(section: dict[str, Any]) -> Iterable[Case]:
    for about, groups in section.items():
        for positive, key in ((True, "pos"), (False, "neg")):
            for item in groups.get(key, []):
                if isinstance(item, str):
                    yield Case(item, (about,) if positive else (), about, positive)
                else:
                    yield Case(item["text"], tuple(item.get("expect", [])), about, positive)


def load_corpus(path: Path) -> tuple[Case, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(_cases(data.get("rules", {}))) + tuple(_cases(data.get("context", {})))


def _matches(expected: str, rule: str, level: str) -> bool:
    name, _, want = expected.partition(":")
    return name == rule and (not want or want == level)


def compare(expect: tuple[str, ...], produced: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """(unexpected rule ids, missing expected entries) for one case."""
    missing = [e for e in expect if not any(_matches(e, r, lv) for r, lv in produced)]
    extra = [r for r, lv in sorted(produced) if not any(_matches(e, r, lv) for e in expect)]
    return extra, missing


Linter = Callable[[str], set[tuple[str, str]]]


def _ours(text: str) -> set[tuple[str, str]]:
    return {(f.rule, f.level) for f in lint(text)}


def evaluate(
    cases: Iterable[Case], rules: RuleSet | None = None, linter: Linter = _ours
) -> dict[str, Score]:
    """Scores per category plus "overall"."""
    rules = rules or default_rules()
    category = {rule.id: rule.category for rule in rules.rules}
    counts: dict[str, list[int]] = {}

    def add(rule_id: str, index: int) -> None:
        for key in (category.get(rule_id, "unknown"), "overall"):
            counts.setdefault(key, [0, 0, 0])[index] += 1

    for case in cases:
        produced = linter(case.text)
        extra, missing = compare(case.expect, produced)
        for rule_id, _ in produced:
            if rule_id not in extra:
                add(rule_id, 0)
        for rule_id in extra:
            add(rule_id, 1)
        for entry in missing:
            add(entry.partition(":")[0], 2)
    return {key: Score(*value) for key, value in sorted(counts.items())}
