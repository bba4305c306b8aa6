"""Every rule in rules.yaml is documented in docs/signals.md and carries a source."""

from __future__ import annotations

import re
from pathlib import Path

from holdspace.signals import rules
from holdspace.signals.model import KIND_ORDER, SEVERITY_ORDER

DOC = Path(__file__).resolve().parents[3] / "docs" / "signals.md"
BANNED = re.compile(r"resistan|non-?complian|fail(ed|ure)? client|manipulat|unmotivated|drop-?out")


def test_every_rule_is_documented():
    text = DOC.read_text()
    documented = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", text, flags=re.MULTILINE))
    assert documented == set(rules()), "docs/signals.md table and rules.yaml differ"


def test_every_rule_and_threshold_has_a_source():
    for rule in rules().values():
        assert len(rule.source) > 20, rule.id
        assert rule.kind in KIND_ORDER and rule.severity in SEVERITY_ORDER
        for name, threshold in rule.thresholds.items():
            assert len(threshold.source) > 10, (rule.id, name)


def test_every_kind_has_a_rule_and_titles_match_design():
    titles = {r.kind: r.title for r in rules().values()}
    assert set(titles) == set(KIND_ORDER)
    assert titles["safety"] == "Safety follow-up"
    assert titles["deterioration"] == "Getting worse — review now"
    assert titles["not_on_track"] == "Review suggested"
    assert titles["alliance"] == "Check in about the relationship"
    assert titles["attendance"] == "Attendance changed"
    assert titles["measurement_gap"] == "No recent check-in"


def test_rule_text_uses_the_product_voice():
    for rule in rules().values():
        assert not BANNED.search((rule.title + rule.description).lower()), rule.id
