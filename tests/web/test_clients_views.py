"""The client page and the forms that write: add a client, open an episode, enter a measure."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from holdspace.instruments import get_instrument
from holdspace.web.clients import services
from holdspace.web.clients.models import Administration, Episode, SafetyAcknowledgement
from holdspace.web.clients.models import Client as ClientRecord
from tests.web.personas import World, signed_in

pytestmark = pytest.mark.django_db


def test_a_clinician_adds_a_client_and_opens_an_episode_with_the_default_plan(
    world: World,
) -> None:
    browser = signed_in(world.alice)

    response = browser.post(reverse("clients:client_add"), {"code": "KX-7", "display_name": ""})
    client = ClientRecord.objects.get(code="KX-7")
    assert response["Location"] == reverse("clients:episode_open", args=[client.pk])

    form = browser.get(response["Location"])
    assert form.status_code == 200
    data = _form_data(form.content.decode())
    data["opened_on"] = "2026-02-02"
    response = browser.post(reverse("clients:episode_open", args=[client.pk]), data)

    episode = Episode.objects.get(client=client)
    assert response["Location"] == reverse("clients:episode_detail", args=[episode.pk])
    assert {"phq9", "gad7", "waisr"} <= {p.instrument_id for p in episode.plan_items.all()}


def _form_data(html: str) -> dict[str, str]:
    """What a browser would send: inputs with their values, ticked boxes only."""
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        data[name.group(1)] = value.group(1) if value else ""
    return data


def test_the_measure_form_is_built_from_the_definition_and_every_item_can_be_skipped(
    world: World,
) -> None:
    url = reverse("clients:administration_add", args=[world.episode.pk, "phq9"])

    html = signed_in(world.alice).get(url).content.decode()

    assert html.count('value="skip"') == 10  # nine scored items and the difficulty item
    assert "Not today (skip)" in html


def test_entering_a_phq9_in_session_stores_a_scored_administration(world: World) -> None:
    session = world.session
    url = reverse("clients:administration_add", args=[world.episode.pk, "phq9"])
    data = {f"item_phq9_{i}": "2" for i in range(1, 9)}
    data |= {"item_phq9_9": "skip", "session": str(session.pk), "idempotency_key": "abc"}

    response = signed_in(world.alice).post(url, data)
    again = signed_in(world.alice).post(url, data)  # a double submit stores one row

    assert response.status_code == 302 and again.status_code == 302
    adm = Administration.objects.get()
    assert adm.total is None or adm.total >= 16
    assert adm.answers[8] == "skip"
    assert adm.session_id == session.pk
    assert adm.source == "in_session"


def test_a_risk_answer_shows_a_safety_follow_up_until_acknowledged(world: World) -> None:
    adm = world.administration
    page = reverse("clients:episode_detail", args=[world.episode.pk])

    html = signed_in(world.alice).get(page).content.decode()
    assert "Safety follow-up" in html
    assert reverse("clients:safety_acknowledge", args=[adm.pk]) in html

    signed_in(world.alice).post(
        reverse("clients:safety_acknowledge", args=[adm.pk]), {f"ack{adm.pk}-note": "phoned today"}
    )
    html = signed_in(world.alice).get(page).content.decode()
    assert reverse("clients:safety_acknowledge", args=[adm.pk]) not in html


def test_an_empty_follow_up_is_refused_on_the_page_with_what_was_typed(world: World) -> None:
    adm = world.administration
    url = reverse("clients:safety_acknowledge", args=[adm.pk])

    response = signed_in(world.alice).post(
        url, {f"ack{adm.pk}-note": " ", f"ack{adm.pk}-outcome": "settled by the end"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Say what was done" in html
    assert "settled by the end" in html  # what was typed is not lost
    assert not SafetyAcknowledgement.objects.exists()


def test_the_safety_history_shows_the_answer_and_the_follow_up_to_the_supervisor(
    world: World,
) -> None:
    adm = world.administration
    services.acknowledge_safety(
        adm, world.alice, note="phoned, plan reviewed", next_step="see on Friday"
    )
    page = reverse("clients:episode_detail", args=[world.episode.pk])

    html = signed_in(world.sam).get(page).content.decode()

    history = html[html.index('id="safety-history-h"') :]
    item = get_instrument("phq9").item(get_instrument("phq9").risk_items[0])
    assert f"Item {item.number}:" in history and "answer chosen" in history
    assert "by alice" in history and "phoned, plan reviewed" in history
    assert "see on Friday" in history
    assert "Record safety follow-up" not in html  # the supervisor reads, does not write


def test_an_old_risk_answer_says_how_old_it_is(world: World) -> None:
    adm = world.administration
    Administration.objects.filter(pk=adm.pk).update(
        completed_at=timezone.now() - dt.timedelta(days=7)
    )

    html = signed_in(world.alice).get(reverse("clients:episode_detail", args=[world.episode.pk]))

    text = html.content.decode()
    assert "7 days ago" in text
    assert "follow up on safety today" not in text


def test_the_client_page_has_a_chart_and_its_table(world: World) -> None:
    world.administration  # noqa: B018 - makes one PHQ-9
    html = signed_in(world.alice).get(reverse("clients:client_detail", args=[world.client.pk]))

    text = html.content.decode()
    assert re.search(r'<svg role="img" aria-label="[^"]*PHQ-9', text)
    assert "<script" not in text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "by session (open a date for every answer)</caption>" in text


def test_a_supervisor_reads_but_cannot_write(world: World) -> None:
    world.administration  # noqa: B018
    page = signed_in(world.sam).get(reverse("clients:episode_detail", args=[world.episode.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Record safety follow-up" not in html
    assert "Add session" not in html


def test_the_product_never_uses_a_blaming_word(world: World) -> None:
    world.administration  # noqa: B018
    pages = [
        reverse("clients:dashboard"),
        reverse("clients:client_list"),
        reverse("clients:client_add"),
        reverse("clients:episode_detail", args=[world.episode.pk]),
        reverse("clients:episode_open", args=[world.client.pk]),
        reverse("clients:administration_add", args=[world.episode.pk, "phq9"]),
    ]
    banned = ("resistant", "non-compliant", "noncompliant", "failed", "manipulative",
              "unmotivated", "drop-out", "dropout")  # fmt: skip
    for url in pages:
        text = signed_in(world.alice).get(url).content.decode().lower()
        assert not [w for w in banned if w in text], url


def test_an_adaptation_is_marked_on_the_chart(world: World) -> None:
    from holdspace.web.reviews.models import Adaptation

    world.administration  # noqa: B018
    Adaptation.objects.create(
        episode=world.episode,
        kind="pace",
        description="Slower pacing",
        starts_on_session=2,
        instrument_id="phq9",
        created_by=world.alice,
    )

    html = signed_in(world.alice).get(reverse("clients:episode_detail", args=[world.episode.pk]))

    svg = html.content.decode().split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Pace: Slower pacing" in svg


def test_session_status_and_closing_the_episode(world: World) -> None:
    session = world.session
    browser = signed_in(world.alice)

    browser.post(reverse("clients:session_status", args=[session.pk]), {"status": "missed"})
    browser.post(reverse("clients:episode_close", args=[world.episode.pk]), {"end_reason": ""})
    world.episode.refresh_from_db()
    assert world.episode.status == "open"  # an end reason is needed

    browser.post(
        reverse("clients:episode_close", args=[world.episode.pk]), {"end_reason": "goals met"}
    )

    session.refresh_from_db()
    world.episode.refresh_from_db()
    assert session.status == "missed"
    assert (world.episode.status, world.episode.end_reason) == ("closed", "goals met")
    rows = browser.get(reverse("clients:dashboard")).context["rows"]
    assert rows == []  # the dashboard lists open episodes only


def test_a_bad_session_status_is_refused_with_a_message(world: World) -> None:
    session = world.session
    response = signed_in(world.alice).post(
        reverse("clients:session_status", args=[session.pk]), {"status": "vanished"}, follow=True
    )

    session.refresh_from_db()
    assert session.status == "attended"
    assert "status" in response.content.decode()
