"""Load a long-format CSV or Parquet file into DuckDB and sort out the bad rows.

One pass does the work: the file is read as a relation with an ``ok`` column (the row keeps
every rule), and the metrics aggregate counts the rows that are not ok. Only when a file has
bad rows does a second, slower pass find their line numbers and reasons: rows that do not parse
(a missing or extra field, a total that is not a number, a bad date) from DuckDB's CSV reject
table, and rows that break a rule (unknown instrument, total outside the instrument's range, a
session number that is not whole, an empty id) from the rule CASE. Nothing here prints.
"""

from __future__ import annotations

import bisect
import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from holdspace.longformat import COLUMNS

REQUIRED = COLUMNS
TYPES = {
    "episode_id": "VARCHAR",
    "client_id": "VARCHAR",
    "clinician_id": "VARCHAR",
    # Read as a number and checked to be whole: DuckDB would round "1.5" cast to INTEGER.
    "session_number": "DOUBLE",
    "date": "DATE",
    "instrument": "VARCHAR",
    "total": "DOUBLE",
}


class DataFileError(Exception):
    """The file as a whole cannot be read (one clear line for the user)."""


@dataclass(frozen=True)
class InstrumentRange:
    instrument_id: str
    total_min: float
    total_max: float


@dataclass(frozen=True)
class BadRow:
    line: int  # CSV: the line in the file (header = 1); Parquet: the 1-based row number
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason}


@dataclass(frozen=True)
class Loaded:
    kind: str  # "csv" | "parquet"
    total_rows: int
    valid_rows: int
    bad_count: int
    bad_rows: list[BadRow]  # the first ``max_reported``, in file order


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise DataFileError(f"{path.name}: unknown file type {suffix!r}; expected .csv or .parquet")


def _csv_header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle), [])
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path.name}: not a UTF-8 text file ({exc.reason})") from None


def _check_columns(path: Path, columns: Sequence[str]) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise DataFileError(
            f"{path.name}: missing column(s) {', '.join(missing)}; "
            f"the header must name {', '.join(REQUIRED)}"
        )


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _reader(path: Path, kind: str) -> str:
    if kind == "csv":
        types = ", ".join(f"'{k}': '{v}'" for k, v in TYPES.items())
        return (
            f"read_csv({_quote(path)}, header = true, types = {{{types}}}, "
            "store_rejects = true, ignore_errors = true, delim = ',', quote = '\"')"
        )
    return f"read_parquet({_quote(path)})"


def _typed(kind: str, parquet_total_is_text: bool) -> str:
    if kind == "csv":
        return "episode_id, client_id, clinician_id, session_number, instrument, total"
    # Parquet keeps its own types; cast to the contract's.
    raw_total = ", CAST(total AS VARCHAR) AS total_raw" if parquet_total_is_text else ""
    return (
        "CAST(episode_id AS VARCHAR) AS episode_id, CAST(client_id AS VARCHAR) AS client_id, "
        "CAST(clinician_id AS VARCHAR) AS clinician_id, "
        "TRY_CAST(session_number AS DOUBLE) AS session_number, "
        "CAST(session_number AS VARCHAR) AS session_raw, "
        f"CAST(instrument AS VARCHAR) AS instrument, TRY_CAST(total AS DOUBLE) AS total{raw_total}"
    )


# The paired-metric instruments make up most rows in practice; testing them first keeps the
# per-row CASE short.
COMMON_FIRST = ("phq9", "gad7")


def _range_check(ranges: Sequence[InstrumentRange]) -> str:
    ordered = sorted(
        ranges,
        key=lambda r: (
            COMMON_FIRST.index(r.instrument_id) if r.instrument_id in COMMON_FIRST else 99
        ),
    )
    whens = " ".join(
        f"WHEN '{r.instrument_id}' THEN total IS NULL OR total BETWEEN {r.total_min!r} "
        f"AND {r.total_max!r}"
        for r in ordered
    )
    return f"(CASE instrument {whens} ELSE FALSE END)"


def _ok(
    ranges: Sequence[InstrumentRange], parquet_total_is_text: bool, session_is_int: bool = False
) -> str:
    text_total = (
        " AND NOT (total_raw IS NOT NULL AND total IS NULL)" if parquet_total_is_text else ""
    )
    whole = "" if session_is_int else "AND session_number = floor(session_number) "
    return (
        f"COALESCE(episode_id <> '' AND session_number >= 0 {whole}"
        f"AND {_range_check(ranges)}{text_total}, FALSE)"
    )


INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
NUMBER_TYPES = (*INTEGER_TYPES, "FLOAT", "DOUBLE", "UBIGINT", "HUGEINT")


def _typed_native(described: Sequence[tuple[Any, ...]]) -> str | None:
    """For a Parquet file whose session numbers are already integers and totals numbers, a
    cheaper projection: nothing to convert, and no whole-number check is needed."""
    types = {str(d[0]): str(d[1]).upper() for d in described}
    if types.get("session_number") not in INTEGER_TYPES or types.get("total") not in NUMBER_TYPES:
        return None
    return (
        "CAST(episode_id AS VARCHAR) AS episode_id, CAST(client_id AS VARCHAR) AS client_id, "
        "CAST(clinician_id AS VARCHAR) AS clinician_id, session_number, "
        "CAST(instrument AS VARCHAR) AS instrument, CAST(total AS DOUBLE) AS total"
    )


def _problem(ranges: Sequence[InstrumentRange], kind: str, parquet_total_is_text: bool) -> str:
    """A CASE giving the first broken rule's reason, or NULL for a good row (slow path)."""
    known = ", ".join(r.instrument_id for r in ranges)
    range_cases = " ".join(
        f"WHEN instrument = '{r.instrument_id}' AND (total < {r.total_min!r} "
        f"OR total > {r.total_max!r}) THEN 'total ' || total || ' is outside "
        f"{r.instrument_id} range {r.total_min:g}-{r.total_max:g}'"
        for r in ranges
    )
    raw_session = (
        "WHEN session_raw IS NOT NULL AND session_number IS NULL THEN "
        "'session_number ' || session_raw || ' is not a whole number' "
        if kind == "parquet"
        else ""
    )
    raw_total = (
        "WHEN total_raw IS NOT NULL AND total IS NULL THEN "
        "'total ' || total_raw || ' is not valid (allowed: a number or empty)' "
        if parquet_total_is_text
        else ""
    )
    return f"""CASE
      WHEN episode_id IS NULL OR episode_id = '' THEN 'episode_id is empty'
      {raw_session}
      WHEN session_number IS NULL THEN 'session_number is empty'
      WHEN session_number <> floor(session_number) THEN
        'session_number ' || session_number || ' is not a whole number'
      WHEN session_number < 0 THEN 'session_number ' || session_number || ' is negative'
      WHEN instrument IS NULL OR instrument = '' THEN 'instrument is empty'
      WHEN {_range_check(ranges)} IS NOT TRUE AND instrument NOT IN
        ({", ".join("'" + r.instrument_id + "'" for r in ranges) or "''"})
        THEN 'unknown instrument ' || instrument || ' (known: {known})'
      {raw_total}
      {range_cases}
      ELSE NULL END"""


@dataclass(frozen=True)
class Source:
    """The file as one SQL relation with an ``ok`` column (see metrics.aggregate_sql)."""

    path: Path
    kind: str
    sql: str
    parquet_total_is_text: bool


def open_source(
    con: duckdb.DuckDBPyConnection, path: Path, ranges: Sequence[InstrumentRange]
) -> Source:
    """Check the file and its header; return the relation that validates rows as it reads."""
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    kind = file_kind(path)
    text_total = False
    native: str | None = None
    if kind == "csv":
        _check_columns(path, _csv_header(path))
    else:
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {_reader(path, kind)}").fetchall()
        except duckdb.Error as exc:
            raise DataFileError(f"{path.name}: cannot read the file ({_first_line(exc)})") from None
        _check_columns(path, [d[0] for d in described])
        text_total = any(d[0] == "total" and "CHAR" in str(d[1]).upper() for d in described)
        native = _typed_native(described)
    typed = f"SELECT {native or _typed(kind, text_total)} FROM {_reader(path, kind)}"
    sql = f"""(SELECT episode_id, client_id, clinician_id,
        CASE WHEN ok THEN CAST(session_number AS INTEGER) END AS session_number,
        CASE WHEN ok THEN instrument END AS instrument,
        CASE WHEN ok THEN total END AS total, ok
      FROM (SELECT *, {_ok(ranges, text_total, native is not None)} AS ok FROM ({typed})))"""
    return Source(path, kind, sql, text_total)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def reject_count(con: duckdb.DuckDBPyConnection, kind: str) -> int:
    """Lines the CSV reader could not parse in this connection's scans."""
    if kind != "csv":
        return 0
    try:
        row = con.execute("SELECT count(DISTINCT line) FROM reject_errors").fetchone()
    except duckdb.Error:
        return 0
    return int(row[0]) if row else 0


def bad_row_details(
    path: Path, source: Source, ranges: Sequence[InstrumentRange], *, max_reported: int = 100
) -> list[BadRow]:
    """The slow path, run only when a file has bad rows: the first ``max_reported`` bad rows
    in file order with their line numbers and reasons. Uses its own connection so the reject
    table holds this one scan."""
    con = duckdb.connect()
    try:
        # A table keeps file order in its rowid; the rejected CSV lines are not in it.
        con.execute(
            f"CREATE TEMP TABLE raw AS SELECT {_typed(source.kind, source.parquet_total_is_text)} "
            f"FROM {_reader(path, source.kind)}"
        )
        con.execute(
            f"CREATE TEMP TABLE checked AS SELECT rowid AS idx, "
            f"{_problem(ranges, source.kind, source.parquet_total_is_text)} AS problem FROM raw"
        )
        rule_bad = con.execute(
            f"SELECT idx, problem FROM checked WHERE problem IS NOT NULL ORDER BY idx "
            f"LIMIT {int(max_reported)}"
        ).fetchall()
        rejects = _csv_rejects(con) if source.kind == "csv" else []
    except duckdb.Error as exc:
        raise DataFileError(f"{path.name}: cannot read the file ({_first_line(exc)})") from None
    finally:
        con.close()
    return _merge_bad(rejects, rule_bad, source.kind)[:max_reported]


def _csv_rejects(con: duckdb.DuckDBPyConnection) -> list[BadRow]:
    rows = con.execute(
        "SELECT line, column_name, error_type FROM reject_errors ORDER BY line"
    ).fetchall()
    out: list[BadRow] = []
    seen: set[int] = set()
    for line, column, error_type in rows:
        if int(line) in seen:  # one report per line
            continue
        seen.add(int(line))
        out.append(BadRow(int(line), _reject_reason(str(error_type), column)))
    return out


def _reject_reason(error_type: str, column: str | None) -> str:
    if error_type == "CAST":
        allowed = {
            "total": "a number or empty",
            "date": "a date YYYY-MM-DD",
            "session_number": "a whole number",
        }.get(str(column), "a value")
        return f"{column} is not valid (allowed: {allowed})"
    if error_type == "MISSING COLUMNS":
        return f"missing column(s): the row ends before {column}"
    if error_type == "TOO MANY COLUMNS":
        return "too many fields on this line"
    return f"cannot parse this line ({error_type.lower()})"


def _merge_bad(rejects: list[BadRow], rule_bad: list[tuple[Any, ...]], kind: str) -> list[BadRow]:
    """Turn table positions into file lines: rows that DuckDB rejected are not in the table,
    so each rejected line before a row shifts it by one (header = line 1)."""
    if kind != "csv":
        return [BadRow(int(idx) + 1, str(problem)) for idx, problem in rule_bad]
    reject_lines = [r.line for r in rejects]
    out = list(rejects)
    for idx, problem in rule_bad:
        line = int(idx) + 2
        # Advance past every rejected line at or before the candidate line (a fixed point).
        while True:
            shifted = int(idx) + 2 + bisect.bisect_right(reject_lines, line)
            if shifted == line:
                break
            line = shifted
        out.append(BadRow(line, str(problem)))
    return sorted(out, key=lambda b: b.line)
