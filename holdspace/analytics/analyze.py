"""`analyze`: read, validate, compute the per-episode table and the service summary."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from holdspace.analytics.load import (
    DataFileError,
    InstrumentRange,
    Loaded,
    Source,
    bad_row_details,
    open_source,
    reject_count,
)
from holdspace.analytics.metrics import aggregate_sql, flags_sql, summary_from_columns, summary_sql
from holdspace.change import TalkingTherapiesConfig


def instrument_ranges() -> list[InstrumentRange]:
    """Every instrument with a definition, with its total range (the instrument API)."""
    from holdspace.instruments import all_instruments

    return [
        InstrumentRange(i.id, float(i.total_min), float(i.total_max)) for i in all_instruments()
    ]


@dataclass(frozen=True)
class AnalyzeResult:
    summary: dict[str, Any]
    loaded: Loaded
    outputs: list[Path] = field(default_factory=list)


def thresholds_dict(config: TalkingTherapiesConfig) -> dict[str, Any]:
    return {
        "depression": config.depression,
        "anxiety": config.anxiety,
        "depression_caseness": config.depression_caseness,
        "anxiety_caseness": config.anxiety_caseness,
        "depression_reliable_change": config.depression_reliable_change,
        "anxiety_reliable_change": config.anxiety_reliable_change,
        "deterioration_rule": config.deterioration_rule,
        "finished_min_sessions": config.finished_min_sessions,
        "sources": dict(config.sources),
    }


def analyze(
    path: Path,
    *,
    config: TalkingTherapiesConfig | None = None,
    ranges: Sequence[InstrumentRange] | None = None,
    out: Path | None = None,
    strict: bool = False,
    connection: duckdb.DuckDBPyConnection | None = None,
    run: Callable[[duckdb.DuckDBPyConnection, str], Any] | None = None,
) -> AnalyzeResult:
    """Compute the service summary for one data file.

    ``strict`` raises :class:`DataFileError` at the first bad row instead of skipping it.
    ``run(con, sql)`` executes the long statement (used for the CLI's progress bar). With a
    ``connection`` or ``out``, the connection keeps the per-episode table ``episodes``.
    """
    cfg = config or TalkingTherapiesConfig()
    con = connection or duckdb.connect()
    known = list(ranges) if ranges is not None else instrument_ranges()
    source = open_source(con, path, known)
    keep = out is not None or connection is not None
    try:
        table = _summary_table(con, source, cfg, keep=keep, run=run)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(f"{path.name}: cannot read the file ({first})") from None
    at = int(table["is_overall"].argmax())  # the GROUPING SETS query always has this row
    overall = {name: table[name][at] for name in ("valid_rows", "bad_rows")}
    loaded = _loaded(con, path, source, known, overall)
    if strict and loaded.bad_rows:
        first_bad = loaded.bad_rows[0]
        raise DataFileError(f"{path.name}: line {first_bad.line}: {first_bad.reason}")
    summary = {
        **summary_from_columns(table),
        "rows": loaded.total_rows,
        "valid_rows": loaded.valid_rows,
        "bad_rows": loaded.bad_count,
        "bad_row_examples": [b.to_dict() for b in loaded.bad_rows],
        "thresholds": thresholds_dict(cfg),
    }
    outputs = _write_outputs(con, out, summary) if out is not None else []
    return AnalyzeResult(summary, loaded, outputs)


def _summary_table(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    cfg: TalkingTherapiesConfig,
    *,
    keep: bool,
    run: Callable[[duckdb.DuckDBPyConnection, str], Any] | None,
) -> dict[str, Any]:
    """One pass over the file: read, validate, aggregate, count bad rows, summarise. The
    per-episode table is materialised only when kept (a million-row table on big files).
    The summary comes back as numpy columns: fetching tens of thousands of clinician rows as
    Python tuples cost more than the rest of the summary."""
    episodes = flags_sql(
        f"({aggregate_sql(source.sql, cfg, 'duckdb')}) AS agg", cfg, only_valid=False
    )
    if keep:
        _execute(con, f"CREATE OR REPLACE TEMP TABLE episodes_all AS {episodes}", run)
        result = con.execute(summary_sql("episodes_all"))
    else:
        result = _execute(con, summary_sql(f"({episodes}) AS episodes_all"), run)
    table: dict[str, Any] = result.fetchnumpy()
    if keep:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE episodes AS "
            "SELECT * EXCLUDE (valid_rows, bad_rows) FROM episodes_all WHERE valid_rows > 0"
        )
    return table


def _execute(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    run: Callable[[duckdb.DuckDBPyConnection, str], Any] | None,
) -> Any:
    return run(con, sql) if run is not None else con.execute(sql)


def _loaded(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: Source,
    ranges: Sequence[InstrumentRange],
    overall: dict[str, Any],
) -> Loaded:
    valid, bad = int(overall["valid_rows"] or 0), int(overall["bad_rows"] or 0)
    rejected = reject_count(con, source.kind)
    total_bad = bad + rejected
    details = bad_row_details(path, source, ranges) if total_bad else []
    return Loaded(source.kind, valid + total_bad, valid, total_bad, details)


def episode_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The per-episode table as dicts (for tests and small files)."""
    result = con.execute("SELECT * FROM episodes ORDER BY episode_id")
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def _write_outputs(
    con: duckdb.DuckDBPyConnection, out: Path, summary: dict[str, Any]
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    episodes = out / "episodes.parquet"
    quoted = "'" + str(episodes).replace("'", "''") + "'"
    con.execute(f"COPY (SELECT * FROM episodes ORDER BY episode_id) TO {quoted} (FORMAT parquet)")
    summary_path = out / "summary.json"
    summary_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return [episodes, summary_path]


def scored_rows(
    path: Path, instrument_id: str, *, max_episodes: int | None = None, seed: int = 0
) -> tuple[Any, Any, Any]:
    """Valid, non-missing scores of one instrument as numpy arrays (episode code, session,
    total), sorted by episode then session; optionally a seeded sample of episodes."""
    import numpy as np

    con = duckdb.connect()
    source = open_source(con, path, instrument_ranges())
    quoted = "'" + instrument_id.replace("'", "''") + "'"
    sample = ""
    if max_episodes is not None:
        sample = (
            f"AND episode_id IN (SELECT episode_id FROM (SELECT DISTINCT episode_id FROM "
            f"{source.sql} WHERE ok) USING SAMPLE {int(max_episodes)} ROWS "
            f"(reservoir, {int(seed)}))"
        )
    try:
        episode, session, total = (
            con.execute(
                f"""SELECT dense_rank() OVER (ORDER BY episode_id) - 1, session_number, total
            FROM {source.sql} WHERE ok AND instrument = {quoted} AND total IS NOT NULL {sample}
            ORDER BY episode_id, session_number"""
            )
            .fetchnumpy()
            .values()
        )
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(f"{path.name}: cannot read the file ({first})") from None
    return (
        np.asarray(episode, dtype=np.int64),
        np.asarray(session, dtype=np.int64),
        np.asarray(total, dtype=np.float64),
    )
