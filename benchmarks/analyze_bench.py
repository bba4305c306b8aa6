"""Benchmark `holdspace analyze` against pandas and a hand-written DuckDB query.

    uv run python benchmarks/analyze_bench.py                 # 1,000,000 episodes (~17.6 M rows)
    uv run python benchmarks/analyze_bench.py --episodes 20000   # quick run

Each implementation runs in its own child process so its peak memory (max RSS) is its own;
the time is the work inside the child that produces its result (imports excluded; turning the
result into lists of counts for the agreement check is not timed), best of --repeat runs
(default 3), the implementations taking turns. DuckDB runs on as many threads as the machine
has cores (its default; checked). Data is generated once with holdspace.synth (seed 0) and
kept in --dir. The three must agree on every count (overall and per clinician); the script
prints the ratios against the targets: pandas / analyze >= 20, analyze / hand-written <= 1.5,
analyze peak RSS < 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

COUNTS = (
    "n_episodes",
    "n_finished",
    "n_paired",
    "n_caseness_first",
    "n_recovered",
    "n_reliable_improvement",
    "n_reliable_recovery",
    "n_reliable_deterioration",
)


# --- the three implementations (run in a child process) -----------------------------------


def run_analyze(path: Path) -> dict:
    from holdspace.analytics import analyze

    return analyze(path).summary


def counts_analyze(summary: dict) -> dict:
    from holdspace.analytics.metrics import METRICS

    def counts(entry: dict) -> list[int]:
        out = [entry["episodes"]]
        for metric in METRICS:
            out.append(entry[metric]["count"])
        return out

    # METRICS order: finished, paired, caseness, recovery, RI, RR, RD -> COUNTS order.
    overall = counts(summary)
    by = {k: counts(v) for k, v in summary["by_clinician"].items()}
    return {"overall": _reorder(overall), "by_clinician": {k: _reorder(v) for k, v in by.items()}}


def _reorder(values: list[int]) -> list[int]:
    episodes, finished, paired, caseness, recovery, ri, rr, rd = values
    return [episodes, finished, paired, caseness, recovery, ri, rr, rd]


HAND_SQL = """
WITH e AS (
  SELECT episode_id, any_value(clinician_id) AS clinician_id,
    min(session_number) FILTER (WHERE total IS NOT NULL) AS fs,
    max(session_number) FILTER (WHERE total IS NOT NULL) AS ls,
    arg_min(total, session_number) FILTER (WHERE instrument = 'phq9' AND total IS NOT NULL) AS d1,
    arg_max(total, session_number) FILTER (WHERE instrument = 'phq9' AND total IS NOT NULL) AS d2,
    min(session_number) FILTER (WHERE instrument = 'phq9' AND total IS NOT NULL) AS d1s,
    max(session_number) FILTER (WHERE instrument = 'phq9' AND total IS NOT NULL) AS d2s,
    arg_min(total, session_number) FILTER (WHERE instrument = 'gad7' AND total IS NOT NULL) AS a1,
    arg_max(total, session_number) FILTER (WHERE instrument = 'gad7' AND total IS NOT NULL) AS a2,
    min(session_number) FILTER (WHERE instrument = 'gad7' AND total IS NOT NULL) AS a1s,
    max(session_number) FILTER (WHERE instrument = 'gad7' AND total IS NOT NULL) AS a2s
  FROM {source} GROUP BY episode_id
), f AS (
  SELECT clinician_id, fs < ls AS finished, d1s < d2s AND a1s < a2s AS paired,
    d1 >= 10 OR a1 >= 8 AS case1, d2 >= 10 OR a2 >= 8 AS case2,
    d1 - d2 >= 6 OR a1 - a2 >= 4 AS down, d2 - d1 >= 6 OR a2 - a1 >= 4 AS up
  FROM e
)
SELECT clinician_id, GROUPING(clinician_id) = 1 AS overall, count(*),
  count_if(finished), count_if(paired), count_if(paired AND case1),
  count_if(paired AND case1 AND NOT case2),
  count_if(paired AND down AND NOT up),
  count_if(paired AND case1 AND NOT case2 AND down AND NOT up),
  count_if(paired AND up AND NOT down)
FROM f GROUP BY GROUPING SETS ((), (clinician_id))
"""


def run_handwritten(path: Path) -> list:
    import duckdb

    reader = "read_csv" if path.suffix == ".csv" else "read_parquet"
    source = f"{reader}('{path}')"
    return duckdb.connect().execute(HAND_SQL.format(source=source)).fetchall()


def counts_handwritten(rows: list) -> dict:
    out: dict = {"by_clinician": {}}
    for clinician, overall, *counts in rows:
        if overall:
            out["overall"] = [int(c) for c in counts]
        else:
            out["by_clinician"][str(clinician)] = [int(c) for c in counts]
    return out


def run_pandas(path: Path) -> tuple:
    import pandas as pd

    columns = ["episode_id", "clinician_id", "session_number", "instrument", "total"]
    if path.suffix == ".csv":
        df = pd.read_csv(path, usecols=columns)
    else:
        df = pd.read_parquet(path, columns=columns)
    scored = df.dropna(subset=["total"])
    episodes = df.groupby("episode_id")["clinician_id"].first().to_frame()
    span = scored.groupby("episode_id")["session_number"].agg(["min", "max"])
    episodes["finished"] = (span["max"] > span["min"]).reindex(episodes.index, fill_value=False)
    ordered = scored.sort_values(["episode_id", "instrument", "session_number"])
    grouped = ordered.groupby(["episode_id", "instrument"])
    fl = grouped.agg(
        first=("total", "first"),
        last=("total", "last"),
        first_s=("session_number", "first"),
        last_s=("session_number", "last"),
    ).unstack("instrument")
    d1, d2 = fl[("first", "phq9")], fl[("last", "phq9")]
    a1, a2 = fl[("first", "gad7")], fl[("last", "gad7")]
    paired = (fl[("first_s", "phq9")] < fl[("last_s", "phq9")]) & (
        fl[("first_s", "gad7")] < fl[("last_s", "gad7")]
    )
    case1 = (d1 >= 10) | (a1 >= 8)
    case2 = (d2 >= 10) | (a2 >= 8)
    down = (d1 - d2 >= 6) | (a1 - a2 >= 4)
    up = (d2 - d1 >= 6) | (a2 - a1 >= 4)
    flags = pd.DataFrame(
        {
            "paired": paired,
            "case1": paired & case1,
            "recovered": paired & case1 & ~case2,
            "ri": paired & down & ~up,
            "rr": paired & case1 & ~case2 & down & ~up,
            "rd": paired & up & ~down,
        }
    ).reindex(episodes.index, fill_value=False)
    episodes = episodes.join(flags)
    cols = ["finished", "paired", "case1", "recovered", "ri", "rr", "rd"]
    # What an analyst writes: one vectorised groupby, overall and per clinician.
    overall = [len(episodes), *episodes[cols].sum().tolist()]
    by = episodes.groupby("clinician_id")[cols].sum()
    by.insert(0, "episodes", episodes.groupby("clinician_id").size())
    return overall, by


def counts_pandas(result: tuple) -> dict:
    overall, by = result
    by_clinician = {
        str(k): [int(v) for v in values] for k, values in zip(by.index, by.to_numpy(), strict=True)
    }
    return {"overall": [int(v) for v in overall], "by_clinician": by_clinician}


def _warm_imports(impl: str) -> None:
    """Import before the clock starts: the benchmark times the work, not interpreter start-up."""
    import duckdb  # noqa: F401

    if impl == "pandas":
        import pandas  # noqa: F401
    if impl == "analyze":
        # analyze fetches numpy columns; DuckDB imports numpy and numpy.ma on first use.
        import numpy.ma  # noqa: F401

        from holdspace.analytics import instrument_ranges

        instrument_ranges()


# name -> (the timed work, the untimed conversion to comparable counts). Only each
# implementation's own result is timed; turning it into lists of counts for the agreement
# check is the harness's work, not the implementation's.
def _duckdb_threads() -> int:
    """DuckDB's thread count in a fresh connection (its default is the machine's cores)."""
    import duckdb

    row = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()
    return int(row[0]) if row else 0


IMPLEMENTATIONS = {
    "analyze": (run_analyze, counts_analyze),
    "handwritten": (run_handwritten, counts_handwritten),
    "pandas": (run_pandas, counts_pandas),
}


# --- the parent: data, timing, memory, agreement -------------------------------------------


def child(impl: str, path: Path, out: Path) -> tuple[float, float]:
    """Run one implementation in a child process; returns (seconds of work, peak RSS in GB)."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--run", impl, "--file", str(path), "--result", str(out)]
    )
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{impl} on {path.name} failed (status {status})")
    seconds = float(json.loads(out.read_text()).pop("seconds"))
    return seconds, usage.ru_maxrss / 1024 / 1024  # KB -> GB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/holdspace-bench"))
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs per implementation (best)")
    parser.add_argument("--run", choices=sorted(IMPLEMENTATIONS))
    parser.add_argument("--file", type=Path)
    parser.add_argument("--result", type=Path)
    args = parser.parse_args()
    if args.run:
        _warm_imports(args.run)
        work, to_counts = IMPLEMENTATIONS[args.run]
        started = time.perf_counter()
        raw = work(args.file)
        seconds = time.perf_counter() - started
        result = to_counts(raw)
        result["seconds"] = seconds
        result["duckdb_threads"] = _duckdb_threads()
        args.result.write_text(json.dumps(result))
        return
    from holdspace.synth import write_file

    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"analyze benchmark: {args.episodes} episodes, {os.cpu_count()} cores")
    for fmt in args.formats.split(","):
        path = args.dir / f"synth_{args.episodes}.{fmt}"
        if not path.exists():
            started = time.perf_counter()
            rows = write_file(path, args.episodes, seed=0)
            print(f"  generated {path} ({rows} rows) in {time.perf_counter() - started:.1f}s")
        results: dict[str, dict] = {}
        times: dict[str, tuple[float, float]] = {}
        impls = ["handwritten", "analyze"] + ([] if args.skip_pandas else ["pandas"])
        runs: dict[str, list[tuple[float, float]]] = {impl: [] for impl in impls}
        # Best of --repeat runs, each in a fresh process, taken in turns (hand-written,
        # analyze, pandas, hand-written, …) so that load from other work on a shared machine
        # falls on all of them alike rather than on whichever ran during a busy minute.
        for _ in range(args.repeat):
            for impl in impls:
                runs[impl].append(child(impl, path, args.dir / f"result_{impl}_{fmt}.json"))
        for impl in impls:
            out = args.dir / f"result_{impl}_{fmt}.json"
            times[impl] = (min(r[0] for r in runs[impl]), max(r[1] for r in runs[impl]))
            results[impl] = json.loads(out.read_text())
            results[impl].pop("seconds", None)
            threads = results[impl].pop("duckdb_threads", None)
            if impl != "pandas" and threads != os.cpu_count():
                raise SystemExit(f"DuckDB ran on {threads} threads, not {os.cpu_count()} cores")
            print(f"  {fmt:8s} {impl:12s} {times[impl][0]:8.2f}s  peak RSS {times[impl][1]:.2f} GB")
        agree = all(results[i] == results["analyze"] for i in impls)
        overall = dict(zip(COUNTS, results["analyze"]["overall"], strict=True))
        print(f"  {fmt}: overall counts {overall}")
        print(f"  {fmt}: the {len(impls)} implementations agree on every count: {agree}")
        ratio_hand = times["analyze"][0] / times["handwritten"][0]
        print(f"  {fmt}: analyze / hand-written = {ratio_hand:.2f}x (target <= 1.5)")
        if "pandas" in times:
            ratio_pd = times["pandas"][0] / times["analyze"][0]
            print(f"  {fmt}: pandas / analyze = {ratio_pd:.1f}x (target >= 20)")
        print(f"  {fmt}: analyze peak RSS {times['analyze'][1]:.2f} GB (target < 4)")
        if not agree:
            raise SystemExit("the implementations disagree")


if __name__ == "__main__":
    main()
