"""The live note editor's endpoints (lint, apply) audit a read when they name a saved note.

A saved note's kept wordings are read to mark findings, so a request naming a note is a
read of client data. The editor sends one request per typing pause, so the read is
recorded once per note per sign-in session within a window (docs/language.md); a new,
unsaved note names no stored record and is never audited.
"""

from __future__ import annotations

import types

import pytest
from django.test import Client
from django.urls import reverse

from holdspace.web.audit.models import AuditEvent
from holdspace.web.notes import views
from holdspace.web.notes.models import SessionNote
from tests.web.personas import World

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
SECRET = "She mentioned her brother Tomasz"


@pytest.fixture
def note(world: World) -> SessionNote:
    return SessionNote.objects.create(episode=world.episode, author=world.alice, text=SECRET)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A settable clock for the view's window (only the notes views see it)."""
    now = [1_000_000.0]
    monkeypatch.setattr(views, "time", types.SimpleNamespace(time=lambda: now[0]))
    return now


def signed_in(world: World, who: str = "alice") -> Client:
    client = Client()
    client.force_login(getattr(world, who))
    return client


def reads(target: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="read", target=target).order_by("seq"))


def lint(client: Client, text: str, note: SessionNote | None = None) -> int:
    data = {"text": text} if note is None else {"text": text, "note": note.pk}
    return int(client.post(reverse("notes:lint"), data, **HX).status_code)


def test_typing_a_new_unsaved_note_is_never_audited(world: World, clock: list[float]) -> None:
    alice = signed_in(world)
    before = AuditEvent.objects.count()

    # Each keystroke pause sends the whole text so far.
    statuses = [lint(alice, SECRET[:n]) for n in range(5, len(SECRET), 5)]

    assert statuses and set(statuses) == {200}
    assert AuditEvent.objects.count() == before


def test_linting_a_saved_note_records_one_read_naming_it_without_its_text(
    world: World, note: SessionNote, clock: list[float]
) -> None:
    alice = signed_in(world)

    assert lint(alice, f"{SECRET} is an addict", note) == 200

    [event] = reads(f"note:{note.pk}")
    assert event.actor == world.alice
    assert event.ip_address == "127.0.0.1"
    assert event.detail == {"via": "lint", "window_minutes": 10}
    assert "Tomasz" not in str(event.detail) and "addict" not in str(event.detail)


def test_the_debounced_requests_in_one_window_add_no_more_reads(
    world: World, note: SessionNote, clock: list[float]
) -> None:
    alice = signed_in(world)

    for n in range(10):
        clock[0] += 30  # a typing pause every half minute: 5 minutes in all
        assert lint(alice, SECRET[: 10 + n], note) == 200

    assert len(reads(f"note:{note.pk}")) == 1


def test_a_new_window_records_the_read_again(
    world: World, note: SessionNote, clock: list[float]
) -> None:
    alice = signed_in(world)
    lint(alice, SECRET, note)

    clock[0] += views.LIVE_READ_WINDOW_SECONDS - 1
    lint(alice, SECRET, note)
    assert len(reads(f"note:{note.pk}")) == 1

    clock[0] += 1
    lint(alice, SECRET, note)
    assert len(reads(f"note:{note.pk}")) == 2


def test_each_note_and_each_sign_in_session_is_recorded_on_its_own(
    world: World, note: SessionNote, clock: list[float]
) -> None:
    other = SessionNote.objects.create(episode=world.episode, author=world.alice, text="Sleep.")
    first, second = signed_in(world), signed_in(world)

    lint(first, SECRET, note)
    lint(first, "Sleep.", other)
    lint(second, SECRET, note)

    assert len(reads(f"note:{note.pk}")) == 2
    assert len(reads(f"note:{other.pk}")) == 1


def test_applying_a_suggestion_live_to_a_saved_note_records_a_read(
    world: World, note: SessionNote, clock: list[float]
) -> None:
    text = "He is an addict."
    response = signed_in(world).post(
        reverse("notes:apply"),
        {"text": text, "apply": "9|15|person with a substance use disorder", "note": note.pk},
        **HX,
    )

    assert response.status_code == 200
    [event] = reads(f"note:{note.pk}")
    assert event.detail == {"via": "apply", "window_minutes": 10}
    assert "addict" not in str(event.detail)
    assert SessionNote.objects.get(pk=note.pk).text == SECRET  # live apply does not save


def test_applying_a_suggestion_live_to_a_new_note_is_not_audited(
    world: World, clock: list[float]
) -> None:
    alice = signed_in(world)  # signing in is itself audited, so count after it
    before = AuditEvent.objects.count()

    response = alice.post(
        reverse("notes:apply"), {"text": "He is an addict.", "apply": "9|15|x"}, **HX
    )

    assert response.status_code == 200
    assert AuditEvent.objects.count() == before


def test_naming_someone_elses_note_is_refused_and_records_no_read(
    world: World, note: SessionNote, clock: list[float]
) -> None:
    assert lint(signed_in(world, "bob"), "x", note) == 404
    assert reads(f"note:{note.pk}") == []
