"""Did the trajectory change after an adaptation? Slopes before and after, and reliable change.

Rules (documented in docs/reviews.md):
- "before" is every score from a session earlier than the adaptation's first session;
  "after" is every score from that session on.
- Slope: ordinary least squares of score on session number, in points per session.
- Reliable change since the adaptation: latest score minus the last score before it,
  compared with the instrument's reliable-change threshold (holdspace.instruments); a
  change of at least the threshold counts as reliable.
- The comparison is shown once at least `min_sessions_after` scores exist after the
  adaptation (default 3, a product default: three points are the fewest for which a
  least-squares line is a fit rather than a line through two points).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_MIN_SESSIONS_AFTER = 3
DIRECTIONS = ("higher_is_worse", "higher_is_better")


class AdaptationInputError(ValueError):
    """Bad input to compare_adaptation; the message names the argument."""


@dataclass(frozen=True)
class AdaptationOutcome:
    start_session: int
    points_before: int
    points_after: int
    slope_before: float | None  # points per session
    slope_after: float | None
    slope_change: float | None  # after minus before
    baseline: float | None  # last score before the adaptation
    latest: float | None  # latest score after it
    change_since: float | None  # latest minus baseline
    rc_threshold: float | None
    # "reliable_improvement" | "reliable_deterioration" | "no_reliable_change" | "unknown"
    rc_status: str
    enough_data: bool
    explanation: tuple[str, ...]


def least_squares_slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Slope of y on x; None with fewer than two distinct x values."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    return sxy / sxx


def _rc_status(change: float | None, threshold: float | None, direction: str) -> str:
    if change is None or threshold is None:
        return "unknown"
    better = -change if direction == "higher_is_worse" else change
    if better >= threshold:
        return "reliable_improvement"
    if -better >= threshold:
        return "reliable_deterioration"
    return "no_reliable_change"


def _check(rc_threshold: float | None, direction: str, min_sessions_after: int) -> None:
    if direction not in DIRECTIONS:
        raise AdaptationInputError(f"direction: {direction!r}; allowed: {', '.join(DIRECTIONS)}")
    if min_sessions_after < 2:
        raise AdaptationInputError("min_sessions_after: must be at least 2 (a slope needs two)")
    if rc_threshold is not None and rc_threshold <= 0:
        raise AdaptationInputError("rc_threshold: must be a positive number or None")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}"


_STATUS_WORDS = {
    "reliable_improvement": "reliable improvement",
    "reliable_deterioration": "reliable deterioration",
    "no_reliable_change": "no reliable change yet",
    "unknown": "reliable change unknown (no published threshold)",
}


def compare_adaptation(
    points: Sequence[tuple[int, float]],
    start_session: int,
    rc_threshold: float | None,
    direction: str,
    min_sessions_after: int = DEFAULT_MIN_SESSIONS_AFTER,
) -> AdaptationOutcome:
    """Compare the trajectory before and after an adaptation that began at start_session."""
    _check(rc_threshold, direction, min_sessions_after)
    ordered = sorted((int(s), float(v)) for s, v in points)
    before = [(s, v) for s, v in ordered if s < start_session]
    after = [(s, v) for s, v in ordered if s >= start_session]
    slope_before = least_squares_slope(before)
    slope_after = least_squares_slope(after)
    change_slope = (
        None if slope_before is None or slope_after is None else slope_after - slope_before
    )
    baseline = before[-1][1] if before else None
    latest = after[-1][1] if after else None
    change = None if baseline is None or latest is None else latest - baseline
    status = _rc_status(change, rc_threshold, direction)
    enough = len(after) >= min_sessions_after
    explanation = (
        f"Before session {start_session}: {len(before)} scores, slope {_fmt(slope_before)} "
        "points per session (least squares).",
        f"From session {start_session}: {len(after)} scores, slope {_fmt(slope_after)} "
        "points per session.",
        f"Change since the adaptation: {_fmt(change)} points "
        f"(threshold {rc_threshold if rc_threshold is not None else 'none'}): "
        f"{_STATUS_WORDS[status]}.",
        "Enough data to compare."
        if enough
        else f"Shown after {min_sessions_after} scores from session {start_session}; "
        f"{len(after)} so far.",
    )
    return AdaptationOutcome(
        start_session=start_session,
        points_before=len(before),
        points_after=len(after),
        slope_before=slope_before,
        slope_after=slope_after,
        slope_change=change_slope,
        baseline=baseline,
        latest=latest,
        change_since=change,
        rc_threshold=rc_threshold,
        rc_status=status,
        enough_data=enough,
        explanation=explanation,
    )
