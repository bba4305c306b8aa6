"""Benchmark the review card library: cached load vs parsing the files every time.

    uv run python benchmarks/review_cards.py [--repeat 50]

Baseline (same run): load_cards() with the file cache cleared before each call, i.e. YAML
parsing plus JSON Schema validation of every card file. Measured: load_cards() with the
cache warm (the files are only stat'ed), and assemble() for all six signal kinds. Prints
milliseconds per call and the speed-up ratio baseline / cached.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from holdspace.reviews import ReviewContext, assemble, load_cards
from holdspace.reviews.cards import SIGNAL_KINDS, _load_cards, _load_sources


def _ms(fn: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat * 1000


def _uncached() -> object:
    _load_cards.cache_clear()
    _load_sources.cache_clear()
    return load_cards(local_dir="")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    repeat = parser.parse_args().repeat
    baseline = _ms(_uncached, repeat)
    load_cards(local_dir="")
    cached = _ms(lambda: load_cards(local_dir=""), repeat)
    signals = [{"kind": k, "severity": "review"} for k in SIGNAL_KINDS]
    context = ReviewContext(unacknowledged_risk=True, alliance_drops=1, life_events=("x",))
    assembly = _ms(lambda: assemble(signals, context, load_cards(local_dir="")), repeat)
    print(f"parse every time (baseline): {baseline:8.2f} ms per load")
    print(f"cached load:                 {cached:8.2f} ms per load")
    print(f"assemble, all six kinds:     {assembly:8.2f} ms per review (cached cards)")
    print(f"ratio baseline / cached:     {baseline / cached:8.1f}x")


if __name__ == "__main__":
    main()
