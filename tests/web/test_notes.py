"""Session notes: inline language suggestions that never block, kept wording recorded."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from holdspace.web.audit.models import AuditEvent
from holdspace.web.notes.models import KeptWording, SessionNote
from tests.web.personas import World, signed_in

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_saving_a_note_with_labelling_language_is_not_blocked(world: World) -> None:
    alice = signed_in(world.alice)
    url = reverse("notes:new", kwargs={"episode_id": world.episode.pk})

    response = alice.post(url, {"text": "Client is non-compliant and refused homework."})

    note = SessionNote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("notes:edit", kwargs={"note_id": note.pk})
    assert note.author == world.alice and note.episode == world.episode
    page = alice.get(response["Location"])
    # Without JavaScript the server lints on save and shows the findings on the page.
    assert b"non-compliant" in page.content
    assert b"(refused)" in page.content
    assert b"Keep my wording" in page.content


def test_the_audit_log_gets_rule_ids_and_counts_never_note_text(world: World) -> None:
    signed_in(world.alice).post(
        reverse("notes:new", kwargs={"episode_id": world.episode.pk}),
        {"text": "She claims the pills were stolen."},
    )

    event = AuditEvent.objects.filter(action="create").latest("pk")
    assert event.detail == {"warnings": 1, "rules": ["claims"]}
    assert "stolen" not in str(event.detail)


def test_lint_endpoint_returns_the_findings_partial(world: World) -> None:
    response = signed_in(world.alice).post(
        reverse("notes:lint"), {"text": "He is an addict."}, **HX
    )

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "notes/_findings.html"
    assert b"addict" in response.content
    assert "person with a substance use disorder" in response.content.decode()


def test_lint_endpoint_says_when_there_is_nothing_to_suggest(world: World) -> None:
    response = signed_in(world.alice).post(
        reverse("notes:lint"), {"text": "We practised grounding."}, **HX
    )

    assert b"No language suggestions." in response.content


def test_lint_endpoint_is_post_only_and_needs_sign_in(world: World) -> None:
    assert signed_in(world.alice).get(reverse("notes:lint")).status_code == 405
    assert Client().post(reverse("notes:lint"), {"text": "x"}).status_code == 302


def test_applying_a_suggestion_with_htmx_returns_the_new_editor(world: World) -> None:
    text = "She refused the exposure task."
    response = signed_in(world.alice).post(
        reverse("notes:apply"), {"text": text, "apply": "4|11|declined"}, **HX
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "She declined the exposure task." in body
    assert "(refused)" not in body


def test_applying_a_suggestion_without_javascript_saves_the_note(world: World) -> None:
    note = SessionNote.objects.create(
        episode=world.episode, author=world.alice, text="He claims it helped."
    )

    response = signed_in(world.alice).post(
        reverse("notes:apply"),
        {"text": note.text, "note": note.pk, "apply": "3|9|reports"},
    )

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "He reports it helped."


def test_apply_rejects_a_span_outside_the_text(world: World) -> None:
    response = signed_in(world.alice).post(
        reverse("notes:apply"), {"text": "short", "apply": "2|99|x"}
    )

    assert response.status_code == 400
    assert b"outside the text" in response.content


def test_keeping_wording_is_recorded_and_shown(world: World) -> None:
    text = "Client is treatment-resistant."
    note = SessionNote.objects.create(episode=world.episode, author=world.alice, text=text)
    alice = signed_in(world.alice)

    response = alice.post(
        reverse("notes:keep", kwargs={"note_id": note.pk}),
        {"text": text, "keep": "treatment-resistant|10|29"},
        **HX,
    )

    kept = KeptWording.objects.get()
    assert (kept.note, kept.rule, kept.text) == (note, "treatment-resistant", "treatment-resistant")
    assert kept.decided_at is not None
    assert b"You kept this wording" in response.content
    # The choice persists: later renders of the note show it as kept.
    page = alice.get(reverse("notes:edit", kwargs={"note_id": note.pk}))
    assert b"You kept this wording" in page.content


def test_keep_rejects_an_unknown_rule(world: World) -> None:
    note = SessionNote.objects.create(episode=world.episode, author=world.alice, text="abc")

    response = signed_in(world.alice).post(
        reverse("notes:keep", kwargs={"note_id": note.pk}), {"text": "abc", "keep": "nope|0|2"}
    )

    assert response.status_code == 400
    assert not KeptWording.objects.exists()


def test_a_supervisor_reads_notes_but_cannot_edit(world: World) -> None:
    note = SessionNote.objects.create(
        episode=world.episode, author=world.alice, text="Sleep improving."
    )
    sam = signed_in(world.sam)

    listing = sam.get(reverse("notes:list", kwargs={"episode_id": world.episode.pk}))
    edit = sam.get(reverse("notes:edit", kwargs={"note_id": note.pk}))

    assert listing.status_code == 200 and b"Sleep improving." in listing.content
    assert b"New note" not in listing.content
    assert edit.status_code == 404


def test_another_clinician_cannot_see_or_lint_into_a_note(world: World) -> None:
    note = SessionNote.objects.create(episode=world.episode, author=world.alice, text="x")
    bob = signed_in(world.bob)

    assert (
        bob.get(reverse("notes:list", kwargs={"episode_id": world.episode.pk})).status_code == 404
    )
    assert bob.post(reverse("notes:lint"), {"text": "x", "note": note.pk}).status_code == 404


def test_an_empty_note_gets_a_clear_error(world: World) -> None:
    response = signed_in(world.alice).post(
        reverse("notes:new", kwargs={"episode_id": world.episode.pk}), {"text": ""}
    )

    assert response.status_code == 200
    assert b"Write the note before saving." in response.content
    assert not SessionNote.objects.exists()


def test_editor_uses_htmx_attributes_and_no_inline_script(world: World) -> None:
    page = signed_in(world.alice).get(reverse("notes:new", kwargs={"episode_id": world.episode.pk}))
    html = page.content.decode()

    assert 'hx-post="/notes/lint/"' in html
    assert "delay:500ms" in html
    assert '<script src="/static/vendor/htmx.min.js"></script>' in html
    assert "<script>" not in html and "onclick" not in html


def test_the_client_page_partial_lists_recent_notes(world: World) -> None:
    SessionNote.objects.create(episode=world.episode, author=world.alice, text="First note.")

    page = signed_in(world.alice).get(
        reverse("clients:episode_detail", kwargs={"episode_id": world.episode.pk})
    )

    assert b"First note." in page.content
    assert reverse("notes:new", kwargs={"episode_id": world.episode.pk}).encode() in page.content
