"""The check-in on a phone-sized Chromium: complete, skip, safety path, closed links.

Every screen is checked with axe-core, by keyboard, and at 320 px wide.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from holdspace.instruments import SKIP
from holdspace.web.checkins.models import CheckinDraft, CheckinLink
from holdspace.web.clients.models import Administration
from tests.web.test_checkin_support import make_link, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABBABLE = "a[href], button, input:not([type=hidden]), textarea, select"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def axe_source(node_modules: Path) -> str:
    return (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def check_screen(page: Any, axe_source: str) -> None:
    """axe-core finds nothing; every control is reachable by Tab; no sideways scroll at 320 px."""
    # The page's CSP (script-src 'self') blocks an injected <script>; evaluate is not blocked.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations.map(
            v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
    )
    assert violations == [], f"{page.url}: {violations}"
    check_keyboard(page)
    check_narrow(page)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
            .filter(e => !e.labels || e.labels.length === 0).map(e => e.name)"""
    )
    assert unlabelled == []


def check_keyboard(page: Any) -> None:
    """Tab from the top reaches every control (one radio per group: arrows move inside)."""
    expected = page.evaluate(
        f"""() => {{
            const seen = new Set(); const keys = [];
            for (const e of document.querySelectorAll('{TABBABLE}')) {{
                const key = e.type === 'radio' ? 'radio:' + e.name
                    : e.tagName + ':' + (e.name || e.id || e.textContent.trim() || e.href);
                if (!seen.has(key)) {{ seen.add(key); keys.push(key); }}
            }}
            return keys;
        }}"""
    )
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached: list[str] = []
    for _ in range(len(expected) + 3):
        page.keyboard.press("Tab")
        key = page.evaluate(
            """() => { const e = document.activeElement;
                if (!e || e === document.body) return '';
                return e.type === 'radio' ? 'radio:' + e.name
                    : e.tagName + ':' + (e.name || e.id || e.textContent.trim() || e.href); }"""
        )
        if key:
            reached.append(key)
    assert set(expected) <= set(reached), set(expected) - set(reached)


def check_narrow(page: Any) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 320)
            .map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 8)"""
    )
    page.set_viewport_size(size)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 320px: {wide}"


def choose(page: Any, item_id: str, value: int | str) -> None:
    page.locator(f"input[name='item-{item_id}'][value='{value}']").check()


def answer(page: Any, prefix: str, values: list[int | str]) -> None:
    for number, value in enumerate(values, start=1):
        choose(page, f"{prefix}_{number}", value)


def test_a_client_completes_a_check_in_on_a_phone(
    live_server: Any, phone_page: Any, axe_source: str
) -> None:
    world = make_world()
    link, token = make_link(world)
    page = phone_page

    page.goto(f"{live_server.url}/c/{token}/")
    assert page.locator(".ci-progress").text_content() == "Questionnaire 1 of 2"
    check_screen(page, axe_source)
    answer(page, "phq9", [1, 1, 0, 2, 0, 1, 0, 0, 0])
    page.get_by_role("button", name="Next").click()

    assert "2 of 2" in page.locator(".ci-progress").text_content()
    check_screen(page, axe_source)
    answer(page, "gad7", [1, 0, 1, 0, 0, 1, 0])
    page.get_by_role("button", name="Next").click()

    check_screen(page, axe_source)
    page.get_by_label("What I'd like you to know today (optional)").fill("Slept better.")
    page.get_by_role("button", name="Send to my therapist").click()

    assert page.get_by_role("heading", name="Thank you, Sam").is_visible()
    check_screen(page, axe_source)
    assert sorted(a.instrument_id for a in Administration.objects.all()) == ["gad7", "phq9"]
    link.refresh_from_db()
    assert link.client_note == "Slept better."


def test_a_client_skips_items_and_a_whole_questionnaire(
    live_server: Any, phone_page: Any, axe_source: str
) -> None:
    world = make_world()
    _, token = make_link(world)
    page = phone_page
    page.goto(f"{live_server.url}/c/{token}/")

    # Keyboard only, as with a switch or a screen reader: Tab to each question, arrows
    # to the answer ("Not today" is the fifth choice), Tab to Next, Enter.
    values = [4, 0, 0, 1, 0, 4, 0, 0, 0]  # option positions; 4 = "Not today"
    page.keyboard.press("Tab")  # "Need help now?"
    for position in values:
        page.keyboard.press("Tab")
        page.keyboard.press("Space" if position == 0 else "ArrowDown")
        for _ in range(position - 1):
            page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # item 10 (optional, not scored): passed over, left blank
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Next"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.get_by_role("button", name="Skip this questionnaire today").click()
    page.get_by_role("button", name="Send to my therapist").click()

    assert page.get_by_role("heading", name="Thank you, Sam").is_visible()
    phq9 = Administration.objects.get(instrument_id="phq9")
    assert phq9.answers == [SKIP, 0, 0, 1, 0, SKIP, 0, 0, 0]  # item 10 left blank: not kept
    # "Skip this questionnaire today" covers every item asked, the difficulty one too.
    assert Administration.objects.get(instrument_id="gad7").answers == [SKIP] * 8


def test_a_risk_answer_opens_the_safety_path(
    live_server: Any, phone_page: Any, axe_source: str
) -> None:
    world = make_world()
    _, token = make_link(world)
    page = phone_page
    page.goto(f"{live_server.url}/c/{token}/")

    answer(page, "phq9", [1, 2, 1, 1, 0, 1, 0, 0, 1])
    page.get_by_role("button", name="Next").click()

    assert page.get_by_role("heading", name="Help is available now").is_visible()
    assert (
        page.get_by_role("link", name="Samaritans", exact=True).get_attribute("href")
        == "tel:116123"
    )
    assert Administration.objects.get().has_risk is True  # stored before anything else
    check_screen(page, axe_source)
    page.get_by_role("button", name="Continue the check-in").click()

    assert page.get_by_role("heading", name="A pause, if you would like one").is_visible()
    check_screen(page, axe_source)
    page.get_by_role("button", name="Continue when you are ready").click()
    assert "2 of 2" in page.locator(".ci-progress").text_content()


def test_expired_and_used_links_say_so_kindly_and_store_nothing(
    live_server: Any, phone_page: Any, axe_source: str
) -> None:
    world = make_world()
    expired, expired_token = make_link(world)
    CheckinLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    used, used_token = make_link(world)
    CheckinLink.objects.filter(pk=used.pk).update(used_at=timezone.now())
    page = phone_page

    page.goto(f"{live_server.url}/c/{expired_token}/")
    assert page.get_by_role("heading", name="This link is closed").is_visible()
    assert "Nothing was saved" in page.content()
    check_screen(page, axe_source)

    page.goto(f"{live_server.url}/c/{used_token}/")
    assert "already been sent" in page.content()
    check_screen(page, axe_source)

    page.get_by_role("link", name="see services you can contact at any time").click()
    assert page.get_by_role("heading", name="Help is available now").is_visible()
    check_screen(page, axe_source)
    assert not CheckinDraft.objects.exists()
    assert not Administration.objects.exists()


def test_the_alliance_check_in_screen_is_accessible(
    live_server: Any, phone_page: Any, axe_source: str
) -> None:
    world = make_world(session_number=2)
    _, token = make_link(world, kind="after")
    page = phone_page

    page.goto(f"{live_server.url}/c/{token}/")

    assert "Your therapist will see these answers" in page.content()
    check_screen(page, axe_source)


def test_the_clinicians_link_page_is_accessible(
    live_server: Any, page: Any, axe_source: str, client: Any
) -> None:
    world = make_world()
    client.force_login(world.clinician)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    page.goto(f"{live_server.url}/checkins/episode/{world.episode.pk}/")
    check_screen(page, axe_source)
    page.get_by_label("Name shown to the client").fill("Sam")
    page.get_by_role("button", name="Create link").click()

    assert page.locator("svg").count() == 1, page.content()[:3000]
    assert "/c/" in page.get_by_label("Link to copy").input_value()
    check_screen(page, axe_source)


def test_the_content_note_before_a_trauma_measure(
    live_server: Any, phone_page: Any, axe_source: str
) -> None:
    world = make_world(plan=(("pcl5", False), ("itq", False)))
    _, token = make_link(world)
    page = phone_page
    page.goto(f"{live_server.url}/c/{token}/")

    assert page.get_by_role("heading", name="Before the next questions").is_visible()
    check_screen(page, axe_source)
    page.get_by_role("button", name="Skip this questionnaire today").click()

    assert "2 of 2" in page.locator(".ci-progress").text_content()
    page.get_by_role("button", name="Continue to the questions").click()
    assert page.locator("fieldset").count() == 18  # the ITQ, one question per fieldset
    check_screen(page, axe_source)
