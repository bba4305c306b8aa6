from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from holdspace.analytics import DataFileError, analyze
from holdspace.cli import app

HEADER = "episode_id,client_id,clinician_id,session_number,date,instrument,total\n"
BODY = [
    "e1,c1,t1,1,2025-01-01,phq9,15",  # line 2
    "e1,c1,t1,1,2025-01-01,gad7,10",  # line 3
    "e1,c1,t1,2.5,2025-01-08,phq9,9",  # line 4: non-integer session
    "e1,c1,t1,2,2025-01-08,phq9,28",  # line 5: PHQ-9 total above 27
    "e1,c1,t1,2,2025-01-08,bdi,9",  # line 6: unknown instrument
    "e1,c1,t1,2,2025-01-08,gad7",  # line 7: missing field
    "e1,c1,t1,2,2025-01-08,gad7,-1",  # line 8: below 0
    "e1,c1,t1,3,2025-01-15,phq9,9",  # line 9 ok
    "e1,c1,t1,3,2025-01-15,gad7,x",  # line 10: total not a number
    "e1,c1,t1,3,2025-01-15,gad7,6",  # line 11 ok
]
runner = CliRunner()


@pytest.fixture
def bad_csv(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\n".join(BODY) + "\n")
    return path


def test_bad_rows_reported_with_line_numbers(bad_csv):
    summary = analyze(bad_csv).summary
    lines = {b["line"]: b["reason"] for b in summary["bad_row_examples"]}
    assert sorted(lines) == [4, 5, 6, 7, 8, 10]
    assert "whole number" in lines[4]
    assert "outside phq9 range 0-27" in lines[5]
    assert "unknown instrument bdi" in lines[6]
    assert "missing column" in lines[7]
    assert "outside gad7 range" in lines[8]
    assert "total" in lines[10]
    assert summary["bad_rows"] == 6 and summary["valid_rows"] == 4
    # The good rows still make a paired episode: PHQ-9 15 -> 9, GAD-7 10 -> 6.
    assert summary["reliable_improvement"]["count"] == 1


def test_strict_stops_at_first(bad_csv):
    with pytest.raises(DataFileError, match="line 4"):
        analyze(bad_csv, strict=True)
    result = runner.invoke(app, ["analyze", str(bad_csv), "--strict"])
    assert result.exit_code == 2
    assert "line 4" in result.output and "Traceback" not in result.output


def test_missing_header_column(tmp_path):
    path = tmp_path / "nocol.csv"
    path.write_text(
        "episode_id,client_id,session_number,date,instrument,total\ne1,c1,1,2025-01-01,phq9,3\n"
    )
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2
    assert "clinician_id" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("trunc.parquet", b"PAR1\x00\x01garbage"),
        ("binary.csv", b"\xff\xfe\x00\x00\x89PNG"),
        ("empty.csv", b""),
        ("table.xlsx", b"x"),
    ],
)
def test_malformed_file_is_one_clear_line(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("error: ")


def test_truncated_parquet_from_real_file(tmp_path):
    from holdspace.synth import write_file

    path = tmp_path / "s.parquet"
    write_file(path, 50, seed=2)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    result = runner.invoke(app, ["analyze", str(cut)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_json_output_names_the_metrics(tmp_path):
    from holdspace.synth import write_file

    path = tmp_path / "s.csv"
    write_file(path, 200, seed=4)
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(path), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    for key in (
        "finished",
        "paired",
        "caseness_at_first",
        "recovery",
        "reliable_improvement",
        "reliable_recovery",
        "reliable_deterioration",
        "by_clinician",
    ):
        assert key in summary
    assert summary["episodes"] == 200
    assert (out / "episodes.parquet").exists() and (out / "summary.json").exists()
    low, high = summary["recovery"]["ci95"]
    assert low <= summary["recovery"]["rate"] <= high


def test_synth_command(tmp_path):
    out = tmp_path / "s.parquet"
    result = runner.invoke(app, ["synth", "--episodes", "30", "--out", str(out), "--seed", "5"])
    assert result.exit_code == 0, result.output
    again = tmp_path / "t.parquet"
    runner.invoke(app, ["synth", "--episodes", "30", "--out", str(again), "--seed", "5"])
    import duckdb

    a = duckdb.sql(f"SELECT * FROM '{out}' ORDER BY ALL").fetchall()
    b = duckdb.sql(f"SELECT * FROM '{again}' ORDER BY ALL").fetchall()
    assert a == b and len(a) > 30


def test_column_order_bom_and_crlf_do_not_matter(tmp_path):
    path = tmp_path / "odd.csv"
    lines = [
        "total,instrument,extra,episode_id,client_id,clinician_id,session_number,date",
        "15,phq9,x,e1,c1,t1,1,2025-01-01",
        "10,gad7,x,e1,c1,t1,1,2025-01-01",
        "9,phq9,x,e1,c1,t1,2,2025-01-08",
        "6,gad7,x,e1,c1,t1,2,2025-01-08",
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    summary = analyze(path).summary
    assert summary["bad_rows"] == 0
    assert summary["reliable_recovery"]["count"] == 1


def test_line_cut_short_at_end_of_file(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text(HEADER + "e1,c1,t1,1,2025-01-01,phq9,15\ne1,c1,t1,2,2025-01-0")
    summary = analyze(path).summary
    assert [b["line"] for b in summary["bad_row_examples"]] == [3]


def test_parquet_with_native_types_reports_rows(tmp_path):
    import duckdb

    path = tmp_path / "native.parquet"
    duckdb.sql(
        f"""COPY (SELECT * FROM (VALUES
            ('e1', 'c1', 't1', 1, DATE '2025-01-01', 'phq9', 15.0),
            ('e1', 'c1', 't1', 1, DATE '2025-01-01', 'gad7', 10.0),
            ('e1', 'c1', 't1', 2, DATE '2025-01-08', 'phq9', 99.0),
            ('e1', 'c1', 't1', 2, DATE '2025-01-08', 'gad7', NULL),
            ('e1', 'c1', 't1', 3, DATE '2025-01-15', 'phq9', 9.0),
            ('e1', 'c1', 't1', 3, DATE '2025-01-15', 'gad7', 6.0))
          AS t(episode_id, client_id, clinician_id, session_number, date, instrument, total))
        TO '{path}' (FORMAT parquet)"""
    )
    summary = analyze(path).summary
    assert summary["bad_row_examples"] == [
        {"line": 3, "reason": "total 99.0 is outside phq9 range 0-27"}
    ]
    assert summary["reliable_recovery"]["count"] == 1


def test_progress_runner_gives_the_same_summary(tmp_path):
    from holdspace.cli.analytics import _with_progress
    from holdspace.synth import write_file

    path = tmp_path / "s.parquet"
    write_file(path, 300, seed=6)
    plain = analyze(path).summary
    with_bar = analyze(path, run=_with_progress).summary
    assert with_bar == plain
