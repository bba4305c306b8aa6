"""Golden cases: one YAML file per instrument, written from the published rules.

Each case gives answers and either the expected result fields or the item an AnswerError
must name. Only the fields a case lists are compared; adding a case is a data change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from holdspace.instruments import AnswerError, ScoreResult, score

GOLDEN = Path(__file__).parent / "golden"


def golden_cases() -> list[Any]:
    params = []
    for path in sorted(GOLDEN.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            params.append(pytest.param(data["instrument"], case, id=f"{path.stem}: {case['name']}"))
    return params


def _close(actual: float | None, expected: float | None) -> bool:
    if actual is None or expected is None:
        return actual is expected
    return abs(actual - expected) < 0.01


def _check_subscales(result: ScoreResult, expected: dict[str, Any]) -> None:
    for key, want in expected.items():
        sub = result.subscales[key]
        total, band = (want[0], want[1]) if isinstance(want, list) else (want, None)
        assert _close(sub.total, total), f"subscale {key}: {sub.total} != {total}"
        if isinstance(want, list):
            assert sub.band == band, f"subscale {key} band"


def _check(result: ScoreResult, expect: dict[str, Any]) -> None:
    for key, want in expect.items():
        if key == "total":
            assert _close(result.total, want), f"total {result.total} != {want}"
        elif key == "flags":
            assert [flag.item for flag in result.flags] == want
            assert result.has_risk == bool(want)
        elif key == "algorithms":
            got = {name: result.algorithms[name].met for name in want}
            assert got == want
        elif key == "subscales":
            _check_subscales(result, want)
        else:
            assert getattr(result, key) == want, f"{key}: {getattr(result, key)!r} != {want!r}"


@pytest.mark.parametrize(("instrument_id", "case"), golden_cases())
def test_golden_case(instrument_id: str, case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(AnswerError) as caught:
            score(instrument_id, case["answers"])
        assert caught.value.item == case["error"]
        return

    result = score(instrument_id, case["answers"])

    _check(result, case["expect"])
    assert result.explanation, "every result explains itself"


def test_every_golden_file_names_a_real_instrument() -> None:
    from holdspace.instruments import all_instruments

    ids = {instrument.id for instrument in all_instruments()}

    assert {path.stem for path in GOLDEN.glob("*.yaml")} <= ids
