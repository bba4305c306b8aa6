"""Precision and recall of the documentation linter, and of alex, on the held-out corpus.

    uv run python scripts/heldout_eval.py [--corpus PATH] [--no-alex] [--write-misses FILE]

The corpus (tests/fixtures/language_heldout/heldout.yaml) was written without reading the
linter's rules, and the rules are never tuned on it: this script prints aggregates only.
A labelled span counts as found when a warning-level finding overlaps it; a warning-level
finding that overlaps no labelled span is a false positive. Info-level findings are left
out of precision and recall; those on items marked `info_ok` are counted separately.
alex (npm, node_modules/, run by scripts/alex_spans.mjs) is scored the same way on the same
sentences in the same run; all its findings count as warnings.

--write-misses FILE writes the missed spans and false positives sentence by sentence. It is
for whoever maintains the corpus (to check a label), never for whoever writes the rules.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from holdspace.language import lint

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "language_heldout" / "heldout.yaml"
ALEX_RUNNER = ROOT / "scripts" / "alex_spans.mjs"

Span = tuple[int, int]


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    category: str
    labels: tuple[Span, ...]
    info_ok: bool


@dataclass
class Tally:
    """Counts for one system over some items."""

    spans: int = 0
    found: int = 0
    findings: int = 0
    false_positives: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.spans if self.spans else None

    @property
    def precision(self) -> float | None:
        return (self.findings - self.false_positives) / self.findings if self.findings else None


@dataclass
class Score:
    overall: Tally = field(default_factory=Tally)
    by_class: dict[str, Tally] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)


def load(path: Path) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for raw in data["items"]:
        labels = tuple((int(lab["start"]), int(lab["end"])) for lab in raw["labels"])
        items.append(
            Item(
                id=str(raw["id"]),
                text=str(raw["text"]),
                category=str(raw["category"]),
                labels=labels,
                info_ok=bool(raw.get("info_ok", False)),
            )
        )
    return items


def overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(items: Sequence[Item], flagged: Sequence[Sequence[Span]]) -> Score:
    """Span recall and finding precision of one system's warnings, overall and per class."""
    result = Score()
    for item, spans in zip(items, flagged, strict=True):
        tally = result.by_class.setdefault(item.category, Tally())
        missed = [lab for lab in item.labels if not any(overlaps(lab, s) for s in spans)]
        false = [s for s in spans if not any(overlaps(s, lab) for lab in item.labels)]
        for t in (tally, result.overall):
            t.spans += len(item.labels)
            t.found += len(item.labels) - len(missed)
            t.findings += len(spans)
            t.false_positives += len(false)
        if missed or false:
            result.misses.append(
                {
                    "id": item.id,
                    "text": item.text,
                    "missed": [item.text[a:b] for a, b in missed],
                    "false_positives": [item.text[a:b] for a, b in false],
                }
            )
    return result


def holdspace_spans(items: Sequence[Item]) -> tuple[list[list[Span]], int, int]:
    """Warning spans per item, info findings on info_ok items, and info findings overall."""
    warnings: list[list[Span]] = []
    info_on_ok = info_total = 0
    for item in items:
        findings = lint(item.text)
        warnings.append([(f.start, f.end) for f in findings if f.level == "warn"])
        infos = sum(1 for f in findings if f.level == "info")
        info_total += infos
        if item.info_ok:
            info_on_ok += infos
    return warnings, info_on_ok, info_total


def alex_spans(items: Sequence[Item]) -> tuple[list[list[Span]], str] | None:
    """alex's spans per item and its version, or None when node or alex is not installed."""
    node = shutil.which("node")
    package = ROOT / "node_modules" / "alex" / "package.json"
    if node is None or not package.exists():
        return None
    version = str(json.loads(package.read_text(encoding="utf-8"))["version"])
    with tempfile.TemporaryDirectory() as tmp:
        texts = Path(tmp) / "texts.json"
        texts.write_text(json.dumps([item.text for item in items]), encoding="utf-8")
        out = subprocess.run(
            [node, str(ALEX_RUNNER), str(texts)], check=True, capture_output=True, text=True
        ).stdout
    per_item = json.loads(out)
    return [[(int(s[0]), int(s[1])) for s in spans] for spans in per_item], version


def fmt(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.3f}"


def report(name: str, result: Score, classes: Sequence[str]) -> list[str]:
    o = result.overall
    lines = [
        f"{name}: precision {fmt(o.precision).strip()} "
        f"({o.findings - o.false_positives}/{o.findings} warnings on a labelled span), "
        f"recall {fmt(o.recall).strip()} ({o.found}/{o.spans} labelled spans)",
        f"  {'class':<18} {'recall':>6} {'found':>11} {'warnings':>8} {'false+':>6}",
    ]
    for klass in classes:
        t = result.by_class.get(klass, Tally())
        lines.append(
            f"  {klass:<18} {fmt(t.recall)} {t.found:>5}/{t.spans:<5} {t.findings:>8} "
            f"{t.false_positives:>6}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-alex", action="store_true", help="score Holdspace's linter only")
    parser.add_argument(
        "--write-misses",
        type=Path,
        metavar="FILE",
        help="write per-sentence misses as JSON (for corpus maintainers, not rule authors)",
    )
    args = parser.parse_args(argv)
    items = load(args.corpus)
    classes = sorted({item.category for item in items})
    positives = sum(1 for item in items if item.labels)
    print(
        f"held-out corpus: {len(items)} sentences ({positives} with labelled spans, "
        f"{len(items) - positives} hard negatives), {len(classes)} classes"
    )
    warnings, info_on_ok, info_total = holdspace_spans(items)
    ours = score(items, warnings)
    lines = report("holdspace", ours, classes)
    info_items = sum(1 for item in items if item.info_ok)
    lines.append(
        f"  info findings: {info_total} in all (not scored); {info_on_ok} on the "
        f"{info_items} info_ok items"
    )
    misses: dict[str, Any] = {"holdspace": ours.misses}
    alex = None if args.no_alex else alex_spans(items)
    if alex is not None:
        theirs = score(items, alex[0])
        lines += report(f"alex {alex[1]}", theirs, classes)
        misses["alex"] = theirs.misses
    elif not args.no_alex:
        lines.append("alex: not installed (run npm ci); skipped")
    print("\n".join(lines))
    if args.write_misses is not None:
        args.write_misses.write_text(json.dumps(misses, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote per-sentence misses to {args.write_misses} (not for rule authors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
