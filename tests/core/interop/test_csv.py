"""CSV export in the long format that `holdspace analyze` reads unchanged."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from holdspace.analytics import analyze
from holdspace.interop import COLUMNS, AdministrationRecord, write_csv
from holdspace.longformat import OPTIONAL_COLUMNS


def record(n, episode, session, instrument, total):
    return AdministrationRecord(
        key=f"administration:{n}",
        episode_id=str(episode),
        client_code=f"HS-{episode:03d}",
        clinician_id="3",
        session_number=session,
        instrument_id=instrument,
        instrument_version="1.0",
        answers=(),
        total=total,
        band=None,
        completed_at=datetime(2026, 1, 5, 23, 30, tzinfo=UTC) + timedelta(weeks=session),
    )


RECORDS = [
    record(1, 1, 1, "phq9", 18.0),
    record(2, 1, 1, "gad7", 15.0),
    record(3, 1, 2, "phq9", None),  # too many items missing: a row with no total
    record(4, 1, 3, "phq9", 7.0),
    record(5, 1, 3, "gad7", 6.0),
    record(6, 2, 1, "phq9", 12.0),
    record(7, 2, 2, "phq9", 13.5),
]


def test_the_header_is_the_analysis_format() -> None:
    out = io.StringIO()

    write_csv([], out)

    assert out.getvalue() == (
        "episode_id,client_id,clinician_id,session_number,date,instrument,total,no_total\n"
    )
    assert tuple(out.getvalue().strip().split(",")) == COLUMNS + OPTIONAL_COLUMNS


def test_one_row_per_administration_total_or_not() -> None:
    out = io.StringIO()

    count = write_csv(RECORDS, out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) == 7
    assert rows[0] == {
        "episode_id": "1",
        "client_id": "HS-001",
        "clinician_id": "3",
        "session_number": "1",
        "date": "2026-01-12",
        "instrument": "phq9",
        "total": "18",
        "no_total": "",
    }
    assert rows[-1]["total"] == "13.5"
    assert rows[2]["total"] == ""
    assert rows[2]["no_total"].startswith("No total: ")
    assert "here 9 not answered" in rows[2]["no_total"]


def test_analyze_reads_the_export_unchanged(tmp_path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", newline="") as fh:
        write_csv(RECORDS, fh)

    result = analyze(path)

    assert result.summary["rows"] == 7
    assert result.summary["valid_rows"] == 7
    assert result.summary["bad_rows"] == 0
