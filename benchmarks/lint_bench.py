"""Benchmark: the Holdspace linter against alex (npm) on the same corpus, in the same run.

    uv run python benchmarks/lint_bench.py [--repeats 5]

Reports, for both tools:
  * throughput over the labelled corpus (documents per second, warm: after one untimed pass);
  * note-level precision and recall on clinical language (a sentence is "stigmatizing" when its
    gold labels include a warn-level finding; a tool flags it when it reports a warning, for
    alex any message once gender and profanity rules are off, see alex_runner.mjs);
  * the median time to lint a 2,000-word note built from the corpus.
Targets (the linter issues): precision >= 0.90 and recall >= 0.85, >= 20x alex's throughput,
a 2,000-word note in under 10 ms (median CPU time). Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from holdspace.language import default_rules, lint
from holdspace.language.evaluate import Case, evaluate, load_corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "core" / "language" / "corpus.yaml"
RUNNER = ROOT / "benchmarks" / "alex_runner.mjs"
NOTE_WORDS = 2000


def gold_positive(case: Case) -> bool:
    levels = {rule.id: rule.level for rule in default_rules().rules}
    for entry in case.expect:
        rule, _, level = entry.partition(":")
        if (level or levels[rule]) == "warn":
            return True
    return False


def precision_recall(gold: list[bool], predicted: list[bool]) -> tuple[float, float]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    fp = sum(p and not g for g, p in zip(gold, predicted, strict=True))
    fn = sum(g and not p for g, p in zip(gold, predicted, strict=True))
    return tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0


def build_note(cases: list[Case]) -> str:
    """A 2,000-word note: corpus sentences in corpus order, repeated as needed."""
    words: list[str] = []
    sentences: list[str] = []
    while len(words) < NOTE_WORDS:
        for case in cases:
            sentences.append(case.text.replace("\n", " "))
            words += case.text.split()
            if len(words) >= NOTE_WORDS:
                break
    return " ".join(sentences)


def ours_per_pass(docs: list[str], repeats: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) per pass over the documents, after a warm-up pass."""
    for doc in docs:  # warm-up: rules compiled, caches filled
        lint(doc)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeats):
        for doc in docs:
            lint(doc)
    return (time.perf_counter() - wall) / repeats, (time.process_time() - cpu) / repeats


def run_alex(docs: list[str], repeats: int) -> dict[str, object]:
    node = shutil.which("node")
    if node is None:
        sys.exit("node is not installed; alex runs under node")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(docs, handle)
    out = subprocess.run(
        [node, str(RUNNER), handle.name, str(repeats)], capture_output=True, text=True, check=True
    )
    Path(handle.name).unlink()
    result: dict[str, object] = json.loads(out.stdout)
    return result


def median_ms(text: str, runs: int) -> tuple[float, float]:
    """Median (wall ms, CPU ms) to lint `text`."""
    lint(text)
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        lint(text)
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cases = list(load_corpus(CORPUS))
    docs = [c.text for c in cases]
    gold = [gold_positive(c) for c in cases]

    ours_wall, ours_cpu = ours_per_pass(docs, args.repeats * 4)
    alex = run_alex(docs, args.repeats)
    alex_wall = float(alex["seconds_per_pass"])  # type: ignore[arg-type]
    alex_cpu = float(alex["cpu_seconds_per_pass"])  # type: ignore[arg-type]
    ours_pred = [any(f.level == "warn" for f in lint(d)) for d in docs]
    alex_pred = [bool(ids) for ids in alex["flagged"]]  # type: ignore[attr-defined]
    ours_p, ours_r = precision_recall(gold, ours_pred)
    alex_p, alex_r = precision_recall(gold, alex_pred)

    note = build_note(cases)
    note_ms, note_cpu_ms = median_ms(note, 51)
    alex_note = run_alex([note], 5)
    alex_note_ms = float(alex_note["seconds_per_pass"]) * 1000  # type: ignore[arg-type]
    alex_note_cpu_ms = float(alex_note["cpu_seconds_per_pass"]) * 1000  # type: ignore[arg-type]
    overall = evaluate(cases)["overall"]

    n = len(docs)
    ours_dps, alex_dps = n / ours_wall, n / alex_wall
    ours_cps, alex_cps = n / ours_cpu, n / alex_cpu
    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )
    print(f"corpus: {n} sentences, {sum(gold)} stigmatizing (gold, warn level)")
    print(f"{'tool':<16} {'docs/s wall':>12} {'docs/s CPU':>11} {'precision':>10} {'recall':>7}")
    for name, wall_dps, cpu_dps, p, r in (
        ("holdspace lint", ours_dps, ours_cps, ours_p, ours_r),
        (f"alex {alex['version']}", alex_dps, alex_cps, alex_p, alex_r),
    ):
        print(f"{name:<16} {wall_dps:>12.0f} {cpu_dps:>11.0f} {p:>10.3f} {r:>7.3f}")
    print(
        f"throughput ratio (holdspace / alex): wall {ours_dps / alex_dps:.1f}x, "
        f"CPU {ours_cps / alex_cps:.1f}x  (target >= 20x)"
    )
    print(
        f"rule-level, all levels (scripts/lint_eval.py): precision {overall.precision:.3f}, "
        f"recall {overall.recall:.3f}"
    )
    words = len(note.split())
    print(
        f"{words}-word note, median: holdspace {note_ms:.2f} ms wall / {note_cpu_ms:.2f} ms CPU "
        f"(target < 10 ms); alex {alex_note_ms:.1f} ms wall / {alex_note_cpu_ms:.1f} ms CPU; "
        f"ratio {alex_note_ms / note_ms:.1f}x wall, {alex_note_cpu_ms / note_cpu_ms:.1f}x CPU"
    )
    # CPU time is the steadier measure on a shared machine; wall time is printed alongside.
    ok = ours_p >= 0.90 and ours_r >= 0.85 and ours_cps >= 20 * alex_cps and note_cpu_ms < 10
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
