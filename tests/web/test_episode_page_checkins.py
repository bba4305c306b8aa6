"""The client page shows the episode's check-ins, with the client's own words, in place.

The client's voice must be visible where the clinician looks (DESIGN: "the client's voice
and choice"), not one link away: the page includes checkins/_episode_checkins.html.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from holdspace.web.checkins.models import CheckinLink
from holdspace.web.clients import services
from tests.web.personas import World

pytestmark = pytest.mark.django_db

EARLIER_WORDS = "Sleep was a little better on Tuesday."
LATEST_WORDS = "I moved house & it's <b>loud</b> here."


@pytest.fixture
def world() -> World:
    world = World.create()
    sent = timezone.now() - dt.timedelta(days=14)
    for number, words in enumerate((EARLIER_WORDS, LATEST_WORDS), start=1):
        session = services.add_session(
            world.episode, world.alice, date=dt.date(2026, 1, 5) + dt.timedelta(weeks=number)
        )
        when = sent + dt.timedelta(weeks=number - 1)
        CheckinLink.objects.create(
            token_hash=f"{number}" * 64,
            episode=world.episode,
            session=session,
            display_name="A.",
            created_by=world.alice,
            created_at=when,
            expires_at=when + dt.timedelta(days=2),
            used_at=when + dt.timedelta(hours=1),
            client_note=words,
        )
    return world


def checkins_section(world: World, who: str, url: str) -> str:
    client = Client()
    client.force_login(getattr(world, who))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<section aria-labelledby="checkins-h">(.*?)</section>', html, re.S)
    assert found, "the client page has no Check-ins section"
    return found.group(1)


@pytest.mark.parametrize("who", ["alice", "sam"])  # the clinician, and her supervisor
def test_the_client_page_shows_the_latest_check_in_in_the_clients_own_words(
    world: World, who: str
) -> None:
    url = reverse("clients:client_detail", kwargs={"client_id": world.client.pk})

    section = checkins_section(world, who, url)

    # Escaped, as the client typed it: their words are shown, never run as markup.
    latest = "I moved house &amp; it&#x27;s &lt;b&gt;loud&lt;/b&gt; here."
    assert latest in section
    assert EARLIER_WORDS in section
    assert section.index(latest) < section.index(EARLIER_WORDS)  # the newest first
    assert 'class="client-words"' in section
    assert f"/checkins/episode/{world.episode.pk}/" in section


def test_the_episode_url_shows_the_same_check_ins(world: World) -> None:
    url = reverse("clients:episode_detail", kwargs={"episode_id": world.episode.pk})

    section = checkins_section(world, "alice", url)

    assert "loud" in section and EARLIER_WORDS in section
    assert "Send a check-in link, or see all links" in section


def test_the_clients_words_stay_after_many_newer_links(world: World) -> None:
    later = timezone.now()
    session = world.episode.sessions.order_by("-number").first()
    for n in range(6):  # newer, unused links push the sent one out of the five listed
        CheckinLink.objects.create(
            token_hash=f"n{n}".ljust(64, "x"),
            episode=world.episode,
            session=session,
            display_name="A.",
            created_by=world.alice,
            created_at=later + dt.timedelta(minutes=n),
            expires_at=later + dt.timedelta(days=3),
        )
    url = reverse("clients:client_detail", kwargs={"client_id": world.client.pk})

    section = checkins_section(world, "alice", url)

    assert "I moved house &amp; it&#x27;s &lt;b&gt;loud&lt;/b&gt; here." in section
    assert "In the client's words (session" in section
    assert EARLIER_WORDS not in section  # only the latest words are lifted out
