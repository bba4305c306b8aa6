"""Load test for client check-ins against the real server (`holdspace serve`).

    uv run python benchmarks/checkin_load.py                      # SQLite, then PostgreSQL
    uv run python benchmarks/checkin_load.py --db sqlite --clients 10 --links 5   # quick run

For each database: a fresh data folder (or a fresh PostgreSQL database), 50 clients x 20
check-in links seeded through the app's own services, `holdspace serve` on a free loopback
port, then 50 concurrent clients each complete their 20 check-ins (PHQ-9 + GAD-7, a note,
send). Some check-ins are deliberately retried: a page posted twice, a "Send" repeated,
and a "Send" whose connection is dropped before the answer is read, then sent again.
Every tenth check-in gives a risk answer (the safety path: saved at once, crisis screen).

Afterwards the database must hold exactly 2 administrations per link (zero lost, zero
duplicated) and every link must be used. Latency: p50/p95 of the check-in POSTs, against
a trivial endpoint measured in the same run with the same concurrency: the crisis-help
page (a Django view, no database), and a static file as a second floor.

Bounded: loopback only, every loop has a fixed number of rounds, sockets time out, and
the server is stopped at the end (also on error).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/holdspace_checkin_bench"
INSTRUMENTS = ("phq9", "gad7")
TIMEOUT = 60.0  # seconds for any one request


# --- server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="holdspace.web.settings",
        HOLDSPACE_DATA=str(data),
        HOLDSPACE_SECRET_KEY="benchmark-only-secret-key-0123456789-abcdefghijklmnop",
    )
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def holdspace_command() -> list[str]:
    script = Path(sys.executable).with_name("holdspace")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from holdspace.cli import main; main()"]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_server(data: Path, env: dict[str, str], port: int | None = None) -> Server:
    port = port or free_port()
    log = open(data / f"server-{port}.log", "wb")  # noqa: SIM115 (lives as long as the server)
    process = subprocess.Popen(
        [*holdspace_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(process, port)
    for _ in range(300):  # up to 30 s for migrations and start-up
        if process.poll() is not None:
            raise RuntimeError(f"server exited early; see {log.name}")
        try:
            status, _body = request(server.port, "GET", "/c/help/")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError("server did not start within 30 s")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


def kill_server(server: Server) -> None:
    """kill -9: no clean-up, no flush: what a power cut or an OOM kill does."""
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)


# --- seeding and checking run in a child process with the server's settings -------------


def run_child(
    command: str, env: dict[str, str], *args: str, script: Path | None = None
) -> dict[str, object]:
    """One child command of `script` (this file by default); its last stdout line is JSON."""
    out = subprocess.run(
        [sys.executable, str(script or Path(__file__).resolve()), command, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{out.stderr[-3000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def child_seed(clients: int, links: int) -> dict[str, object]:
    """Create a clinician, `clients` clients with a PHQ-9 + GAD-7 plan, `links` links each."""
    import datetime as dt

    from holdspace.cli.web import migrate, setup_django

    setup_django()
    migrate()
    from holdspace.web.accounts.models import User
    from holdspace.web.checkins.services import create_link
    from holdspace.web.clients.models import Client, Episode, PlanItem, Session

    clinician = User.objects.create_user(username="bench", password="not-used-for-sign-in-42")
    tokens: list[list[str]] = []
    for c in range(clients):
        client = Client.objects.create(code=f"B{c:04d}", clinician=clinician)
        episode = Episode.objects.create(
            client=client, clinician=clinician, opened_on=dt.date(2026, 1, 5)
        )
        for instrument_id in INSTRUMENTS:
            PlanItem.objects.create(episode=episode, instrument_id=instrument_id)
        Session.objects.bulk_create(
            Session(episode=episode, number=n, date=dt.date(2026, 1, 5) + dt.timedelta(weeks=n))
            for n in range(1, links + 1)
        )
        mine = []
        for session in episode.sessions.order_by("number"):
            _link, token = create_link(episode, session, clinician, display_name=f"B{c}")
            mine.append(token)
        tokens.append(mine)
    return {"tokens": tokens}


def child_verify(tokens_file: str) -> dict[str, object]:
    """Count what the database holds for every link; check the database's integrity."""
    from django.db import connection

    from holdspace.cli.web import setup_django

    setup_django()
    from holdspace.web.checkins.models import CheckinDraft, CheckinLink
    from holdspace.web.checkins.services import hash_token
    from holdspace.web.clients.models import Administration

    tokens = json.loads(Path(tokens_file).read_text())
    by_hash = {hash_token(t): t for t in tokens}
    links = {
        link.token_hash: link for link in CheckinLink.objects.filter(token_hash__in=list(by_hash))
    }
    per_link = {}
    for token_hash, link in links.items():
        administrations = Administration.objects.filter(
            session_id=link.session_id, episode_id=link.episode_id
        ).count()
        per_link[by_hash[token_hash]] = {
            "used": link.used_at is not None,
            "administrations": administrations,
            "drafts": CheckinDraft.objects.filter(link=link).count(),
        }
    integrity = "n/a"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            integrity = ", ".join(row[0] for row in cursor.fetchall())
    return {
        "per_link": per_link,
        "administrations": Administration.objects.count(),
        "risk": Administration.objects.filter(has_risk=True).count(),
        "integrity": integrity,
        "vendor": connection.vendor,
    }


# --- a phone, in code ----------------------------------------------------------------


# A server's port on loopback (plain HTTP), or a function that opens a connection (https
# through a proxy: benchmarks/proxy_cluster.py).
Target = int | Callable[[], http.client.HTTPConnection]


def request(
    port: Target, method: str, path: str, form: dict[str, str] | None = None
) -> tuple[int, str]:
    conn = (
        port() if callable(port) else http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    )
    try:
        body = urllib.parse.urlencode(form) if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def drop_after_sending(port: int, path: str, form: dict[str, str]) -> None:
    """Send a POST and hang up before reading the answer (a lost mobile connection)."""
    body = urllib.parse.urlencode(form).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        s.sendall(head + body)


def _field(body: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', body)
    return found.group(1) if found else ""


@dataclass
class Outcome:
    sent: bool = False  # a 200 "Thank you" came back for the send
    acknowledged_pages: list[str] = field(default_factory=list)  # instruments answered (303)
    post_seconds: list[float] = field(default_factory=list)
    error: str = ""


def timed_post(port: Target, path: str, form: dict[str, str], out: Outcome) -> tuple[int, str]:
    start = time.perf_counter()
    status, body = request(port, "POST", path, form)
    out.post_seconds.append(time.perf_counter() - start)
    return status, body


def complete_checkin(
    port: Target, token: str, *, risk: bool = False, retry: str = "", out: Outcome | None = None
) -> Outcome:
    """Walk the screens the server shows until "Thank you" (at most 12 screens)."""
    out = out or Outcome()
    path = f"/c/{token}/"
    for _ in range(12):
        status, body = request(port, "GET", path)
        if status != 200:
            out.error = f"GET {status}"
            return out
        step = _field(body, "step")
        form = {
            "step": step,
            "instrument": _field(body, "instrument"),
            "nonce": _field(body, "nonce"),
        }
        if step == "measure":
            for name in sorted(set(re.findall(r'name="(item-[^"]+)"', body))):
                form[name] = "0"
            if risk and form["instrument"] == "phq9":
                form["item-phq9_9"] = "1"
            if retry == "page":
                timed_post(port, path, form, out)  # a double tap: same form, same nonce
        elif step == "send":
            form["note"] = "benchmark note"
            if retry == "drop":
                if not isinstance(port, int):
                    raise ValueError("a dropped connection is simulated on plain HTTP only")
                drop_after_sending(port, path, form)
            status, body = timed_post(port, path, form, out)
            if retry == "send":
                status, body = timed_post(port, path, form, out)
            out.sent = status == 200 and "Thank you" in body
            if not out.sent:
                out.error = f"send {status}"
            return out
        elif not step:
            out.error = "no form on the page"
            return out
        status, _ = timed_post(port, path, form, out)
        if status != 303:
            out.error = f"{step} {status}"
            return out
        if step == "measure":
            out.acknowledged_pages.append(form["instrument"])
    out.error = "too many screens"
    return out


def plan_for(index: int) -> tuple[bool, str]:
    """Which check-ins take the safety path and which are retried, deterministically."""
    risk = index % 10 == 3
    retry = {1: "send", 2: "page", 4: "drop"}.get(index % 7, "")
    return risk, retry


# --- the benchmark -------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def baseline(port: Target, threads: int, per_thread: int, path: str) -> list[float]:
    """The same concurrency against a trivial endpoint: the floor of this server and machine."""
    times: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = []
        for _ in range(per_thread):
            start = time.perf_counter()
            status, _ = request(port, "GET", path)
            mine.append(time.perf_counter() - start)
            assert status == 200
        with lock:
            times.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=600)
    return times


def load(port: int, tokens: list[list[str]]) -> tuple[list[Outcome], float]:
    outcomes: list[list[Outcome]] = [[] for _ in tokens]

    def client(i: int) -> None:
        for j, token in enumerate(tokens[i]):
            risk, retry = plan_for(i * len(tokens[i]) + j)
            try:
                outcomes[i].append(complete_checkin(port, token, risk=risk, retry=retry))
            except OSError as exc:
                outcomes[i].append(Outcome(error=f"{type(exc).__name__}: {exc}"))

    start = time.perf_counter()
    pool = [threading.Thread(target=client, args=(i,)) for i in range(len(tokens))]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=1800)
    return [o for per in outcomes for o in per], time.perf_counter() - start


def reset_postgres(url: str) -> None:
    import psycopg

    name = urllib.parse.urlparse(url).path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run(db: str, clients: int, links: int) -> dict[str, object]:
    data = Path(tempfile.mkdtemp(prefix=f"holdspace-checkin-{db}-"))
    database_url = PG_URL if db == "postgres" else None
    if database_url:
        reset_postgres(database_url)
    env = server_env(data, database_url)
    try:
        seeded = run_child("seed", env, str(clients), str(links))
        tokens: list[list[str]] = seeded["tokens"]  # type: ignore[assignment]
        server = start_server(data, env)
        try:
            # Two floors: a static file (no Django view) and the crisis-help page (a
            # Django view through every middleware, one template, no database).
            static_times = baseline(server.port, clients, 10, "/static/holdspace/checkin.css")
            base_times = baseline(server.port, clients, 10, "/c/help/")
            outcomes, wall = load(server.port, tokens)
        finally:
            stop_server(server)
        flat = [t for per in tokens for t in per]
        (data / "tokens.json").write_text(json.dumps(flat))
        checked = run_child("verify", env, str(data / "tokens.json"))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    per_link: dict[str, dict[str, object]] = checked["per_link"]  # type: ignore[assignment]
    counts = [int(v["administrations"]) for v in per_link.values()]  # type: ignore[call-overload]
    posts = [s for o in outcomes for s in o.post_seconds]
    p95, base95 = percentile(posts, 95), percentile(base_times, 95)
    static95 = percentile(static_times, 95)
    return {
        "db": db,
        "checkins": len(flat),
        "sent": sum(o.sent for o in outcomes),
        "errors": sorted({o.error for o in outcomes if o.error}),
        "lost": sum(max(0, len(INSTRUMENTS) - n) for n in counts),
        "duplicated": sum(max(0, n - len(INSTRUMENTS)) for n in counts),
        "unused_links": sum(not v["used"] for v in per_link.values()),
        "risk_saved": checked["risk"],
        "integrity": checked["integrity"],
        "posts": len(posts),
        "wall_s": round(wall, 1),
        "post_p50_ms": round(1000 * statistics.median(posts), 1),
        "post_p95_ms": round(1000 * p95, 1),
        "baseline_p95_ms": round(1000 * base95, 1),
        "ratio_p95": round(p95 / base95, 1),
        "static_p95_ms": round(1000 * static95, 1),
        "ratio_p95_static": round(p95 / static95, 1),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("seed", "verify"):
        if sys.argv[1] == "seed":
            print(json.dumps(child_seed(int(sys.argv[2]), int(sys.argv[3]))))
        else:
            print(json.dumps(child_verify(sys.argv[2])))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--links", type=int, default=20)
    args = parser.parse_args()
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    failed = False
    for db in dbs:
        result = run(db, args.clients, args.links)
        print(json.dumps(result))
        ok = result["lost"] == result["duplicated"] == result["unused_links"] == 0
        failed = failed or not ok or bool(result["errors"])
        print(
            f"{db}: {result['checkins']} check-ins, lost {result['lost']}, duplicated "
            f"{result['duplicated']}, p95 {result['post_p95_ms']} ms vs trivial view "
            f"{result['baseline_p95_ms']} ms = x{result['ratio_p95']} (vs static file "
            f"{result['static_p95_ms']} ms = x{result['ratio_p95_static']})"
            + ("" if ok else "  FAILED")
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
