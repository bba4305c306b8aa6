"""Fault injection: kill -9 the real server during a burst of check-ins.

Every submission the client saw acknowledged (HTTP 2xx/303 received) must be in the
database after a restart, nothing may be stored twice, and SQLite's integrity check
must pass. Runs `holdspace serve` in a fresh data folder (SQLite), and also on a fresh
PostgreSQL database when the suite runs with DATABASE_URL=postgres://...; 15-40 s each.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from pathlib import Path

import pytest

from benchmarks.checkin_load import (
    INSTRUMENTS,
    Outcome,
    complete_checkin,
    kill_server,
    reset_postgres,
    run_child,
    server_env,
    start_server,
    stop_server,
)

pytestmark = pytest.mark.slow

CLIENTS, LINKS = 8, 12


def burst(port: int, tokens: list[list[str]], results: list[tuple[str, bool, Outcome]]) -> None:
    """Each simulated phone works through its links until the server disappears."""

    def phone(i: int) -> None:
        for j, token in enumerate(tokens[i]):
            risk = j % 4 == 1
            out = Outcome()
            try:
                complete_checkin(port, token, risk=risk, out=out)
            # A connection cut by kill -9 surfaces as either exception family.
            except (OSError, http.client.HTTPException) as exc:
                out.error = type(exc).__name__
            results.append((token, risk, out))
            if out.error:
                return

    threads = [threading.Thread(target=phone, args=(i,), daemon=True) for i in range(len(tokens))]
    for t in threads:
        t.start()


def database_url(db: str) -> str | None:
    if db == "sqlite":
        return None
    url = os.getenv("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("PostgreSQL run only when the suite runs with DATABASE_URL=postgres://...")
    fresh = url.rsplit("/", 1)[0] + "/holdspace_checkin_fault"
    reset_postgres(fresh)
    return fresh


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_kill_9_during_a_burst_loses_no_acknowledged_check_in(db: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = server_env(data, database_url(db))
    tokens: list[list[str]] = run_child("seed", env, str(CLIENTS), str(LINKS))["tokens"]  # type: ignore[assignment]
    server = start_server(data, env)
    results: list[tuple[str, bool, Outcome]] = []
    try:
        burst(server.port, tokens, results)
        deadline = time.monotonic() + 20
        while sum(o.sent for _, _, o in results) < 25 and time.monotonic() < deadline:
            time.sleep(0.05)
        kill_server(server)  # mid-burst: requests are in flight on every phone
    finally:
        stop_server(server)
    time.sleep(1.0)  # let the phones notice the dead server
    snapshot = list(results)
    sent = [t for t, _, o in snapshot if o.sent]
    assert len(sent) >= 10, "the burst was too short to test anything"
    assert any(o.error for _, _, o in snapshot), "the kill did not interrupt any check-in"

    restarted = start_server(data, env)
    try:
        # A check-in cut off by the crash carries on where it was after the restart.
        cut_off = [t for t, _, o in snapshot if not o.sent]
        started = [t for t, _, o in snapshot if not o.sent and o.acknowledged_pages]
        interrupted = (started or cut_off)[0]
        resumed = complete_checkin(restarted.port, interrupted)
    finally:
        stop_server(restarted)
    (data / "tokens.json").write_text(json.dumps([t for per in tokens for t in per]))
    stored = run_child("verify", env, str(data / "tokens.json"))
    per_link: dict[str, dict[str, int]] = stored["per_link"]  # type: ignore[assignment]

    assert stored["vendor"] == ("sqlite" if db == "sqlite" else "postgresql")
    assert stored["integrity"] == ("ok" if db == "sqlite" else "n/a")
    # Either it resumes and is sent now, or its "Send" had committed just before the kill
    # (the phone never saw the answer): then the link says so and the data is there.
    assert resumed.sent or resumed.error == "GET 410"
    assert per_link[interrupted]["used"]
    assert per_link[interrupted]["administrations"] == len(INSTRUMENTS)
    for token in sent:
        assert per_link[token]["used"]
        assert per_link[token]["administrations"] == len(INSTRUMENTS)
    for token, risk, out in snapshot:
        # An acknowledged page is kept as a draft; an acknowledged risk answer is stored.
        assert per_link[token]["drafts"] >= len(out.acknowledged_pages)
        if risk and "phq9" in out.acknowledged_pages:
            assert per_link[token]["administrations"] >= 1
    assert all(v["administrations"] <= len(INSTRUMENTS) for v in per_link.values())
    pages = sum(len(o.acknowledged_pages) for _, _, o in snapshot)
    cut = sum(bool(o.error) for _, _, o in snapshot)
    print(f"{db}: {len(sent)} sends and {pages} pages acknowledged, {cut} cut off by kill -9")
