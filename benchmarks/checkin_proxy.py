"""Check-ins through nginx (TLS) to 3 Holdspace processes, one killed with SIGKILL mid-burst.

    uv run python benchmarks/checkin_proxy.py            # 50 phones x 20 links = 1,000 check-ins

The deployment of benchmarks/proxy_cluster.py (PostgreSQL when reachable, else one SQLite
file). First the floor: the crisis-help page (a Django view, no database) through the same
proxy with the same 50-way concurrency; then the burst, during which one of the 3 processes
is killed after 150 sends and started again. Prints 0 lost / 0 duplicated (checked in the
database) and the p95 of the check-in POSTs against the floor's p95, measured in this run.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import proxy_cluster as pc
from benchmarks.checkin_load import INSTRUMENTS, baseline, percentile


def main() -> None:
    phones, links = 50, 20
    root = Path(tempfile.mkdtemp(prefix="holdspace-proxy-bench-"))
    url = "postgres://postgres@127.0.0.1:5432/holdspace_proxy_bench"
    with pc.cluster(root, database_url=url if pc.postgres_reachable(url) else None) as cluster:
        tokens: list[list[str]] = pc.run_child(cluster, "seed", str(phones), str(links))["tokens"]  # type: ignore[assignment]
        floor = baseline(cluster.connector(), phones, 10, "/c/help/")
        burst = pc.burst_with_kill(cluster, tokens)
        flat = [t for per in tokens for t in per]
        (root / "tokens.json").write_text(json.dumps(flat))
        stored = pc.run_child(cluster, "verify", str(root / "tokens.json"))
    per_link: dict[str, dict[str, int]] = stored["per_link"]  # type: ignore[assignment]
    lost = sum(per_link[t]["administrations"] < len(INSTRUMENTS) for t in burst.acknowledged())
    duplicated = sum(v["administrations"] > len(INSTRUMENTS) for v in per_link.values())
    posts = burst.post_seconds()
    p95, floor95 = percentile(posts, 95), percentile(floor, 95)
    result = {
        "database": cluster.database,
        "checkins": len(flat),
        "acknowledged": len(burst.acknowledged()),
        "lost": lost,
        "duplicated": duplicated,
        "unused_links": sum(not v["used"] for v in per_link.values()),
        "tries_cut_off": burst.interrupted(),
        "killed_after_sends": burst.killed_after_sends,
        "restart_s": round(burst.restart_seconds, 1),
        "wall_s": round(burst.wall_seconds, 1),
        "post_p95_ms": round(1000 * p95, 1),
        "floor_p95_ms": round(1000 * floor95, 1),
        "ratio_p95": round(p95 / floor95, 1),
    }
    print(json.dumps(result))
    print(
        f"{result['database']}: {len(flat)} check-ins via nginx to 3 processes, one killed: "
        f"lost {lost}, duplicated {duplicated}; p95 {result['post_p95_ms']} ms vs trivial page "
        f"{result['floor_p95_ms']} ms through the same proxy = x{result['ratio_p95']}"
    )
    sys.exit(0 if lost == duplicated == result["unused_links"] == 0 else 1)


if __name__ == "__main__":
    main()
