"""The service metrics as SQL, written once for DuckDB and PostgreSQL.

Both engines run the same statements over a relation of scored rows with the columns
``episode_id, client_id, clinician_id, session_number, instrument, total`` (text ids). Only the
"value at the first / last session" aggregate differs by dialect (DuckDB's ``arg_min`` is much
faster than an ordered ``array_agg``); ties at one session take the lower first and higher last
value in both.

The definitions are the NHS Talking Therapies ones in :mod:`holdspace.change` (see
docs/analytics.md); the pure-Python :func:`holdspace.change.talking_therapies_outcome` is the
reference that the golden tests hold both SQL paths to.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from holdspace.change import OUTCOME_FLAGS, Z_95, TalkingTherapiesConfig, wilson_interval

Dialect = Literal["duckdb", "postgres"]

# Metric name -> (count column, denominator column) in the summary query.
METRICS: dict[str, tuple[str, str]] = {
    "finished": ("n_finished", "n_episodes"),
    "paired": ("n_paired", "n_episodes"),
    "caseness_at_first": ("n_caseness_first", "n_paired"),
    "recovery": ("n_recovered", "n_caseness_first"),
    "reliable_improvement": ("n_reliable_improvement", "n_paired"),
    "reliable_recovery": ("n_reliable_recovery", "n_caseness_first"),
    "reliable_deterioration": ("n_reliable_deterioration", "n_paired"),
}

# The columns of the per-episode table that `analyze --out` writes (episodes.parquet).
EPISODE_COLUMNS = (
    "episode_id",
    "client_id",
    "clinician_id",
    "first_session",
    "last_session",
    "dep_first",
    "dep_first_session",
    "dep_last",
    "dep_last_session",
    "anx_first",
    "anx_first_session",
    "anx_last",
    "anx_last_session",
    *OUTCOME_FLAGS,
)


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _num(value: float) -> str:
    return repr(float(value))


def _first_last(dialect: Dialect, cond: str) -> tuple[str, str]:
    if dialect == "duckdb":
        # Orders by session, then by the whole part of the total (validated totals are far
        # below 1e5): the PostgreSQL ordered array's tie-break for integer totals, and an
        # integer key keeps DuckDB's arg_min fast.
        key = "session_number * 100000 + CAST(total AS INTEGER)"
        return (
            f"arg_min(total, {key}) FILTER (WHERE {cond})",
            f"arg_max(total, {key}) FILTER (WHERE {cond})",
        )
    return (
        f"(array_agg(total ORDER BY session_number, total) FILTER (WHERE {cond}))[1]",
        f"(array_agg(total ORDER BY session_number DESC, total DESC) FILTER (WHERE {cond}))[1]",
    )


def aggregate_sql(source: str, config: TalkingTherapiesConfig, dialect: Dialect) -> str:
    """One row per episode id: first/last scores, plus ``valid_rows`` and ``bad_rows``.

    ``source`` has the columns episode_id, client_id, clinician_id, session_number, instrument,
    total and ``ok`` (FALSE for a row that breaks a rule; such a row has NULL instrument and
    total, so it counts only in ``bad_rows``). One pass over the data does both jobs.
    """
    # Each row's conditions are computed once in a projection and read by every aggregate
    # that filters on them (a few per cent less CPU on DuckDB than repeating them in each
    # FILTER, measured on the 17.6 M-row benchmark file).
    dep, anx = "is_dep", "is_anx"
    dep_first, dep_last = _first_last(dialect, dep)
    anx_first, anx_last = _first_last(dialect, anx)
    extra = ""
    if config.finished_min_sessions != 2:
        extra = ", count(DISTINCT session_number) FILTER (WHERE scored) AS scored_sessions"
    # An episode belongs to one client and one clinician. PostgreSQL takes min(); DuckDB's
    # any_value() is much cheaper on strings and gives the same answer for such data.
    pick = "any_value" if dialect == "duckdb" else "min"
    return f"""
  SELECT episode_id,
    {pick}(client_id) FILTER (WHERE ok) AS client_id,
    {pick}(clinician_id) FILTER (WHERE ok) AS clinician_id,
    count(*) FILTER (WHERE ok) AS valid_rows, count(*) FILTER (WHERE NOT ok) AS bad_rows,
    min(session_number) FILTER (WHERE scored) AS first_session,
    max(session_number) FILTER (WHERE scored) AS last_session,
    {dep_first} AS dep_first, min(session_number) FILTER (WHERE {dep}) AS dep_first_session,
    {dep_last} AS dep_last, max(session_number) FILTER (WHERE {dep}) AS dep_last_session,
    {anx_first} AS anx_first, min(session_number) FILTER (WHERE {anx}) AS anx_first_session,
    {anx_last} AS anx_last, max(session_number) FILTER (WHERE {anx}) AS anx_last_session
    {extra}
  FROM (
    SELECT *, total IS NOT NULL AS scored,
      instrument = {_lit(config.depression)} AND total IS NOT NULL AS is_dep,
      instrument = {_lit(config.anxiety)} AND total IS NOT NULL AS is_anx
    FROM {source}
  ) AS scored_rows
  GROUP BY episode_id
"""


def flags_sql(aggregate: str, config: TalkingTherapiesConfig, *, only_valid: bool = True) -> str:
    """The per-episode table from an aggregate relation.

    ``only_valid=False`` keeps ids whose rows were all bad (every flag false or null) so that
    one statement can also total the bad rows; the summary counts only episodes with a valid
    row either way."""
    if config.finished_min_sessions == 2:
        # Two distinct scored sessions <=> lowest and highest scored session differ (no DISTINCT).
        finished = "first_session < last_session"
    else:
        finished = f"scored_sessions >= {int(config.finished_min_sessions)}"
    dc, ac = _num(config.depression_caseness), _num(config.anxiety_caseness)
    drc, arc = _num(config.depression_reliable_change), _num(config.anxiety_reliable_change)
    if config.deterioration_rule == "any":
        deterioration = "(dep_up OR anx_up)"
    else:
        deterioration = "((dep_up OR anx_up) AND NOT (dep_down OR anx_down))"
    return f"""
WITH flags AS (
  SELECT *,
    COALESCE({finished}, FALSE) AS finished,
    COALESCE(dep_first_session < dep_last_session AND anx_first_session < anx_last_session,
             FALSE) AS paired,
    CASE WHEN dep_first IS NULL AND anx_first IS NULL THEN NULL
         ELSE COALESCE(dep_first >= {dc}, FALSE) OR COALESCE(anx_first >= {ac}, FALSE) END
      AS caseness_first,
    CASE WHEN dep_last IS NULL AND anx_last IS NULL THEN NULL
         ELSE COALESCE(dep_last >= {dc}, FALSE) OR COALESCE(anx_last >= {ac}, FALSE) END
      AS caseness_last_any,
    dep_first - dep_last >= {drc} AS dep_down, dep_last - dep_first >= {drc} AS dep_up,
    anx_first - anx_last >= {arc} AS anx_down, anx_last - anx_first >= {arc} AS anx_up
  FROM {aggregate}
  {"WHERE valid_rows > 0" if only_valid else ""}
), outcome AS (
  SELECT *,
    CASE WHEN paired THEN caseness_last_any END AS caseness_last,
    CASE WHEN paired THEN (dep_down OR anx_down) AND NOT (dep_up OR anx_up) END
      AS reliable_improvement,
    CASE WHEN paired THEN {deterioration} END AS reliable_deterioration,
    CASE WHEN paired AND caseness_first THEN NOT caseness_last_any END AS recovered
  FROM flags
)
SELECT episode_id, client_id, clinician_id, first_session, last_session,
  dep_first, dep_first_session, dep_last, dep_last_session,
  anx_first, anx_first_session, anx_last, anx_last_session,
  finished, paired, caseness_first, caseness_last, recovered,
  reliable_improvement, reliable_deterioration,
  CASE WHEN recovered IS NOT NULL THEN recovered AND reliable_improvement END
    AS reliable_recovery,
  valid_rows, bad_rows
FROM outcome
"""


def episodes_sql(source: str, config: TalkingTherapiesConfig, dialect: Dialect) -> str:
    """Aggregate and flags in one statement (the PostgreSQL path and small inputs)."""
    return flags_sql(f"({aggregate_sql(source, config, dialect)}) AS agg", config)


def summary_sql(episodes: str) -> str:
    """Counts overall (clinician_id NULL, is_overall TRUE) and per clinician."""
    return f"""
SELECT clinician_id, GROUPING(clinician_id) = 1 AS is_overall,
  count(*) FILTER (WHERE valid_rows > 0) AS n_episodes,
  CAST(sum(valid_rows) AS BIGINT) AS valid_rows, CAST(sum(bad_rows) AS BIGINT) AS bad_rows,
  count(*) FILTER (WHERE finished) AS n_finished,
  count(*) FILTER (WHERE paired) AS n_paired,
  count(*) FILTER (WHERE paired AND caseness_first) AS n_caseness_first,
  count(*) FILTER (WHERE recovered) AS n_recovered,
  count(*) FILTER (WHERE reliable_improvement) AS n_reliable_improvement,
  count(*) FILTER (WHERE reliable_recovery) AS n_reliable_recovery,
  count(*) FILTER (WHERE reliable_deterioration) AS n_reliable_deterioration
FROM {episodes}
GROUP BY GROUPING SETS ((), (clinician_id))
ORDER BY is_overall DESC, clinician_id
"""


@dataclass(frozen=True)
class Rate:
    count: int
    denominator: int
    rate: float | None
    ci95: tuple[float, float] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "denominator": self.denominator,
            "rate": self.rate,
            "ci95": None if self.ci95 is None else list(self.ci95),
        }


def rates_from_counts(counts: dict[str, int]) -> dict[str, Rate]:
    """Turn one summary row into metric -> Rate (Wilson 95% CI; null rate when n = 0)."""
    out: dict[str, Rate] = {}
    for metric, (num, den) in METRICS.items():
        k, n = int(counts[num]), int(counts[den])
        out[metric] = Rate(k, n, None if n == 0 else k / n, wilson_interval(k, n))
    return out


def wilson_arrays(k: Any, n: Any, z: float = Z_95) -> tuple[Any, Any, Any]:
    """Vectorised :func:`holdspace.change.wilson_interval` (rate, low, high; NaN when n = 0):
    a service with thousands of clinicians needs thousands of intervals."""
    import numpy as np

    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)


def summary_from_rows(rows: list[tuple[Any, ...]], columns: list[str]) -> dict[str, Any]:
    """Shape the summary query's rows into the JSON summary (overall + by_clinician)."""
    if not rows:
        return summary_from_columns({c: [] for c in columns})
    table = dict(zip(columns, zip(*rows, strict=True), strict=True))
    return summary_from_columns(table)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small containers: a service
    with 25,000 clinicians needs about 200,000 dicts and lists, none of them cyclic, and the
    collections their allocation triggers took several times longer than building them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def summary_from_columns(table: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON summary (overall + by_clinician) from the summary query's columns (sequences
    or numpy arrays, e.g. DuckDB's ``fetchnumpy()``), one row per clinician plus the overall
    row. Rates and Wilson intervals are computed for all rows at once with numpy; the only
    per-row Python left is building the JSON-ready dicts."""
    import numpy as np

    if len(table["is_overall"]) == 0:
        empty = {k: v.to_dict() for k, v in rates_from_counts(_zero_counts()).items()}
        return {"episodes": 0, **empty, "by_clinician": {}}

    def ints(column: str) -> Any:
        values = table[column]
        if isinstance(values, np.ndarray):
            return values.astype(np.int64)
        return np.fromiter((int(v) for v in values), dtype=np.int64, count=len(values))

    clinicians = table["clinician_id"]
    clinicians = clinicians.tolist() if isinstance(clinicians, np.ndarray) else list(clinicians)
    is_overall = np.asarray(table["is_overall"], dtype=bool)
    episodes = ints("n_episodes")
    # The overall row, then the clinicians with at least one valid row (ids whose rows were all
    # bad make no clinician line).
    overall_at = int(np.flatnonzero(is_overall)[0])
    keep = np.flatnonzero(~is_overall & (episodes > 0))
    with _collector_paused():
        metric_columns = []
        for num, den in METRICS.values():
            k, n = ints(num), ints(den)
            rate, low, high = wilson_arrays(k, n)
            metric_columns.append(
                [
                    {"count": ki, "denominator": ni, "rate": r, "ci95": [lo, hi]}
                    if ni
                    else {"count": ki, "denominator": 0, "rate": None, "ci95": None}
                    for ki, ni, r, lo, hi in zip(
                        k.tolist(), n.tolist(), rate.tolist(), low.tolist(), high.tolist(),
                        strict=True,
                    )
                ]
            )  # fmt: skip
        names = list(METRICS)
        entries = [
            {"episodes": e, **dict(zip(names, metrics, strict=True))}
            for e, *metrics in zip(episodes.tolist(), *metric_columns, strict=True)
        ]
        overall = entries[overall_at]
        by_clinician = {str(clinicians[i]): entries[i] for i in keep.tolist()}
    return {**overall, "by_clinician": by_clinician}


def _zero_counts() -> dict[str, int]:
    return {col: 0 for pair in METRICS.values() for col in pair}
