"""The audit chain: append-only, hash-linked, tamper-evident, one chain under concurrency."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import RequestFactory
from typer.testing import CliRunner

from holdspace.cli import app
from holdspace.web.accounts.models import User
from holdspace.web.audit.log import record, verify_chain
from holdspace.web.audit.models import GENESIS_HASH, AppendOnlyError, AuditEvent, chain_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def robin() -> User:
    return User.objects.create_user(username="robin", password="a-long-passphrase-42")


def _write(n: int, actor: User | None = None) -> list[AuditEvent]:
    return [record(actor, "read", f"client:{i}") for i in range(1, n + 1)]


def test_each_event_links_to_the_one_before(robin: User) -> None:
    first, second = _write(2, robin)

    assert first.seq == 1 and second.seq == 2
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.hash == chain_hash(first.hash, second.canonical_content())
    assert second.actor_username == "robin"


def test_record_keeps_the_address_not_the_body(robin: User) -> None:
    request = RequestFactory().post(
        "/clients/1/", {"note": "private words"}, REMOTE_ADDR="192.0.2.7"
    )

    event = record(robin, "update", "client:1", request=request, detail={"fields": 2})

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.ip_address == "192.0.2.7"
    assert stored.detail == {"fields": 2}
    assert "private words" not in stored.canonical_content()


def test_a_check_in_has_no_actor() -> None:
    event = record(None, "create", "administration:5")

    assert event.actor is None and event.actor_username == ""
    assert verify_chain().ok


@pytest.mark.parametrize(
    ("action", "target", "field"),
    [("Read Everything", "client:1", "action"), ("read", "", "target")],
)
def test_bad_input_names_the_field(action: str, target: str, field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        record(None, action, target)
    assert AuditEvent.objects.count() == 0


def test_events_cannot_be_changed_or_removed(robin: User) -> None:
    (event,) = _write(1, robin)

    event.action = "delete"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "read"


def test_verify_counts_an_intact_chain(robin: User) -> None:
    _write(5, robin)

    result = verify_chain(batch_size=2)

    assert result.ok and result.count == 5


def test_verify_finds_a_row_changed_with_raw_sql(robin: User) -> None:
    events = _write(5, robin)
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET target = %s WHERE id = %s", ["client:99", events[2].pk])

    result = verify_chain()

    assert not result.ok
    assert result.broken_seq == 3 and result.broken_id == events[2].pk
    assert result.count == 2
    assert "content" in result.reason


def test_verify_finds_a_row_rehashed_to_hide_a_change(robin: User) -> None:
    """Rewriting a row and its own hash still breaks the next row's link."""
    events = _write(4, robin)
    forged = AuditEvent(
        **{f.attname: getattr(events[1], f.attname) for f in AuditEvent._meta.fields}
    )
    forged.target = "client:99"
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET target = %s, hash = %s WHERE id = %s",
            ["client:99", forged.compute_hash(), events[1].pk],
        )

    result = verify_chain()

    assert not result.ok and result.broken_seq == 3
    assert "link" in result.reason


def test_verify_finds_a_removed_row_and_a_cut_tail(robin: User) -> None:
    events = _write(4, robin)
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [events[3].pk])
    cut = verify_chain()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [events[1].pk])
    holed = verify_chain()

    assert not cut.ok and cut.broken_seq == 4 and "cut off" in cut.reason
    assert not holed.ok and holed.broken_seq == 3 and "missing" in holed.reason


def test_cli_verify_exit_codes(robin: User) -> None:
    events = _write(3, robin)
    runner = CliRunner()

    intact = runner.invoke(app, ["audit", "verify"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET action = 'export' WHERE id = %s",
            [events[0].pk],
        )
    broken = runner.invoke(app, ["audit", "verify"])

    assert intact.exit_code == 0, intact.output
    assert "3 events" in intact.output
    assert f"Anchor: 3:{events[-1].hash}" in intact.output
    assert broken.exit_code == 1
    assert f"seq=1 (id={events[0].pk})" in broken.output


def test_cli_anchor_detects_a_rewritten_history(robin: User) -> None:
    """A forger who recomputes every later hash passes the chain check, not the anchor."""
    events = _write(2, robin)
    anchor = f"2:{events[-1].hash}"
    runner = CliRunner()
    assert runner.invoke(app, ["audit", "verify", "--anchor", anchor]).exit_code == 0

    prev = GENESIS_HASH
    table = AuditEvent._meta.db_table
    for event in events:  # rewrite row 1 and re-chain everything after it
        forged = AuditEvent.objects.get(pk=event.pk)
        forged.target = "client:99" if event.seq == 1 else forged.target
        forged.prev_hash = prev
        prev = forged.compute_hash()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET target = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [forged.target, forged.prev_hash, prev, event.pk],
            )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_chainhead SET last_hash = %s", [prev])
    rewritten = runner.invoke(app, ["audit", "verify", "--anchor", anchor])

    assert verify_chain().ok  # the chain alone cannot tell
    assert rewritten.exit_code == 1
    assert "REWRITTEN" in rewritten.output


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_keep_one_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL feature; SQLite admits one writer at a time")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            barrier.wait()
            for i in range(50):
                record(None, "read", f"{name}:{i}")
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    result = verify_chain()
    assert result.ok and result.count == 100
    targets = set(AuditEvent.objects.values_list("target", flat=True))
    assert len(targets) == 100


def test_verify_command_on_a_data_folder(tmp_path: Path) -> None:
    """End to end on a real SQLite file: write events, tamper with sqlite3, verify."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HOLDSPACE_DATA")}
    env["DJANGO_SETTINGS_MODULE"] = "holdspace.web.settings"
    cli = [str(Path(sys.executable).with_name("holdspace"))]
    writer = (
        "from holdspace.cli.web import setup_django, migrate; setup_django(); migrate();"
        "from holdspace.web.audit.log import record;"
        "[record(None, 'read', f'client:{i}') for i in range(3)]"
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*args], env={**env, "HOLDSPACE_DATA": str(tmp_path)}, capture_output=True, text=True
        )

    assert run(sys.executable, "-c", writer).returncode == 0
    intact = run(*cli, "audit", "verify", "--data", str(tmp_path))
    with sqlite3.connect(tmp_path / "holdspace.sqlite3") as db:
        db.execute("UPDATE audit_auditevent SET target = 'client:9' WHERE seq = 2")
    broken = run(*cli, "audit", "verify", "--data", str(tmp_path))

    assert intact.returncode == 0, intact.stderr
    assert "3 events" in intact.stdout
    assert broken.returncode == 1
    assert "seq=2" in broken.stderr
