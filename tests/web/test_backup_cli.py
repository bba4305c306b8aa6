"""`holdspace backup`, `backup verify` and `restore` as a user runs them (SQLite data folders)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from holdspace.backup import sqlite_table_summaries

PASSPHRASE = "a quiet harbour at dawn"
SEED = """
from holdspace.cli.web import setup_django, migrate
setup_django(); migrate()
from holdspace.web.accounts.models import User
from holdspace.web.clients.models import Client
robin = User.objects.create_user(username="robin", password="unused-password")
Client.objects.create(code="HS-CLI1", clinician=robin)
"""


def run(args: list[str], data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "HOLD"))}
    clean.update(HOLDSPACE_DATA=str(data), DJANGO_SETTINGS_MODULE="holdspace.web.settings", **env)
    command = [sys.executable, "-c", "from holdspace.cli import main; main()", *args]
    return subprocess.run(command, env=clean, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    source = root / "source"
    # No key in the environment: setting up the data folder creates DATA/secret_key.
    inherited = {k: v for k, v in os.environ.items() if k != "HOLDSPACE_SECRET_KEY"}
    seed = subprocess.run(
        [sys.executable, "-c", SEED],
        env={**inherited, "HOLDSPACE_DATA": str(source), "DATABASE_URL": ""},
        capture_output=True,
        text=True,
    )
    assert seed.returncode == 0, seed.stderr
    backup = root / "b.hsbackup"
    done = run(["backup", "--out", str(backup)], source, HOLDSPACE_BACKUP_PASSPHRASE=PASSPHRASE)
    assert done.returncode == 0, done.stderr
    assert "Backup written" in done.stdout
    return source, backup


def test_verify_says_the_backup_is_intact(made, tmp_path) -> None:
    _, backup = made
    phrase = tmp_path / "phrase"
    phrase.write_text(PASSPHRASE + "\n")

    done = run(["backup", "verify", str(backup), "--passphrase-file", str(phrase)], tmp_path)

    assert done.returncode == 0, done.stderr
    assert "every checksum matches" in done.stdout


def test_restore_into_an_empty_folder_reproduces_every_row(made, tmp_path) -> None:
    source, backup = made
    target = tmp_path / "restored"

    done = run(["restore", str(backup)], target, HOLDSPACE_BACKUP_PASSPHRASE=PASSPHRASE)

    assert done.returncode == 0, done.stderr
    restored = sqlite_table_summaries(target / "holdspace.sqlite3")
    assert restored == sqlite_table_summaries(source / "holdspace.sqlite3")
    assert (target / "secret_key").read_text() == (source / "secret_key").read_text()


def test_a_wrong_passphrase_gets_a_clear_message(made, tmp_path) -> None:
    _, backup = made
    target = tmp_path / "restored"

    done = run(["restore", str(backup)], target, HOLDSPACE_BACKUP_PASSPHRASE="other words here")

    assert done.returncode == 1
    assert "Wrong passphrase" in done.stderr
    assert not (target / "holdspace.sqlite3").exists()


def test_restore_over_existing_data_is_refused(made) -> None:
    source, backup = made
    before = sqlite_table_summaries(source / "holdspace.sqlite3")

    done = run(["restore", str(backup)], source, HOLDSPACE_BACKUP_PASSPHRASE=PASSPHRASE)

    assert done.returncode == 1
    assert "already holds a database" in done.stderr
    assert sqlite_table_summaries(source / "holdspace.sqlite3") == before


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL round trip through the CLI runs when DATABASE_URL names PostgreSQL",
)
def test_postgres_backup_and_restore_through_the_cli(tmp_path) -> None:
    import uuid

    import dj_database_url
    import psycopg

    from holdspace.backup import PostgresDatabase, postgres_table_summaries

    base = dj_database_url.parse(os.environ["DATABASE_URL"])
    names = [f"holdspace_cli_{uuid.uuid4().hex[:8]}_{side}" for side in ("src", "dst")]
    server: dict[str, str] = {
        k: str(base.get(k.upper()) or "") for k in ("user", "password", "host")
    }
    server["port"] = str(base.get("PORT") or "")
    admin = PostgresDatabase(dbname="postgres", **server)

    def url(name: str) -> str:
        auth = server["user"] + (f":{server['password']}" if server["password"] else "")
        return f"postgres://{auth}@{server['host']}:{server['port'] or 5432}/{name}"

    with psycopg.connect(admin.conninfo(), password=admin.password or None, autocommit=True) as c:
        for name in names:
            c.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "HOLDSPACE_DATA": str(tmp_path), "DATABASE_URL": url(names[0])}
        seed = subprocess.run([sys.executable, "-c", SEED], env=env, capture_output=True, text=True)
        assert seed.returncode == 0, seed.stderr
        backup = tmp_path / "pg.hsbackup"
        phrase = {"HOLDSPACE_BACKUP_PASSPHRASE": PASSPHRASE}
        made = run(["backup", "--out", str(backup)], tmp_path, DATABASE_URL=url(names[0]), **phrase)
        done = run(["restore", str(backup)], tmp_path, DATABASE_URL=url(names[1]), **phrase)

        assert made.returncode == 0, made.stderr
        assert done.returncode == 0, done.stderr
        source, target = (PostgresDatabase(dbname=n, **server) for n in names)
        assert postgres_table_summaries(target) == postgres_table_summaries(source)
        assert postgres_table_summaries(target)["clients_client"].rows == 1
    finally:
        with psycopg.connect(
            admin.conninfo(), password=admin.password or None, autocommit=True
        ) as c:
            for name in names:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
