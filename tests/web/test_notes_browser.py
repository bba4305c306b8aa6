"""The notes editor in a real browser: live suggestions (htmx), one-click alternatives,
keeping wording, under the strict Content Security Policy."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from holdspace.web.clients import services
from holdspace.web.notes.models import KeptWording, SessionNote
from tests.web.personas import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_writes_a_note_with_live_suggestions(page, live_server, artifacts_dir) -> None:
    alice = make_user("alice")
    client = services.add_client(alice, "BR-0002")
    episode = services.open_episode(client, alice, opened_on=dt.date(2026, 1, 5))
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    # Only this screen's console is checked: other pages belong to other apps.
    page.wait_for_load_state("networkidle")
    console_errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            console_errors.append(f"{m.location} {m.text[:50]}") if m.type == "error" else None
        ),
    )
    page.goto(f"{live_server.url}/notes/episodes/{episode.pk}/new/")

    page.fill("#id_text", "She refused the exposure task. He claims it hurts.")
    page.wait_for_selector("#note-findings li.finding")  # arrives after the debounce
    assert page.locator("#note-findings li.finding").count() == 2
    page.screenshot(path=str(artifacts_dir / "notes-1-live-suggestions.png"), full_page=True)

    page.click("button:has-text('Use “declined”')")
    expect(page.locator("#id_text")).to_have_value(
        "She declined the exposure task. He claims it hurts."
    )
    # "declined" stays as a gentle info note; only the "claims" warning is left.
    expect(page.locator("#note-findings li.finding-warn")).to_have_count(1)

    page.click("button:has-text('Save note')")
    page.wait_for_selector("text=Note saved.")
    page.locator("li.finding-warn button:has-text('Keep my wording')").click()
    page.wait_for_selector("text=You kept this wording")
    page.screenshot(path=str(artifacts_dir / "notes-2-kept-wording.png"), full_page=True)

    note = SessionNote.objects.get()
    assert note.text == "She declined the exposure task. He claims it hurts."
    assert KeptWording.objects.get().rule == "claims"
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
