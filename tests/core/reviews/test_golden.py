"""Golden files: which cards for which signals and data, and the before/after comparison.

Each file in golden/ was written by hand from trauma-informed.md §9 (card order) and the
least-squares formula (numbers worked in the file's comments) before the code ran.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from holdspace.reviews import LastAdaptation, ReviewContext, assemble, compare_adaptation

GOLDEN = Path(__file__).parent / "golden"


def _cases(kind: str) -> list[Path]:
    return sorted((GOLDEN / kind).glob("*.yaml"))


def _context(raw: dict[str, Any]) -> ReviewContext:
    last = raw.get("last_adaptation")
    return ReviewContext(
        unacknowledged_risk=raw.get("unacknowledged_risk", False),
        alliance_drops=raw.get("alliance_drops", 0),
        missed_sessions=raw.get("missed_sessions", 0),
        life_events=tuple(raw.get("life_events", ())),
        patterns_seen=tuple(raw.get("patterns_seen", ())),
        last_adaptation=LastAdaptation(**last) if last else None,
    )


def _shape(review: Any) -> list[dict[str, Any]]:
    """The review as the golden files write it: ids, with reasons only when there are some."""
    out = []
    for section in review.sections:
        if section.key == "last_adaptation":
            out.append({"section": section.key, "notes": list(section.notes)})
            continue
        cards = [
            {rc.card.id: list(rc.because)} if rc.because else rc.card.id for rc in section.cards
        ]
        out.append({"section": section.key, "cards": cards})
    return out


@pytest.mark.parametrize("path", _cases("assembly"), ids=lambda p: p.stem)
def test_review_assembly(path: Path) -> None:
    case = yaml.safe_load(path.read_text())
    review = assemble(case["signals"], _context(case["context"]))

    assert _shape(review) == case["expected"]


@pytest.mark.parametrize("path", _cases("compare"), ids=lambda p: p.stem)
def test_adaptation_comparison(path: Path) -> None:
    case = yaml.safe_load(path.read_text())
    given = case["input"]
    outcome = compare_adaptation(
        [tuple(p) for p in given["points"]],
        given["start_session"],
        given["rc_threshold"],
        given["direction"],
        given["min_sessions_after"],
    )

    for name, expected in case["expected"].items():
        actual = getattr(outcome, name)
        if isinstance(expected, float | int) and not isinstance(expected, bool):
            assert actual == pytest.approx(expected, abs=1e-9), name
        else:
            assert actual == expected, name


def test_there_are_golden_files() -> None:
    assert len(_cases("assembly")) >= 5
    assert len(_cases("compare")) >= 5
