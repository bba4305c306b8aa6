"""Suggestions keep the sentence right: grammatical replacements (cases in suggestions.yaml),
placeholders only in hints, no added interpretation, and messages that label no one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from holdspace.language import LintError, apply_suggestion, default_rules, lint
from holdspace.language.rules import build

CASES = yaml.safe_load(Path(__file__).with_name("suggestions.yaml").read_text("utf-8"))["cases"]
# Words that would make a replacement interpret rather than re-describe what was written.
INTERPRETING = re.compile(
    r"\b(?:may|might|perhaps|probably|likely|reflects?|fears?|wants?|needs?|because|seems?|"
    r"trauma|protective|abandonment|ready)\b",
    re.IGNORECASE,
)
# A "why" that generalises about a group of people by a diagnosis or a state labels them
# ("common for people with BPD"); person-first wording in a suggestion is the remedy, not this.
GROUP_LABEL = re.compile(
    r"\b(?:common|typical|usual|frequent)\w* (?:for|in|among) "
    r"(?:people|persons|those|patients|clients)\b",
    re.IGNORECASE,
)
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|'[^']*'")


@pytest.mark.parametrize("case", CASES, ids=[f"{c['rule']}: {c['text']}" for c in CASES])
def test_applying_each_replacement_gives_the_expected_sentence(case: dict[str, object]) -> None:
    text = str(case["text"])
    (finding,) = [f for f in lint(text) if f.rule == case["rule"]]

    applied = [apply_suggestion(text, r.start, r.end, r.text) for r in finding.replacements]

    assert applied == case["applied"]
    assert finding.suggestions == tuple(r.text for r in finding.replacements)


def test_every_rule_with_replacements_has_a_case() -> None:
    with_replace = {rule.id for rule in default_rules().rules if rule.replace}
    assert with_replace <= {str(c["rule"]) for c in CASES}


@pytest.mark.parametrize("rule", default_rules().rules, ids=lambda r: r.id)
def test_replacements_add_no_interpretation(rule) -> None:  # type: ignore[no-untyped-def]
    for replace in rule.replace:
        for _, text in replace.forms:
            assert not INTERPRETING.search(text), f"{rule.id}: {text!r}"


@pytest.mark.parametrize("rule", default_rules().rules, ids=lambda r: r.id)
def test_the_linters_own_messages_label_no_one(rule) -> None:  # type: ignore[no-untyped-def]
    # Quoted words are the rule's own terms, mentioned on purpose; the rest must be clean.
    assert not GROUP_LABEL.search(rule.why), f"{rule.id}: {rule.why!r}"
    for message in (rule.why, *rule.alternatives):
        prose = QUOTED.sub("", message)
        assert [f.rule for f in lint(prose) if f.level == "warn"] == [], f"{rule.id}: {message!r}"


def test_a_placeholder_in_a_replacement_is_refused() -> None:
    data = {
        "categories": {"blame": "Blame"},
        "rules": [
            {
                "id": "x",
                "lexicon": [1],
                "category": "blame",
                "level": "warn",
                "patterns": ["xyzzy"],
                "why": "w",
                "alternatives": ["a"],
                "source": ["S"],
                "replace": [{"any": "did not take <medication>"}],
            }
        ],
    }
    with pytest.raises(LintError, match="placeholder"):
        build(data)


def test_hints_are_never_written_into_the_text() -> None:
    (finding,) = lint("He is treatment-resistant.")

    assert finding.replacements == ()
    assert any("(list them)" in hint for hint in finding.hints)
