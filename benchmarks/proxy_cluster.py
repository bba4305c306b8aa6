"""Holdspace as deployed: Debian's nginx with TLS in front of 3 `holdspace serve` processes.

Used by tests/web/test_nginx_cluster.py and by `benchmarks/checkin_proxy.py`. Everything
lives in one temporary folder and on loopback: a certificate made here (cryptography), an
nginx prefix with its own configuration run as a child (`daemon off`), one data folder per
process (all on one PostgreSQL database; on one SQLite file in WAL mode when PostgreSQL is
not reachable), and optionally a private redis-server. Clients connect from 127.0.0.2 so the
address nginx forwards differs from the proxy's own (127.0.0.1), the only trusted peer.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import json
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

if __package__ in (None, ""):  # run as a script for a child command: find `benchmarks`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.checkin_load import (
    ROOT,
    Outcome,
    complete_checkin,
    free_port,
    holdspace_command,
    reset_postgres,
)
from benchmarks.checkin_load import run_child as load_child

PROXY_ADDRESS = "127.0.0.1"  # nginx listens here and is the one trusted proxy
CLIENT_ADDRESS = "127.0.0.2"  # where browsers and phones connect from
SPOOFER_ADDRESS = "127.0.0.3"  # an untrusted peer talking to a process directly
SECRET_KEY = "proxy-cluster-test-only-secret-key-0123456789-abcdefghijklmnop"
TIMEOUT = 60.0
PROCESSES = 3
# A lockout after this many failed sign-ins (the 10), and check-in look-ups of
# unknown links allowed per address: small, so a test reaches them quickly.
LOGIN_FAILURE_LIMIT = 10
CHECKIN_IP_FAILURES = 6


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


def postgres_reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return True
    except psycopg.Error:
        return False


# --- TLS ----------------------------------------------------------------------------


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "holdspace test proxy")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(PROXY_ADDRESS))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "proxy.crt", folder / "proxy.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


# --- nginx --------------------------------------------------------------------------


def nginx_conf(prefix: Path, port: int, upstreams: list[int], cert: Path, key: Path) -> str:
    # As root (CI), workers would switch to `nobody` and could not read the private temp
    # folder; run them as the invoking user instead. Otherwise `user` does nothing.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in upstreams)
    temp = "\n".join(
        f"  {kind}_temp_path {prefix}/temp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 2048; }}
http {{
  access_log off;
{temp}
  upstream holdspace {{
{servers}
    keepalive 32;
  }}
  server {{
    listen {PROXY_ADDRESS}:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    client_max_body_size 2m;
    location / {{
      proxy_pass http://holdspace;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      # Appends the address it saw to whatever the client wrote: Holdspace must read the
      # header from the right and never trust the part the client wrote.
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 60s;
      # Which process answered, so a test can see requests spread over all three.
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""


# --- the cluster --------------------------------------------------------------------


@dataclass
class Process:
    port: int
    data: Path
    process: subprocess.Popen[bytes] | None = None


@dataclass
class Cluster:
    root: Path
    https_port: int
    cert: Path
    env: dict[str, str]
    processes: list[Process]
    database: str  # "postgresql" or "sqlite"
    redis_url: str = ""
    nginx: subprocess.Popen[bytes] | None = None
    redis: subprocess.Popen[bytes] | None = None
    _context: ssl.SSLContext | None = field(default=None, repr=False)

    @property
    def origin(self) -> str:
        return f"https://{PROXY_ADDRESS}:{self.https_port}"

    def context(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = ssl.create_default_context(cafile=str(self.cert))
        return self._context

    def connection(self, source: str = CLIENT_ADDRESS) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            PROXY_ADDRESS,
            self.https_port,
            timeout=TIMEOUT,
            context=self.context(),
            source_address=(source, 0),
        )

    def connector(self) -> Callable[[], http.client.HTTPConnection]:
        return self.connection


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str
    set_cookies: list[str]


def fetch(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    *,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    try:
        body = urllib.parse.urlencode(form) if form is not None else None
        sent = dict(headers or {})
        if form is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        answer = conn.getresponse()
        text = answer.read().decode("utf-8", "replace")
        return Response(
            answer.status, answer.headers, text, answer.headers.get_all("Set-Cookie") or []
        )
    finally:
        conn.close()


def http_connection(port: int, source: str = PROXY_ADDRESS) -> http.client.HTTPConnection:
    """Plain http straight to one process, from `source` (the proxy's address by default)."""
    return http.client.HTTPConnection(
        "127.0.0.1", port, timeout=TIMEOUT, source_address=(source, 0)
    )


def cookies_of(response: Response) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for line in response.set_cookies:
        jar.load(line)
    return {name: morsel.value for name, morsel in jar.items()}


def server_env(database_url: str | None, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    for name in [k for k in env if k.startswith("HOLDSPACE_")] + ["DATABASE_URL"]:
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="holdspace.web.settings_production",
        HOLDSPACE_SECRET_KEY=SECRET_KEY,
        HOLDSPACE_TRUSTED_PROXIES=PROXY_ADDRESS,
        HOLDSPACE_LOGIN_FAILURE_LIMIT=str(LOGIN_FAILURE_LIMIT),
        HOLDSPACE_CHECKIN_IP_FAILURES=str(CHECKIN_IP_FAILURES),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["HOLDSPACE_REDIS_URL"] = redis_url
    return env


def _wait_for(check: Callable[[], bool], what: str, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"{what} did not start within {seconds:.0f} s\n{tail}")


def _direct_ok(port: int) -> bool:
    # As nginx would ask: from the trusted address, saying the client came over https.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/c/help/", headers={"X-Forwarded-Proto": "https"})
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def start_process(cluster: Cluster, index: int) -> None:
    member = cluster.processes[index]
    env = {**cluster.env, "HOLDSPACE_DATA": str(member.data)}
    log = member.data / f"server-{member.port}.log"
    with open(log, "ab") as out:
        member.process = subprocess.Popen(
            [*holdspace_command(), "serve", "--host", "127.0.0.1", "--port", str(member.port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    process = member.process

    def up() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"holdspace serve exited early:\n{log.read_text()[-2000:]}")
        return _direct_ok(member.port)

    _wait_for(up, f"holdspace serve on {member.port}", 60, log)


def kill_process(cluster: Cluster, index: int) -> None:
    """kill -9: what a power cut or an out-of-memory kill does."""
    process = cluster.processes[index].process
    assert process is not None
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def run_child(cluster: Cluster, *args: str) -> dict[str, object]:
    """A command of benchmarks/checkin_load.py or of this file, with the servers' settings."""
    env = {**cluster.env, "HOLDSPACE_DATA": str(cluster.processes[0].data)}
    here = Path(__file__).resolve()
    script = here if args[0] in CHILD_COMMANDS else here.with_name("checkin_load.py")
    return load_child(args[0], env, *args[1:], script=script)


@contextmanager
def cluster(
    root: Path, *, database_url: str | None, redis: bool = False, processes: int = PROCESSES
) -> Iterator[Cluster]:
    """nginx + `processes` Holdspace processes (+ redis-server); everything stopped after."""
    nginx = nginx_binary()
    if nginx is None:
        raise RuntimeError("nginx is not installed")
    if database_url:
        reset_postgres(database_url)
    redis_url = ""
    redis_process = None
    if redis:
        redis_port = free_port()
        redis_process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = server_env(database_url, redis_url)
    cert, key = make_certificate(root)
    shared = root / "data"  # SQLite: one database file, so one data folder for all
    members = [
        Process(free_port(), shared if not database_url else root / f"data{i}")
        for i in range(processes)
    ]
    for member in members:
        member.data.mkdir(exist_ok=True)
    built = Cluster(
        root,
        free_port(),
        cert,
        env,
        members,
        "postgresql" if database_url else "sqlite",
        redis_url=redis_url,
        redis=redis_process,
    )
    try:
        if redis_process is not None:
            _wait_for(
                lambda: _port_open(int(redis_url.rsplit(":", 1)[1].split("/")[0])),
                "redis-server",
                15,
                root / "none",
            )
        # The first process migrates alone; the others find the schema in place.
        for index in range(processes):
            start_process(built, index)
        prefix = root / "nginx"
        (prefix / "temp").mkdir(parents=True)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(prefix, built.https_port, [m.port for m in members], cert, key))
        built.nginx = subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=open(prefix / "stderr.log", "wb"),  # noqa: SIM115 (lives as long as nginx)
        )
        _wait_for(lambda: _nginx_up(built), "nginx", 15, prefix / "error.log")
        yield built
    finally:
        _stop(built.nginx)
        for member in members:
            _stop(member.process)
        _stop(redis_process)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _nginx_up(built: Cluster) -> bool:
    if built.nginx is not None and built.nginx.poll() is not None:
        raise RuntimeError(
            "nginx exited: " + (built.root / "nginx" / "stderr.log").read_text(errors="replace")
        )
    try:
        return fetch(built.connection(), "GET", "/c/help/").status == 200
    except OSError:
        return False


# --- commands run in a child with the servers' settings --------------------------------


def child_user(username: str, password: str) -> dict[str, object]:
    from holdspace.cli.web import setup_django

    setup_django(prepare=False)
    from holdspace.web.accounts.models import User

    User.objects.create_user(username=username, password=password)
    return {"created": username}


def child_signins(username: str) -> dict[str, object]:
    """What the audit log and the lockout table recorded for one username."""
    from holdspace.cli.web import setup_django

    setup_django(prepare=False)
    from axes.models import AccessAttempt

    from holdspace.web.audit.models import AuditEvent

    events = AuditEvent.objects.filter(action="login_failed").order_by("seq")
    return {
        "failed_from": [e.ip_address for e in events],
        "lockouts": [
            {"ip": a.ip_address, "failures": a.failures_since_start}
            for a in AccessAttempt.objects.filter(username=username)
        ],
    }


CHILD_COMMANDS = {"user": child_user, "signins": child_signins}


if __name__ == "__main__":
    print(json.dumps(CHILD_COMMANDS[sys.argv[1]](*sys.argv[2:])))  # type: ignore[operator]


# --- a burst of check-ins through the proxy, with one process killed ---------------------


@dataclass
class Burst:
    attempts: dict[str, list[Outcome]]  # per link, every try a phone made, in order
    killed_after_sends: int
    restart_seconds: float
    wall_seconds: float

    def acknowledged(self) -> list[str]:
        """Links whose phone saw "Thank you" at some try."""
        return [t for t, tries in self.attempts.items() if any(o.sent for o in tries)]

    def interrupted(self) -> int:
        return sum(bool(o.error) for tries in self.attempts.values() for o in tries)

    def post_seconds(self) -> list[float]:
        return [s for tries in self.attempts.values() for o in tries for s in o.post_seconds]


def burst_with_kill(
    cluster: Cluster,
    tokens: list[list[str]],
    *,
    victim: int = 1,
    kill_after_sends: int = 150,
    tries: int = 4,
) -> Burst:
    """Every phone works through its links; a phone whose check-in fails (a 502 while a
    process is down) tries again, as a person would, up to `tries` times. After
    `kill_after_sends` sends, one process is killed with SIGKILL and started again."""
    attempts: dict[str, list[Outcome]] = {t: [] for per in tokens for t in per}
    lock = threading.Lock()
    sends = [0]

    def phone(i: int) -> None:
        for j, token in enumerate(tokens[i]):
            for _ in range(tries):
                out = Outcome()
                try:
                    complete_checkin(cluster.connector(), token, risk=j % 10 == 3, out=out)
                except (OSError, http.client.HTTPException) as exc:
                    out.error = type(exc).__name__
                with lock:
                    attempts[token].append(out)
                    sends[0] += out.sent
                # 410: the link is used; its "Send" committed before the answer was lost.
                if out.sent or out.error == "GET 410":
                    break
                time.sleep(0.2)

    started = time.perf_counter()
    pool = [threading.Thread(target=phone, args=(i,), daemon=True) for i in range(len(tokens))]
    for t in pool:
        t.start()
    deadline = time.monotonic() + 300
    while sends[0] < kill_after_sends and time.monotonic() < deadline:
        time.sleep(0.02)
    killed_after = sends[0]
    kill_process(cluster, victim)
    time.sleep(0.5)  # the others carry the load while it is down
    restart = time.perf_counter()
    start_process(cluster, victim)
    restart_seconds = time.perf_counter() - restart
    for t in pool:
        t.join(timeout=max(1.0, deadline - time.monotonic() + 300))
    return Burst(attempts, killed_after, restart_seconds, time.perf_counter() - started)
