"""Seeded synthetic outcome data, for the demo, the tests and the benchmarks.

Nothing here is real or derived from real people. Five documented trajectory types (see
docs/analytics.md, "Synthetic data"):

- ``improving``: scores fall smoothly toward a lower plateau (a fall of 35–80% of intake).
- ``flat``: scores wander around the intake score.
- ``deteriorating``: scores rise smoothly (25–60% of intake).
- ``sudden_gain``: flat, then one large drop (40–70%) between sessions 3 and 6.
- ``early_leaver``: one to three sessions, then no more data (stopped attending).

Two entry points: :func:`generate_arrays` / :func:`write_file` make a whole caseload as
columns (fast: a million episodes in seconds), and :func:`generate_episode` makes one episode
as plain dataclasses with alliance scores, attendance and risk flags, for building a demo
caseload in which every signal shows. Both use the same trajectory function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

# One attendance record type across the core: synthetic episodes use the signals' own.
from holdspace.signals import Attendance, ClientSeries, Measurement

Kind = Literal["improving", "flat", "deteriorating", "sudden_gain", "early_leaver"]
KINDS: tuple[Kind, ...] = ("improving", "flat", "deteriorating", "sudden_gain", "early_leaver")
DEFAULT_MIX: dict[Kind, float] = {
    "improving": 0.45,
    "flat": 0.20,
    "deteriorating": 0.08,
    "sudden_gain": 0.12,
    "early_leaver": 0.15,
}
Alliance = Literal["good", "rupture", "low"]
START = date(2024, 1, 1)
PHQ9_MAX, GAD7_MAX, WAISR_MIN, WAISR_MAX = 27, 21, 12, 60

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _fraction(
    kind_code: IntArray, session: FloatArray, size: FloatArray, tau: FloatArray, jump: IntArray
) -> FloatArray:
    """Relative change from intake at each session (negative = better); vectorised."""
    ramp = 1.0 - np.exp(-(session - 1.0) / tau)
    out = np.zeros_like(session)
    out = np.where(kind_code == 0, -size * ramp, out)
    out = np.where(kind_code == 2, size * ramp, out)
    out = np.where(kind_code == 3, np.where(session >= jump, -size, 0.0), out)
    out = np.where(kind_code == 4, -0.05 * (session - 1.0), out)
    return out


def _episode_params(kinds: IntArray, rng: np.random.Generator) -> dict[str, Any]:
    n = kinds.size
    size = rng.uniform(0.35, 0.8, n)
    size = np.where(kinds == 2, rng.uniform(0.25, 0.6, n), size)
    size = np.where(kinds == 3, rng.uniform(0.4, 0.7, n), size)
    sessions = rng.integers(6, 15, n)
    sessions = np.where(kinds == 4, rng.integers(1, 4, n), sessions)
    phq0 = np.clip(rng.normal(16.0, 4.5, n), 3, PHQ9_MAX)
    gad0 = np.clip(0.6 * phq0 * GAD7_MAX / PHQ9_MAX + rng.normal(3.0, 3.0, n), 0, GAD7_MAX)
    return {
        "size": size,
        "tau": rng.uniform(1.5, 5.0, n),
        "jump": rng.integers(3, 7, n),
        "sessions": sessions.astype(np.int64),
        "phq0": phq0,
        "gad0": gad0,
        "opened": rng.integers(0, 365, n),
    }


def _scores(base: FloatArray, frac: FloatArray, top: int, rng: np.random.Generator) -> FloatArray:
    # Change is proportional to the intake score; the scale's ceiling caps it.
    noisy = base * (1.0 + frac) + rng.normal(0.0, 1.3, base.size)
    return np.clip(np.rint(noisy), 0, top)


def generate_arrays(
    episodes: int,
    *,
    seed: int = 0,
    mix: dict[Kind, float] | None = None,
    clinicians: int | None = None,
    missing_rate: float = 0.03,
) -> dict[str, Any]:
    """A caseload in long format as numpy columns (ids as integers).

    Columns: episode (int), clinician (int), kind (int index into KINDS), session_number,
    day (days since 2024-01-01), instrument ("phq9"/"gad7" as 0/1), total (float, NaN = missing).
    """
    rng = np.random.default_rng(seed)
    weights = mix or DEFAULT_MIX
    probs = np.array([weights.get(k, 0.0) for k in KINDS], dtype=float)
    kinds = rng.choice(len(KINDS), size=episodes, p=probs / probs.sum()).astype(np.int64)
    p = _episode_params(kinds, rng)
    n_clin = clinicians or max(1, episodes // 40)
    idx = np.repeat(np.arange(episodes, dtype=np.int64), p["sessions"])
    starts = np.cumsum(p["sessions"]) - p["sessions"]
    session = np.arange(idx.size, dtype=np.int64) - np.repeat(starts, p["sessions"]) + 1
    frac = _fraction(
        kinds[idx], session.astype(float), p["size"][idx], p["tau"][idx], p["jump"][idx]
    )
    phq = _scores(p["phq0"][idx], frac, PHQ9_MAX, rng)
    gad = _scores(p["gad0"][idx], frac, GAD7_MAX, rng)
    for scores in (phq, gad):
        scores[rng.random(scores.size) < missing_rate] = np.nan
    day = p["opened"][idx] + 7 * (session - 1)
    # Interleave: each session has a PHQ-9 row then a GAD-7 row.
    return {
        "episode": np.repeat(idx, 2),
        "clinician": np.repeat(idx % n_clin, 2),
        "kind": np.repeat(kinds[idx], 2),
        "session_number": np.repeat(session, 2),
        "day": np.repeat(day, 2),
        "instrument": np.tile(np.array([0, 1], dtype=np.int8), idx.size),
        "total": np.column_stack([phq, gad]).ravel(),
    }


def write_file(path: Path, episodes: int, *, seed: int = 0, **kwargs: Any) -> int:
    """Write a caseload as CSV or Parquet (by extension); returns the number of rows."""
    import duckdb
    import pyarrow as pa

    cols = generate_arrays(episodes, seed=seed, **kwargs)
    table = pa.table(cols)  # noqa: F841  (read by DuckDB by name below)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"{path.name}: the output must end in .csv or .parquet")
    fmt = "(FORMAT csv, HEADER true)" if suffix == ".csv" else "(FORMAT parquet)"
    quoted = "'" + str(path).replace("'", "''") + "'"
    con = duckdb.connect()
    con.register("synth_table", table)
    con.execute(
        f"""COPY (
          SELECT 'e' || episode AS episode_id, 'c' || episode AS client_id,
            't' || clinician AS clinician_id, session_number,
            DATE '2024-01-01' + CAST(day AS INTEGER) AS date,
            CASE instrument WHEN 0 THEN 'phq9' ELSE 'gad7' END AS instrument,
            CASE WHEN isnan(total) THEN NULL ELSE CAST(total AS INTEGER) END AS total
          FROM synth_table) TO {quoted} {fmt}"""
    )
    return int(cols["episode"].size)


# --- One episode as plain data (for the demo and the signal tests) -----------------------


@dataclass(frozen=True)
class SynthMeasurement:
    session_number: int
    date: date
    instrument: str
    total: float | None
    has_risk: bool = False


@dataclass(frozen=True)
class SynthEpisode:
    episode_id: str
    client_id: str
    clinician_id: str
    kind: Kind
    opened: date
    measurements: list[SynthMeasurement] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)


def generate_episode(
    kind: Kind,
    rng: np.random.Generator,
    *,
    episode_id: str = "e1",
    client_id: str = "c1",
    clinician_id: str = "t1",
    opened: date = START,
    sessions: int | None = None,
    alliance: Alliance = "good",
    risk_sessions: tuple[int, ...] = (),
    missed_sessions: tuple[int, ...] = (),
    days_between: int = 7,
) -> SynthEpisode:
    """One episode: PHQ-9 and GAD-7 at every attended session, WAI-SR after it.

    ``alliance``: "good" (about 48/60, steady), "rupture" (drops 12 points at two-thirds of the
    way) or "low" (about 30/60 from the start). ``risk_sessions`` mark PHQ-9 item 9 above 0.
    ``missed_sessions`` are recorded as missed (odd positions) or cancelled, with no measures.
    """
    code = np.array([KINDS.index(kind)], dtype=np.int64)
    p = _episode_params(code, rng)
    n = sessions if sessions is not None else int(p["sessions"][0])
    measurements: list[SynthMeasurement] = []
    attendance: list[Attendance] = []
    s = np.arange(1, n + 1, dtype=float)
    frac = _fraction(
        np.repeat(code, n),
        s,
        np.repeat(p["size"], n),
        np.repeat(p["tau"], n),
        np.repeat(p["jump"], n),
    )
    phq = _scores(np.repeat(p["phq0"], n), frac, PHQ9_MAX, rng)
    gad = _scores(np.repeat(p["gad0"], n), frac, GAD7_MAX, rng)
    wai = _alliance(alliance, n, rng)
    for i in range(n):
        number = i + 1
        when = opened + timedelta(days=days_between * i)
        if number in missed_sessions:
            status: Literal["missed", "cancelled"] = (
                "missed" if missed_sessions.index(number) % 2 == 0 else "cancelled"
            )
            attendance.append(Attendance(number, when, status))
            continue
        attendance.append(Attendance(number, when, "attended"))
        risk = number in risk_sessions
        measurements += [
            SynthMeasurement(number, when, "phq9", float(max(phq[i], 1.0 if risk else 0.0)), risk),
            SynthMeasurement(number, when, "gad7", float(gad[i])),
            SynthMeasurement(number, when, "waisr", float(wai[i])),
        ]
    return SynthEpisode(episode_id, client_id, clinician_id, kind, opened, measurements, attendance)


def _alliance(pattern: Alliance, n: int, rng: np.random.Generator) -> FloatArray:
    base = {"good": 48.0, "rupture": 50.0, "low": 30.0}[pattern]
    values = base + rng.normal(0.0, 1.0, n)
    if pattern == "rupture" and n >= 3:
        values[max(2, (2 * n) // 3) :] -= 12.0
    return np.clip(np.rint(values), WAISR_MIN, WAISR_MAX)


def to_client_series(episode: SynthEpisode, *, is_open: bool = True) -> ClientSeries:
    """The episode as a :class:`holdspace.signals.ClientSeries` (for the demo)."""
    return ClientSeries(
        opened=episode.opened,
        measurements=[
            Measurement(m.instrument, m.session_number, m.date, m.total, m.has_risk)
            for m in episode.measurements
        ],
        attendance=list(episode.attendance),
        open=is_open,
    )
