"""Precision and recall of the documentation linter per category, on the labelled corpus.

    uv run python scripts/lint_eval.py [--corpus tests/core/language/corpus.yaml] [--errors]

Exit status 1 when the overall targets (precision >= 0.90, recall >= 0.85; reference
language.md §4 and the linter issue) are not met.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from holdspace.language import lint
from holdspace.language.evaluate import compare, evaluate, load_corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "core" / "language" / "corpus.yaml"
TARGET_PRECISION = 0.90
TARGET_RECALL = 0.85


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--errors", action="store_true", help="list every mismatching case")
    args = parser.parse_args(argv)
    cases = load_corpus(args.corpus)
    scores = evaluate(cases)
    print(f"{'category':<12} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>7}")
    for name, s in scores.items():
        print(f"{name:<12} {s.tp:>4} {s.fp:>4} {s.fn:>4} {s.precision:>10.3f} {s.recall:>7.3f}")
    print(f"{len(cases)} sentences")
    if args.errors:
        for case in cases:
            extra, missing = compare(case.expect, {(f.rule, f.level) for f in lint(case.text)})
            if extra or missing:
                print(f"[{case.about}] {case.text!r}: extra={extra} missing={missing}")
    overall = scores["overall"]
    ok = overall.precision >= TARGET_PRECISION and overall.recall >= TARGET_RECALL
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
