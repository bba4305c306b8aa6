"""Properties of the before/after comparison that hold for any data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from holdspace.reviews import compare_adaptation, least_squares_slope

sessions = st.lists(st.integers(1, 60), min_size=2, max_size=20, unique=True)


@given(sessions, st.integers(-5, 5), st.integers(0, 30))
def test_points_on_a_line_give_its_slope(xs: list[int], slope: int, intercept: int) -> None:
    points = [(x, float(intercept + slope * x)) for x in xs]
    assert least_squares_slope(points) == pytest.approx(slope, abs=1e-9)


@given(
    st.lists(st.tuples(st.integers(1, 40), st.integers(0, 27)), min_size=1, max_size=30),
    st.integers(1, 41),
    st.sampled_from([None, 4.0, 6.0]),
)
def test_order_does_not_matter_and_direction_mirrors_the_status(
    raw: list[tuple[int, int]], start: int, threshold: float | None
) -> None:
    points = list({s: (s, float(v)) for s, v in raw}.values())
    worse = compare_adaptation(points, start, threshold, "higher_is_worse", 3)
    shuffled = compare_adaptation(list(reversed(points)), start, threshold, "higher_is_worse", 3)
    better = compare_adaptation(points, start, threshold, "higher_is_better", 3)

    assert worse == shuffled
    mirror = {
        "reliable_improvement": "reliable_deterioration",
        "reliable_deterioration": "reliable_improvement",
    }
    assert better.rc_status == mirror.get(worse.rc_status, worse.rc_status)
    assert worse.points_before + worse.points_after == len(points)
    assert worse.enough_data == (worse.points_after >= 3)
