"""The parts of the app joined into one product: the shared navigation, the next step
beside every signal, and the client page's links to reports, check-ins and reviews.

The browser walk (tests/browser/test_flows.py) clicks through these; here each link is
checked for every role, quickly, with the test client.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from holdspace.web.accounts.models import User
from tests.web.personas import World
from tests.web.reviews_helpers import NOT_ON_TRACK, episode_with_scores

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "holdspace" / "web" / "templates"


def _get(user: User, url: str) -> str:
    c = Client()
    c.force_login(user)
    response = c.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _hrefs(html: str) -> set[str]:
    return {h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)}


def _main_nav(html: str) -> str:
    found = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, flags=re.S)
    assert found, "no main navigation"
    return found.group(1)


@pytest.mark.parametrize(
    ("persona", "wanted", "unwanted"),
    [
        ("alice", ["clients:dashboard", "clients:client_list", "reviews:supervision"], ["users"]),
        ("sam", ["clients:dashboard", "clients:client_list", "reviews:supervision"], ["users"]),
        ("ada", ["users", "audit:events"], ["clients:dashboard", "clients:client_list"]),
    ],
)
def test_every_role_has_one_navigation_with_the_instrument_library(
    world: World, persona: str, wanted: list[str], unwanted: list[str]
) -> None:
    user = getattr(world, persona)
    # Pages built by different apps share the same navigation.
    pages = [reverse("library:list"), reverse("two_factor")]
    for url in pages:
        nav = _hrefs(_main_nav(_get(user, url)))
        assert reverse("library:list") in nav, url
        assert reverse("two_factor") in nav, url
        for name in wanted:
            assert reverse(name) in nav, (url, name)
        for name in unwanted:
            assert reverse(name) not in nav, (url, name)


def test_the_current_page_is_marked_in_the_navigation(world: World) -> None:
    nav = _main_nav(_get(world.alice, reverse("library:list")))
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav)
    assert current == [reverse("library:list")]


def test_each_signal_on_the_client_page_opens_a_review_from_that_signal(world: World) -> None:
    episode = episode_with_scores(world.alice, "INT-01", NOT_ON_TRACK, sessions=13)
    html = _get(world.alice, reverse("clients:episode_detail", args=[episode.pk]))
    review = reverse("reviews:review_open", args=[episode.pk]) + "?kind=not_on_track"
    assert review in _hrefs(html)
    assert html.count(">Open a review<") == html.count('class="signal signal-')

    # The link starts the review from that signal (and only that one).
    form = _get(world.alice, review)
    checked = re.findall(r'<input[^>]*name="kinds"[^>]*value="(\w+)"[^>]*checked', form)
    assert checked == ["not_on_track"]


def test_the_caseload_offers_a_review_beside_each_signal_to_the_clinician_only(
    world: World,
) -> None:
    episode = episode_with_scores(world.alice, "INT-02", NOT_ON_TRACK, sessions=13)
    review = reverse("reviews:review_open", args=[episode.pk]) + "?kind=not_on_track"
    assert review in _hrefs(_get(world.alice, reverse("clients:dashboard")))
    # A supervisor reads the caseload; opening a review is the clinician's step.
    supervisor_view = _get(world.sam, reverse("clients:dashboard"))
    assert "INT-02" in supervisor_view
    assert review not in _hrefs(supervisor_view)


def test_the_client_page_links_to_report_pdf_archive_and_checkins(world: World) -> None:
    client = world.client
    episode = world.episode
    html = _get(world.alice, reverse("clients:episode_detail", args=[episode.pk]))
    links = _hrefs(html)
    for name in ("reports:client_report", "reports:client_pdf", "reports:archive"):
        assert reverse(name, args=[client.pk]) in links, name
    for name in ("checkins:episode", "reviews:episode_reviews", "reviews:review_open"):
        assert reverse(name, args=[episode.pk]) in links, name
    assert 'id="checkins-h"' in html and "Send a check-in link" in html

    # The supervisor reads the report but does not take the record away.
    read_only = _hrefs(_get(world.sam, reverse("clients:episode_detail", args=[episode.pk])))
    assert reverse("reports:client_report", args=[client.pk]) in read_only
    assert reverse("reports:archive", args=[client.pk]) not in read_only
    assert reverse("reviews:review_open", args=[episode.pk]) not in read_only


def test_the_report_and_checkin_pages_lead_back_to_the_client(world: World) -> None:
    client_page = reverse("clients:episode_detail", args=[world.episode.pk])
    report = _get(world.alice, reverse("reports:client_report", args=[world.client.pk]))
    assert reverse("clients:client_detail", args=[world.client.pk]) in _hrefs(report)
    checkins = _get(world.alice, reverse("checkins:episode", args=[world.episode.pk]))
    assert client_page in _hrefs(checkins)


def test_an_admin_at_home_sees_administration_not_a_caseload(world: World) -> None:
    world.episode  # noqa: B018
    html = _get(world.ada, reverse("clients:dashboard"))
    assert "Administration" in html
    assert world.client.code not in html
    assert reverse("users") in _hrefs(html)


def test_no_template_uses_inline_styles_that_the_csp_blocks() -> None:
    # style-src 'self' blocks style attributes and <style> elements in pages; the PDF
    # template is rendered by WeasyPrint, not a browser, so it is exempt.
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] == ["'self'"]
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.name.endswith("_pdf.html"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\sstyle\s*=|<style[\s>]", text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_pages_with_charts_carry_no_inline_style_for_the_csp_to_block(world: World) -> None:
    episode = episode_with_scores(world.alice, "INT-03", NOT_ON_TRACK, sessions=13)
    pages = [
        reverse("clients:dashboard"),
        reverse("clients:episode_detail", args=[episode.pk]),
        reverse("reports:client_report", args=[episode.client.pk]),
    ]
    for url in pages:
        html = _get(world.alice, url)
        assert not re.search(r"\sstyle\s*=|<style[\s>]", html), url
    assert "<svg" in _get(world.alice, pages[1])  # the check above covered real charts
