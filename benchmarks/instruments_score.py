"""Benchmark: the data-driven scoring engine against a hand-written PHQ-9 scorer.

The baseline is the least a scorer can do (sum, band lookup, item-9 check) measured in the
same run on the same answer vectors; the ratio says what validation, explanations,
algorithms and the generic engine cost. Run:

    uv run python benchmarks/instruments_score.py [N]
"""

from __future__ import annotations

import random
import sys
import time
from bisect import bisect_right

from holdspace.instruments import get_instrument, score

BAND_MINS = [0, 5, 10, 15, 20]
BAND_LABELS = ["none-minimal", "mild", "moderate", "moderately severe", "severe"]


def baseline(answers: list[int]) -> tuple[int, str, bool]:
    total = sum(answers)
    return total, BAND_LABELS[bisect_right(BAND_MINS, total) - 1], answers[8] > 0


def main(count: int) -> None:
    rng = random.Random(42)
    vectors = [[rng.randint(0, 3) for _ in range(9)] for _ in range(count)]
    phq9 = get_instrument("phq9")

    start = time.perf_counter()
    expected = [baseline(v) for v in vectors]
    base = time.perf_counter() - start

    start = time.perf_counter()
    results = [score(phq9, v) for v in vectors]
    engine = time.perf_counter() - start

    # Same answers, same totals and bands: the comparison is like for like.
    assert [(r.total, r.band, r.has_risk) for r in results] == expected
    print(f"vectors: {count}")
    print(f"baseline (hand-written PHQ-9): {base * 1e6 / count:.2f} µs per administration")
    print(f"engine (score()):              {engine * 1e6 / count:.2f} µs per administration")
    print(f"ratio engine / baseline: {engine / base:.1f}x")
    print(f"engine throughput: {count / engine:,.0f} administrations per second")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
