from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from holdspace.synth import DEFAULT_MIX, KINDS, generate_arrays, generate_episode

DOC = Path(__file__).resolve().parents[3] / "docs" / "analytics.md"


def test_every_trajectory_type_is_documented():
    documented = set(re.findall(r"^\| `([a-z_]+)` \| \d+% \|", DOC.read_text(), flags=re.M))
    assert documented == set(KINDS) == set(DEFAULT_MIX)


def test_same_seed_same_data():
    a, b = generate_arrays(50, seed=9), generate_arrays(50, seed=9)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(generate_arrays(50, seed=10)["total"], a["total"], equal_nan=True)


@pytest.mark.parametrize("kind", KINDS)
def test_trajectory_types_behave_as_documented(kind):
    rng = np.random.default_rng(4)
    changes, lengths = [], []
    for _ in range(200):
        ep = generate_episode(kind, rng)
        phq = [m.total for m in ep.measurements if m.instrument == "phq9"]
        changes.append(phq[-1] - phq[0])
        lengths.append(len(phq))
    median = float(np.median(changes))
    if kind == "early_leaver":
        assert max(lengths) <= 3
    else:
        assert min(lengths) >= 6 and max(lengths) <= 14
    if kind in ("improving", "sudden_gain"):
        assert median <= -5
    elif kind == "deteriorating":
        assert median >= 4
    elif kind == "flat":
        assert abs(median) <= 2


def test_generate_episode_options():
    rng = np.random.default_rng(1)
    ep = generate_episode(
        "flat", rng, sessions=9, alliance="rupture", risk_sessions=(2,), missed_sessions=(5, 6)
    )
    statuses = {a.session_number: a.status for a in ep.attendance}
    assert statuses[5] == "missed" and statuses[6] == "cancelled"
    assert not [m for m in ep.measurements if m.session_number in (5, 6)]
    assert [m.session_number for m in ep.measurements if m.has_risk] == [2]
    wai = [m.total for m in ep.measurements if m.instrument == "waisr"]
    assert wai[0] - wai[-1] >= 8  # the rupture
