"""The DuckDB path must give the golden answers written from the published definitions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from holdspace.analytics import analyze
from holdspace.analytics.analyze import episode_rows
from holdspace.analytics.metrics import METRICS
from holdspace.change import TalkingTherapiesConfig
from tests.core.change.golden_cases import FLAGS, load_cases

CASES = load_cases()
HEADER = [
    "episode_id",
    "client_id",
    "clinician_id",
    "session_number",
    "date",
    "instrument",
    "total",
]


def write_cases(path: Path, cases) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n, case in enumerate(cases):
            for session, instrument, total in case["rows"]:
                writer.writerow(
                    [
                        case["name"],
                        f"c{n}",
                        f"t{n % 3}",
                        session,
                        "2025-01-01",
                        instrument,
                        "" if total is None else total,
                    ]
                )


def _groups():
    groups: dict[str, list] = {}
    for case in CASES:
        rule = case.get("config", {}).get("deterioration_rule", "symmetric")
        groups.setdefault(rule, []).append(case)
    return groups


@pytest.mark.parametrize("rule", sorted(_groups()))
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_episode_flags_match_golden(tmp_path, rule, fmt):
    cases = _groups()[rule]
    path = tmp_path / "golden.csv"
    write_cases(path, cases)
    if fmt == "parquet":
        target = tmp_path / "golden.parquet"
        duckdb.sql(
            f"COPY (SELECT * FROM read_csv('{path}', all_varchar=true)) "
            f"TO '{target}' (FORMAT parquet)"
        )
        path = target
    con = duckdb.connect()
    result = analyze(path, config=TalkingTherapiesConfig(deterioration_rule=rule), connection=con)
    assert result.summary["bad_rows"] == 0
    got = {row["episode_id"]: {k: row[k] for k in FLAGS} for row in episode_rows(con)}
    assert got == {c["name"]: c["expect"] for c in cases}

    # Summary counts are the golden flags counted over their denominators.
    def count(flag, within=lambda e: True):
        return sum(1 for c in cases if c["expect"][flag] and within(c["expect"]))

    summary = result.summary
    assert summary["episodes"] == len(cases)
    assert summary["finished"]["count"] == count("finished")
    assert summary["paired"]["count"] == count("paired")
    assert summary["caseness_at_first"]["count"] == count("caseness_first", lambda e: e["paired"])
    assert summary["recovery"]["count"] == count("recovered")
    assert summary["recovery"]["denominator"] == count("caseness_first", lambda e: e["paired"])
    assert summary["reliable_improvement"]["denominator"] == count("paired")
    assert summary["reliable_deterioration"]["count"] == count("reliable_deterioration")
    assert summary["reliable_recovery"]["count"] == count("reliable_recovery")
    per_clinician = summary["by_clinician"]
    assert sum(v["episodes"] for v in per_clinician.values()) == len(cases)
    for metric in METRICS:
        assert sum(v[metric]["count"] for v in per_clinician.values()) == summary[metric]["count"]


def test_empty_denominator_is_null(tmp_path):
    path = tmp_path / "one.csv"
    write_cases(path, [c for c in CASES if c["name"] == "one_session_episode"])
    summary = analyze(path).summary
    assert summary["recovery"]["denominator"] == 0
    assert summary["recovery"]["rate"] is None and summary["recovery"]["ci95"] is None
    json.dumps(summary)  # JSON-ready


def test_vectorised_wilson_matches_the_reference():
    from holdspace.analytics.metrics import wilson_arrays
    from holdspace.change import wilson_interval

    ks, ns = [0, 1, 5, 8, 10, 37], [10, 1, 9, 10, 10, 200]
    rate, low, high = wilson_arrays(ks, ns)
    for i, (k, n) in enumerate(zip(ks, ns, strict=True)):
        assert (low[i], high[i]) == pytest.approx(wilson_interval(k, n), abs=1e-12)
        assert rate[i] == pytest.approx(k / n)


def test_episode_table_columns(tmp_path):
    from holdspace.analytics.metrics import EPISODE_COLUMNS

    path = tmp_path / "golden.csv"
    write_cases(path, CASES[:3])
    out = tmp_path / "out"
    analyze(path, out=out)
    columns = [d[0] for d in duckdb.sql(f"SELECT * FROM '{out / 'episodes.parquet'}'").description]
    assert tuple(columns) == EPISODE_COLUMNS
