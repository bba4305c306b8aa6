"""The safety plan's steps as data: the intervention's steps in order, each with its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from holdspace.safetyplan import SafetyPlanDataError, load_steps, plan_steps


def test_the_steps_follow_the_safety_planning_intervention_in_order() -> None:
    # Stanley & Brown 2012: warning signs, internal coping, social contacts and settings
    # that distract, people to ask for help, professionals and agencies, a safer
    # environment; "what matters to me" holds the reasons for living the plan closes with.
    assert plan_steps().ids() == [
        "warning_signs",
        "on_my_own",
        "people_places",
        "ask_for_help",
        "professionals",
        "safer_surroundings",
        "what_matters",
    ]


def test_every_step_cites_a_listed_source_and_the_evidence_is_listed() -> None:
    steps = plan_steps()
    citations = " ".join(s.citation for s in steps.sources)
    assert "Stanley, B. & Brown, G. K. (2012)" in citations
    assert "JAMA Psychiatry, 75(9), 894-900" in citations
    assert all(step.source in steps.sources for step in steps.steps)


def test_the_client_edits_their_own_steps_and_the_rest_are_made_together() -> None:
    by_id = {s.id: s for s in plan_steps().steps}
    assert not by_id["professionals"].client_edits and by_id["professionals"].crisis_lines
    assert not by_id["safer_surroundings"].client_edits
    assert by_id["warning_signs"].client_edits and by_id["what_matters"].client_edits


def test_a_step_without_a_source_is_refused_naming_the_step(tmp_path: Path) -> None:
    bad = tmp_path / "steps.yaml"
    bad.write_text(
        "sources: [{id: a, citation: A, supports: b}]\n"
        "steps: [{id: x, title: X, prompt: P, client_edits: true, source: missing}]\n",
        encoding="utf-8",
    )
    with pytest.raises(SafetyPlanDataError, match="step x: source 'missing'"):
        load_steps(bad)
