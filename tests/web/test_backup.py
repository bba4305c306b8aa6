"""Backup -> restore round trips on the configured engine (SQLite, or PostgreSQL when
DATABASE_URL is set), and refusals that leave the target untouched."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from holdspace.backup import (
    BackupError,
    CorruptBackupError,
    Database,
    PostgresDatabase,
    SqliteDatabase,
    TargetNotEmptyError,
    WrongPassphraseError,
    create_backup,
    restore_backup,
    table_summaries,
    verify_backup,
)
from holdspace.web.accounts.models import User
from holdspace.web.audit.log import record
from holdspace.web.clients.models import Administration, Client, Episode, Session

PASSPHRASE = "a quiet harbour at dawn"
FAST_KDF = {"n": 2**14, "r": 8, "p": 1}  # tests only: the default is 2**17


def populate() -> None:
    robin = User.objects.create_user(username="robin-backup", password="not-used-here")
    client = Client.objects.create(code="HS-B01", clinician=robin)
    episode = Episode.objects.create(client=client, clinician=robin, opened_on=date(2026, 1, 5))
    session = Session.objects.create(episode=episode, number=1, date=date(2026, 1, 5))
    Administration.objects.create(
        episode=episode,
        session=session,
        instrument_id="phq9",
        instrument_version="1",
        answers=[1, 2, "skip", None, 0, 3, 1, 0, 0],
        total=8.0,
        band="mild",
        result={"total": 8.0, "explanation": ["Ünïcode stays intact ✓"]},
        source="in_session",
        completed_at=datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=UTC),
    )
    record(robin, "create", f"client:{client.pk}")


def _postgres_from(settings_dict: dict[str, Any], dbname: str) -> PostgresDatabase:
    return PostgresDatabase(
        dbname=dbname,
        user=settings_dict.get("USER") or "",
        password=settings_dict.get("PASSWORD") or "",
        host=settings_dict.get("HOST") or "",
        port=str(settings_dict.get("PORT") or ""),
    )


@pytest.fixture
def source_db(transactional_db, tmp_path: Path) -> Database:
    """The test database with committed rows, as the backup module sees it."""
    populate()
    if connection.vendor == "sqlite":
        # The SQLite test database lives in memory: copy it to a file the app would use.
        connection.ensure_connection()
        path = tmp_path / "source.sqlite3"
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return SqliteDatabase(path)
    return _postgres_from(connection.settings_dict, connection.settings_dict["NAME"])


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[Database]:
    if connection.vendor == "sqlite":
        yield SqliteDatabase(tmp_path / "restored" / "holdspace.sqlite3")
        return
    import psycopg

    name = f"holdspace_restore_{uuid.uuid4().hex[:10]}"
    admin = _postgres_from(connection.settings_dict, "postgres")
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _postgres_from(connection.settings_dict, name)
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def is_untouched(db: Database) -> bool:
    if isinstance(db, SqliteDatabase):
        return not db.path.exists()
    return table_summaries(db) == {}


def test_restore_reproduces_every_row(source_db, empty_target, tmp_path) -> None:
    backup = tmp_path / "b.hsbackup"
    made = create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF)

    restored = restore_backup(backup, PASSPHRASE, empty_target)

    assert table_summaries(empty_target) == table_summaries(source_db) == made.tables
    assert restored.tables == made.tables
    assert made.tables["clients_administration"].rows == 1
    assert made.tables["audit_auditevent"].rows == 1


def test_restored_rows_keep_answers_and_times_exactly(source_db, empty_target, tmp_path) -> None:
    backup = tmp_path / "b.hsbackup"
    create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF)

    restore_backup(backup, PASSPHRASE, empty_target)

    query = "SELECT answers, completed_at FROM clients_administration"
    if isinstance(empty_target, SqliteDatabase):
        with sqlite3.connect(empty_target.path) as conn:
            answers, completed = conn.execute(query).fetchone()
        assert answers == '[1, 2, "skip", null, 0, 3, 1, 0, 0]'
        assert completed.startswith("2026-01-05 09:30:15.123456")
    else:
        import psycopg

        with psycopg.connect(empty_target.conninfo()) as conn:
            row = conn.execute(query).fetchone()
        assert row is not None
        answers, completed = row
        assert answers == [1, 2, "skip", None, 0, 3, 1, 0, 0]
        assert completed == datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=UTC)


def test_a_wrong_passphrase_is_refused_and_nothing_is_written(
    source_db, empty_target, tmp_path
) -> None:
    backup = tmp_path / "b.hsbackup"
    create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF)

    with pytest.raises(WrongPassphraseError, match="Wrong passphrase"):
        restore_backup(backup, "not the right words", empty_target)

    assert is_untouched(empty_target)


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_corrupted_backup_is_refused_and_nothing_is_written(
    source_db, empty_target, tmp_path, where
) -> None:
    backup = tmp_path / "b.hsbackup"
    create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF)
    raw = bytearray(backup.read_bytes())
    position = {"start": 0, "middle": len(raw) // 2, "end": len(raw) - 3}[where]
    raw[position] ^= 0x40
    backup.write_bytes(bytes(raw))

    with pytest.raises(CorruptBackupError, match="damaged|not a Holdspace backup"):
        restore_backup(backup, PASSPHRASE, empty_target)

    assert is_untouched(empty_target)


def test_a_truncated_backup_is_refused(source_db, empty_target, tmp_path) -> None:
    backup = tmp_path / "b.hsbackup"
    create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF)
    backup.write_bytes(backup.read_bytes()[:-40])

    with pytest.raises(CorruptBackupError, match="damaged"):
        verify_backup(backup, PASSPHRASE)
    with pytest.raises(CorruptBackupError):
        restore_backup(backup, PASSPHRASE, empty_target)

    assert is_untouched(empty_target)


def test_a_target_with_data_is_refused_and_left_as_it_was(source_db, tmp_path) -> None:
    backup = tmp_path / "b.hsbackup"
    create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF)
    before = table_summaries(source_db)

    with pytest.raises(TargetNotEmptyError, match="nothing was changed"):
        restore_backup(backup, PASSPHRASE, source_db)

    assert table_summaries(source_db) == before


def test_verify_reports_the_manifest_without_writing(source_db, tmp_path) -> None:
    backup = tmp_path / "b.hsbackup"
    made = create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF)

    checked = verify_backup(backup, PASSPHRASE)

    assert checked == made
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".sqlite3") == ["b.hsbackup"]


def test_the_backup_holds_no_readable_client_data(source_db, tmp_path) -> None:
    backup = tmp_path / "b.hsbackup"
    create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF)

    raw = backup.read_bytes()

    assert b"HS-B01" not in raw
    assert b"robin-backup" not in raw


def test_a_short_passphrase_is_refused(source_db, tmp_path) -> None:
    with pytest.raises(BackupError, match="passphrase: use at least 10 characters"):
        create_backup(source_db, tmp_path / "b.hsbackup", "short", scrypt=FAST_KDF)

    assert not (tmp_path / "b.hsbackup").exists()


def test_bytes_after_the_last_chunk_fail_verification(source_db, empty_target, tmp_path) -> None:
    backup = tmp_path / "b.hsbackup"
    create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF)
    with backup.open("ab") as fh:
        fh.write(b"appended later")

    with pytest.raises(CorruptBackupError, match="extra data after the end"):
        verify_backup(backup, PASSPHRASE)
    with pytest.raises(CorruptBackupError, match="extra data after the end"):
        restore_backup(backup, PASSPHRASE, empty_target)

    assert is_untouched(empty_target)


def test_backups_and_restored_files_are_private(source_db, empty_target, tmp_path) -> None:
    backup = tmp_path / "b.hsbackup"
    key = tmp_path / "key-source"
    key.write_text("the-signing-key")
    create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF, secret_key_file=key)
    restored_key = tmp_path / "restored-key"

    restore_backup(backup, PASSPHRASE, empty_target, secret_key_file=restored_key)

    assert backup.stat().st_mode & 0o777 == 0o600
    assert restored_key.stat().st_mode & 0o777 == 0o600
    assert restored_key.read_text() == "the-signing-key"
    if isinstance(empty_target, SqliteDatabase):
        assert empty_target.path.stat().st_mode & 0o777 == 0o600
        assert empty_target.path.parent.stat().st_mode & 0o777 == 0o700


def test_no_plaintext_file_has_a_name_while_a_backup_is_open(
    source_db, empty_target, tmp_path, monkeypatch
) -> None:
    """Decrypted contents live in memory or unlinked files, so a kill -9 leaves nothing."""
    import tempfile

    from holdspace import backup as module

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    seen: list[list[str]] = []
    check = module._check_members

    def spying(members):
        seen.append(sorted(p.name for p in scratch.iterdir()))
        return check(members)

    monkeypatch.setattr(module, "_check_members", spying)
    backup = tmp_path / "b.hsbackup"

    create_backup(source_db, backup, PASSPHRASE, scrypt=FAST_KDF)
    verify_backup(backup, PASSPHRASE)
    restore_backup(backup, PASSPHRASE, empty_target)

    assert seen == [[], []]
    assert list(scratch.iterdir()) == []
    assert [p for p in tmp_path.rglob("*") if "partial" in p.name or p.name.startswith(".")] == []
