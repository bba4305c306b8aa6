"""Backup cost: `create_backup` / `verify_backup` against a plain SQLite online-backup copy.

The baseline is the part no backup can skip (a consistent copy of the database); the
ratio shows what hashing every table, the manifest and AES-GCM encryption add.

    uv run python benchmarks/backup.py [rows]
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from holdspace.backup import SqliteDatabase, create_backup, verify_backup

PASSPHRASE = "benchmark passphrase only"


def make_database(path: Path, rows: int) -> None:
    rng = random.Random(0)
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE administration (id INTEGER PRIMARY KEY, episode INTEGER, "
        "instrument TEXT, answers TEXT, total REAL, completed_at TEXT)"
    )
    conn.executemany(
        "INSERT INTO administration VALUES (?, ?, ?, ?, ?, ?)",
        (
            (
                i,
                i // 12,
                "phq9",
                json.dumps([rng.randint(0, 3) for _ in range(9)]),
                float(rng.randint(0, 27)),
                f"2026-01-{1 + i % 28:02d} 09:00:00",
            )
            for i in range(rows)
        ),
    )
    conn.commit()
    conn.close()


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "source.sqlite3"
        make_database(source, rows)

        def baseline() -> None:
            src, dst = sqlite3.connect(source), sqlite3.connect(folder / "copy.sqlite3")
            src.backup(dst)
            dst.close()
            src.close()

        base = timed(baseline)
        backup = folder / "b.hsbackup"
        full = timed(lambda: create_backup(SqliteDatabase(source), backup, PASSPHRASE))
        check = timed(lambda: verify_backup(backup, PASSPHRASE))
        size_mb = source.stat().st_size / 1e6
    print(f"rows={rows} database={size_mb:.1f} MB")
    print(f"baseline sqlite online backup: {base:.3f}s")
    print(f"holdspace backup:              {full:.3f}s  ratio {full / base:.1f}x")
    print(f"holdspace backup verify:       {check:.3f}s  ratio {check / base:.1f}x")


if __name__ == "__main__":
    main()
