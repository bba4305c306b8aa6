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
    seed = subprocess.run(
        [sys.executable, "-c", SEED],
        env={**os.environ, "HOLDSPACE_DATA": str(source), "DATABASE_URL": ""},
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
