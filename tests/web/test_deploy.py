"""A deployment's parts: the data folder, the secret key, proxy trust, the servers, static
files and the shared cache (docs/deploy.md). The real proxy in front of several processes
is tests/web/test_proxy_nginx.py."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from benchmarks.checkin_load import free_port, holdspace_command
from holdspace.web import datafolder, serving

ROOT = Path(__file__).resolve().parent.parent.parent


def clean_env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "HOLD", "PYTEST"))}
    env.pop("DATABASE_URL", None)
    env.update(HOLDSPACE_DATA=str(data), DJANGO_SETTINGS_MODULE="holdspace.web.settings", **extra)
    return env


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# --- the data folder and the secret key ----------------------------------------------


def test_importing_the_settings_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "never-made"
    code = "import holdspace.web.settings as s; print(repr(s.SECRET_KEY))"

    done = subprocess.run(
        [sys.executable, "-c", code], env=clean_env(data), capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "''"
    assert not data.exists()


def test_prepare_makes_a_private_folder_and_one_key(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("HOLDSPACE_SECRET_KEY", raising=False)
    data = tmp_path / "data"
    old_umask = os.umask(0o022)
    try:
        datafolder.prepare(data)
        key = (data / "secret_key").read_text()
        datafolder.prepare(data)
        made_after = data / "made-after"
        made_after.write_text("x")
    finally:
        os.umask(old_umask)

    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    assert len(key) >= 50
    assert (data / "secret_key").read_text() == key
    assert mode(made_after) == 0o600  # the process's umask is private from then on


def test_prepare_tightens_files_an_older_version_left_readable(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    for name in ("holdspace.sqlite3", "holdspace.sqlite3-wal", "secret_key"):
        (data / name).write_text("")
        (data / name).chmod(0o644)
    data.chmod(0o755)

    datafolder.prepare(data)

    assert mode(data) == 0o700
    assert {mode(data / n) for n in ("holdspace.sqlite3", "holdspace.sqlite3-wal")} == {0o600}


def test_a_failed_restore_writes_no_folder_and_no_key(tmp_path: Path) -> None:
    target = tmp_path / "target"
    bogus = tmp_path / "not-a-backup.hsbackup"
    bogus.write_bytes(b"hello")
    command = [*holdspace_command(), "restore", str(bogus)]
    env = clean_env(target, HOLDSPACE_BACKUP_PASSPHRASE="a long enough phrase")

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 1
    assert "not a Holdspace backup" in done.stderr
    assert not target.exists()


# --- proxy trust ---------------------------------------------------------------------

PROXY = "10.0.0.5"


@override_settings(HOLDSPACE_TRUSTED_PROXIES=("10.0.0.0/24",), SECURE_SSL_REDIRECT=True)
def test_a_trusted_proxy_says_the_request_was_https(db) -> None:
    client = Client(REMOTE_ADDR=PROXY)

    behind = client.get("/c/help/", HTTP_X_FORWARDED_PROTO="https")
    plain = client.get("/c/help/", HTTP_X_FORWARDED_PROTO="http")

    assert behind.status_code == 200  # no redirect: the loop is gone
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")


@override_settings(HOLDSPACE_TRUSTED_PROXIES=("10.0.0.0/24",), SECURE_SSL_REDIRECT=True)
def test_an_untrusted_peer_cannot_claim_https(db) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")

    response = client.get("/c/help/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301


def test_gunicorn_is_told_the_same_proxies() -> None:
    with override_settings(HOLDSPACE_TRUSTED_PROXIES=("127.0.0.1/32", "10.0.0.0/24")):
        options = serving.gunicorn_options("::1", 8000, 3)

    assert options["forwarded_allow_ips"] == "127.0.0.1/32,10.0.0.0/24"
    assert options["secure_scheme_headers"] == {"X-FORWARDED-PROTO": "https"}
    assert options["bind"] == ["[::1]:8000"]
    assert options["accesslog"] is None  # paths carry check-in tokens
    with override_settings(HOLDSPACE_TRUSTED_PROXIES=()):
        assert serving.gunicorn_options("127.0.0.1", 8000, 3)["forwarded_allow_ips"] == ""


def test_production_settings_do_not_believe_the_header_from_anyone() -> None:
    from holdspace.web import settings_production

    assert getattr(settings_production, "SECURE_PROXY_SSL_HEADER", None) is None
    assert settings_production.SECURE_SSL_REDIRECT
    assert settings_production.SESSION_COOKIE_SECURE


# --- the shared cache ----------------------------------------------------------------


def test_the_default_cache_is_the_database(db) -> None:
    from django.conf import settings

    assert settings.CACHES["default"]["BACKEND"] == "holdspace.web.cache.DatabaseCache"


def test_incr_keeps_the_window(db) -> None:
    cache.add("window-test", 0, timeout=900)
    before = cache._cache_expiry("window-test") if hasattr(cache, "_cache_expiry") else None

    assert [cache.incr("window-test") for _ in range(3)] == [1, 2, 3]
    assert cache.get("window-test") == 3
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM holdspace_cache")
        (expires,) = cursor.fetchone()
    assert before is None
    assert str(expires)[:4] >= "2026"  # written once by add; incr leaves it alone
    with pytest.raises(ValueError):
        cache.incr("never-added")


# --- the servers ---------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_behind_a_trusted_proxy_with_static_files(tmp_path: Path, workers) -> None:
    """waitress (1) and gunicorn (2) with the production settings: no redirect loop."""
    data = tmp_path / "data"
    port = free_port()
    env = clean_env(data, HOLDSPACE_TRUSTED_PROXIES="127.0.0.1")
    env["DJANGO_SETTINGS_MODULE"] = "holdspace.web.settings_production"
    command = [*holdspace_command(), "serve", "--port", str(port), "--workers", str(workers)]
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    https = {"X-Forwarded-Proto": "https"}
    try:
        plain = get(port, "/account/login/", deadline=time.monotonic() + 45, server=server)
        page = get(port, "/account/login/", headers=https)
        css = page[2].split('href="/static/holdspace/holdspace.', 1)[1].split('"', 1)[0]
        status, headers, _ = get(port, f"/static/holdspace/holdspace.{css}", headers=https)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    assert plain[0] == 301 and plain[1]["location"].startswith("https://")
    assert page[0] == 200  # the proxy said https: served, not redirected again
    assert "max-age=31536000" in page[1]["strict-transport-security"]
    assert "secure" in page[1]["set-cookie"].lower()
    name, _, ext = css.partition(".")
    assert ext == "css" and len(name) == 12  # a content-hashed name
    assert status == 200
    assert "immutable" in headers["cache-control"]
    assert headers.get("content-encoding") in ("gzip", "br")
    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    assert mode(data / "holdspace.sqlite3") == 0o600


def get(
    port: int,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    deadline: float = 0.0,
    server: subprocess.Popen[bytes] | None = None,
) -> tuple[int, dict[str, str], str]:
    sent = {"Accept-Encoding": "gzip, br", **(headers or {})}
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            conn.request("GET", path, headers=sent)
            response = conn.getresponse()
            raw = response.read()
            found = {k.lower(): v for k, v in response.getheaders()}
            if found.get("content-encoding"):
                return response.status, found, ""
            return response.status, found, raw.decode("utf-8", "replace")
        except OSError:
            if time.monotonic() > deadline or (server is not None and server.poll() is not None):
                raise
            time.sleep(0.2)
        finally:
            conn.close()
