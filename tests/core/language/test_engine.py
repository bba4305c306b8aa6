"""Engine behaviour: positions, frozen findings, config, inline directives, bad rules."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from holdspace.language import (
    ConfigError,
    LintError,
    apply_suggestion,
    default_rules,
    lint,
    parse_config,
)
from holdspace.language.rules import build


def test_positions_are_one_based_with_exclusive_end() -> None:
    text = "Seen today.\nHe  refused the scan."
    (finding,) = lint(text)

    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (2, 5, 2, 12)
    assert text[finding.start : finding.end] == finding.text == "refused"


def test_findings_are_frozen() -> None:
    (finding,) = lint("He refused.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.level = "info"  # type: ignore[misc]


def test_inflections_and_hyphenation_variants_match() -> None:
    for text in ("non-compliant", "noncompliant", "non compliant", "Non-Compliance"):
        assert [f.rule for f in lint(f"Client is {text}.")] == ["non-compliant"], text
    for text in ("refuse", "refuses", "refused", "refusing", "refusal"):
        assert [f.rule for f in lint(f"Noted: {text}.")] == ["refused"], text
    assert [f.rule for f in lint("A frequent-flyer.")] == ["frequent-flyer"]


def test_config_switches_rules_off_and_changes_levels() -> None:
    config = parse_config({"disable": ["refused"], "levels": {"claims": "info", "addict": "off"}})

    found = {(f.rule, f.level) for f in lint("He refused; he claims to be an addict.", config)}

    assert found == {("claims", "info")}


def test_config_can_switch_off_a_whole_category() -> None:
    config = parse_config({"disable": ["doubt"]})
    assert lint("She claims and insists.", config) == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"disable": ["nope"]}, "config.disable: unknown rule or category 'nope'"),
        ({"levels": {"refused": "loud"}}, "config.levels.refused: 'loud' is not one of"),
        ({"colour": 1}, "config: unknown key 'colour'"),
        ([1], "config: expected a mapping"),
    ],
)
def test_bad_config_names_the_field(data: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(data)


def test_inline_disable_and_enable() -> None:
    text = (
        "He refused.\n<!-- holdspace-lint: disable refused -->\nHe refused.\n"
        "<!-- holdspace-lint: enable refused -->\nHe refused."
    )
    assert [f.line for f in lint(text)] == [1, 5]


def test_inline_ignore_without_ids_silences_every_rule_on_the_next_line() -> None:
    text = "# holdspace-lint: ignore\nHe refused and claims it hurts.\nHe refused."
    assert [f.line for f in lint(text)] == [3]


def test_rules_file_errors_name_the_rule_and_field() -> None:
    data = {"categories": {"x": "X"}, "rules": [{"id": "a", "category": "x", "level": "warn"}]}
    with pytest.raises(LintError, match="rule a: field 'why' is required"):
        build(data)


def test_rules_compile_into_one_pattern_with_one_group_per_word_rule() -> None:
    rules = default_rules()
    assert rules.combined.groups == len([r for r in rules.rules if r.kind == "words"])
    assert default_rules() is rules  # compiled once per process


def test_apply_suggestion_replaces_the_span() -> None:
    (finding,) = lint("She refused the task.")
    new = apply_suggestion("She refused the task.", finding.start, finding.end, "declined")
    assert new == "She declined the task."
    with pytest.raises(ValueError, match="outside the text"):
        apply_suggestion("abc", 2, 9, "x")


@given(st.text(max_size=300))
def test_lint_never_crashes_and_spans_are_inside_the_text(text: str) -> None:
    for f in lint(text):
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text


def test_a_two_thousand_word_note_gives_one_finding_per_sentence() -> None:
    # Its speed is measured in benchmarks/lint_bench.py, not asserted here.
    sentence = "Client reports better sleep; she refused the exposure task but agreed to try. "
    note = sentence * (2000 // len(sentence.split()))

    found = lint(note)

    assert [f.rule for f in found] == ["refused"] * note.count("refused")


def test_two_letter_dispatch_finds_what_the_combined_regex_finds() -> None:
    from pathlib import Path

    from holdspace.language.engine import candidates
    from holdspace.language.evaluate import load_corpus

    rules = default_rules()
    texts = [c.text for c in load_corpus(Path(__file__).with_name("corpus.yaml"))]
    dev = Path(__file__).parents[2] / "fixtures" / "language_dev" / "dev.yaml"
    texts += [c.text for c in load_corpus(dev)]
    texts.append(" ".join(texts))
    for text in texts:
        expected = [(m.span(), m.lastgroup) for m in rules.combined.finditer(text)]
        assert [(m.span(), m.lastgroup) for m in candidates(rules, text)] == expected, text


def test_unicode_hyphens_and_curly_apostrophes_match() -> None:
    assert [f.rule for f in lint("Client is non\u2010compliant.")] == ["non-compliant"]
    assert [f.rule for f in lint("She\u2019s so borderline.")] == ["borderline-label"]
