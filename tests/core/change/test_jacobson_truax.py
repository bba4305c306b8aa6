from __future__ import annotations

import math

import pytest

from holdspace import change


def test_rci_matches_formula():
    # SD 7.5, r .88: S_diff = 7.5 * sqrt(2) * sqrt(.12) = 3.674; RC for a 10-point drop = -2.72
    sdiff = change.s_diff(7.5, 0.88)
    assert sdiff == pytest.approx(7.5 * math.sqrt(2) * math.sqrt(0.12))
    assert change.reliable_change_index(20, 10, 7.5, 0.88) == pytest.approx(-10 / sdiff)
    assert change.minimum_reliable_change(7.5, 0.88) == pytest.approx(1.96 * sdiff)
    assert change.minimum_reliable_change(7.5, 0.88, round_up=True) == 8.0


def test_rci_worked_example_sd_7_6_r_95():
    # Reference §15 [src:flipbuilder-jt]: SD 7.6, r .95. SE = 7.6 * sqrt(.05) = 1.6994;
    # S_diff = sqrt(2 * 1.6994^2) = 2.4033; 1.96 * S_diff = 4.7105, rounded up 5.
    assert change.standard_error(7.6, 0.95) == pytest.approx(1.6994, abs=1e-4)
    assert change.s_diff(7.6, 0.95) == pytest.approx(2.4033, abs=1e-4)
    assert change.minimum_reliable_change(7.6, 0.95) == pytest.approx(4.7105, abs=1e-4)
    assert change.minimum_reliable_change(7.6, 0.95, round_up=True) == 5.0
    # A 5-point drop: RC = -5 / 2.4033 = -2.08, beyond 1.96.
    assert change.reliable_change_index(20, 15, 7.6, 0.95) == pytest.approx(-2.0804, abs=1e-4)


def test_bad_reliability_is_refused():
    with pytest.raises(ValueError, match="reliability"):
        change.s_diff(5, 1.0)
    with pytest.raises(ValueError, match="sd_pre"):
        change.s_diff(0, 0.8)


@pytest.mark.parametrize(
    ("first", "last", "direction", "expected"),
    [
        (15, 9, "higher_is_worse", "improved"),  # exactly the threshold
        (15, 10, "higher_is_worse", "no_reliable_change"),  # one below
        (9, 15, "higher_is_worse", "deteriorated"),
        (40, 46, "higher_is_better", "improved"),  # WHO-5 style: up is better
        (46, 40, "higher_is_better", "deteriorated"),
        (46, 41, "higher_is_better", "no_reliable_change"),
    ],
)
def test_reliable_change_direction(first, last, direction, expected):
    assert change.reliable_change(first, last, 6, direction) == expected


def test_cutoffs_follow_direction():
    # Cut-off a: clinical M 20, SD 4 -> 12 (worse-is-higher) or 28 (better-is-higher).
    assert change.cutoff_a(20, 4, "higher_is_worse") == 12
    assert change.cutoff_a(20, 4, "higher_is_better") == 28
    assert change.cutoff_b(5, 3, "higher_is_worse") == 11
    assert change.cutoff_b(5, 3, "higher_is_better") == -1
    # c = (s0*M1 + s1*M0)/(s0+s1) = (3*20 + 4*5)/7
    assert change.cutoff_c(5, 3, 20, 4) == pytest.approx(80 / 7)


def test_cutoff_c_core10_norms():
    # Reference §11 / test vector JT-4: functional M 4.7 (SD 4.8), clinical M 19.7 (SD 7.7):
    # c = (4.8 * 19.7 + 7.7 * 4.7) / 12.5 = 10.46 (the published CORE-10 cut-off is 11).
    # Weighting each mean by its own SD instead would give 13.94, so this pins the cross-weights.
    assert change.cutoff_c(4.7, 4.8, 19.7, 7.7) == pytest.approx(10.46, abs=1e-9)


def test_classify():
    kw = {"threshold": 6, "direction": "higher_is_worse", "cutoff": 10}
    assert change.classify(15, 9, **kw) == "recovered"
    assert change.classify(22, 14, **kw) == "improved"  # reliable, still above the cut-off
    assert change.classify(15, 12, **kw) == "unchanged"
    assert change.classify(8, 14, **kw) == "deteriorated"
    assert change.classify(15, 9, threshold=6, direction="higher_is_worse") == "improved"
    # Higher is better (e.g. WHO-5): caseness <= cut-off 28
    assert (
        change.classify(20, 40, threshold=10, direction="higher_is_better", cutoff=28)
        == "recovered"
    )
