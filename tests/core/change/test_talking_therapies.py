from __future__ import annotations

import pytest

from holdspace.change import (
    Score,
    TalkingTherapiesConfig,
    talking_therapies_outcome,
    wilson_interval,
)
from tests.core.change.golden_cases import FLAGS, load_cases

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case(case):
    scores = [Score(s, i, None if t is None else float(t)) for s, i, t in case["rows"]]
    config = TalkingTherapiesConfig(**case.get("config", {}))
    outcome = talking_therapies_outcome(scores, config).to_dict()
    assert {k: outcome[k] for k in FLAGS} == case["expect"]


def test_every_flag_is_exercised_both_ways():
    # The golden file must hit each flag true and false at least once.
    for flag in FLAGS:
        seen = {c["expect"][flag] for c in CASES}
        assert {True, False} <= seen, flag


def test_thresholds_are_parameters():
    scores = [
        Score(1, "phq9", 15.0),
        Score(1, "gad7", 10.0),
        Score(2, "phq9", 10.0),
        Score(2, "gad7", 7.0),
    ]
    strict = talking_therapies_outcome(scores)
    lenient = talking_therapies_outcome(
        scores, TalkingTherapiesConfig(depression_reliable_change=5, depression_caseness=11)
    )
    assert strict.reliable_improvement is False and strict.recovered is False
    assert lenient.reliable_improvement is True and lenient.recovered is True


def test_every_default_has_a_source():
    config = TalkingTherapiesConfig()
    for name in (
        "depression_caseness",
        "anxiety_caseness",
        "depression_reliable_change",
        "anxiety_reliable_change",
        "reliable_improvement_rule",
        "deterioration_rule",
        "finished_min_sessions",
    ):
        assert config.sources[name]


def test_wilson_interval_known_values():
    # Wilson 1927; 8/10 -> (0.4902, 0.9433) as tabulated by Newcombe 1998 (Stat Med 17:857).
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 0) is None
    low0, high0 = wilson_interval(0, 10)
    assert low0 == 0.0 and high0 == pytest.approx(0.2775, abs=1e-4)


def test_wilson_interval_refuses_impossible_counts():
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(11, 10)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(-1, 10)
    with pytest.raises(ValueError, match="n must"):
        wilson_interval(0, -1)
