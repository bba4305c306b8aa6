"""The client's own space on a phone-sized Chromium, as the client and the clinician use it.

Every client screen is checked with axe-core, by keyboard and at 320 px (the check-in's
checks), with no console or CSP errors. Screenshots go to artifacts/space-*.png.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from holdspace.safetyplan import plan_steps
from holdspace.web.clients import services as clinic
from holdspace.web.reports.models import Goal
from holdspace.web.space import services
from holdspace.web.space.models import SafetyPlanVersion
from tests.browser.test_checkin_browser import check_screen
from tests.web.test_checkin_support import PASSWORD, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHQ9 = ([3, 3, 2, 2, 2, 1, 2, 1, 0], [2, 2, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 1, 0, 0, 0, 0])


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def axe_source(node_modules: Path) -> str:
    return (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def world_with_scores() -> Any:
    world = make_world(plan=(("phq9", False),))
    for number, answers in enumerate(PHQ9, start=1):
        day = dt.date(2026, 11, 1) + dt.timedelta(weeks=number)
        when = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        clinic.record_administration(
            world.episode, "phq9", answers, source="in_session", completed_at=when
        )
    Goal.objects.create(
        episode=world.episode, text="Sleep through the night", added_by=world.clinician
    )
    return world


def watch(page: Any) -> list[str]:
    """Console and CSP errors; a refused PIN (400) or a stopped link (404) is the page's
    own answer, not an error of the page."""
    errors: list[str] = []

    def on_console(message: Any) -> None:
        refused = "status of 400" in message.text or "status of 404" in message.text
        if (message.type == "error" and not refused) or "Content Security Policy" in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def shot(page: Any, artifacts_dir: Path, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / f"space-{name}.png"), full_page=True)


def open_space(page: Any, base: str, token: str, pin: str = "2580") -> None:
    page.goto(f"{base}/s/{token}/")
    page.get_by_label("My new PIN").fill(pin)
    page.get_by_label("The same PIN again").fill(pin)
    page.get_by_role("button", name="Save my PIN").click()
    page.wait_for_url(f"{base}/s/")


def test_first_visit_pin_progress_and_a_new_goal(
    live_server: Any, phone_page: Any, axe_source: str, artifacts_dir: Path
) -> None:
    world = world_with_scores()
    _space, _link, token = services.share_link(world.client, world.clinician, display_name="Sam")
    page = phone_page
    errors = watch(page)

    page.goto(f"{live_server.url}/s/{token}/")
    assert page.url == f"{live_server.url}/s/pin/"  # the token is out of the address bar
    assert page.get_by_role("heading", name="Choose your PIN").is_visible()
    check_screen(page, axe_source)
    shot(page, artifacts_dir, "pin")
    page.get_by_label("My new PIN").fill("1234")
    page.get_by_label("The same PIN again").fill("1234")
    page.get_by_role("button", name="Save my PIN").click()
    assert "count up or down" in page.get_by_role("alert").inner_text()
    check_screen(page, axe_source)
    page.get_by_label("My new PIN").fill("2580")
    page.get_by_label("The same PIN again").fill("2580")
    page.get_by_role("button", name="Save my PIN").click()

    assert page.get_by_role("heading", name="Hello, Sam").is_visible()
    assert "Your therapist can read this." in page.locator("footer").inner_text()
    check_screen(page, axe_source)
    shot(page, artifacts_dir, "home")

    page.get_by_role("navigation", name="My space").get_by_role("link", name="My progress").click()
    assert page.get_by_role("heading", name="Mood").is_visible()
    main = page.locator("main").inner_text()
    assert "Your first score was 16" in main and "the most recent is 4" in main
    page.get_by_text("What the numbers mean").click()
    assert "What they do not mean" in page.locator("main").inner_text()
    assert page.locator("main svg").count() == 1
    check_screen(page, axe_source)
    shot(page, artifacts_dir, "progress")

    page.get_by_role("navigation", name="My space").get_by_role("link", name="My goals").click()
    check_screen(page, axe_source)
    page.get_by_label("My goal, in my own words").fill("Phone my sister once a week")
    page.get_by_role("button", name="Add my goal").click()
    mine = page.get_by_role("region", name="Phone my sister once a week")
    mine.get_by_label("Closer").check()
    mine.get_by_role("button", name="Save how it feels").click()
    assert "Last time you said: closer" in page.locator("main").inner_text()
    check_screen(page, axe_source)
    shot(page, artifacts_dir, "goals")
    goal = Goal.objects.get(text="Phone my sister once a week")
    assert goal.added_by_client and [m.mark for m in goal.marks.all()] == ["closer"]
    assert errors == []


def test_the_client_edits_their_safety_plan_and_prints_it(
    live_server: Any, phone_page: Any, axe_source: str, artifacts_dir: Path
) -> None:
    from pypdf import PdfReader

    world = world_with_scores()
    space, _link, token = services.share_link(world.client, world.clinician)
    made = {s.id: "" for s in plan_steps().steps}
    made.update(
        professionals="My therapist Robin: 01632 960 123", safer_surroundings="Tablets with Mum"
    )
    services.save_plan(space, made, by=world.clinician, reviewed_together=True)
    page = phone_page
    errors = watch(page)
    open_space(page, live_server.url, token)

    page.get_by_role("navigation", name="My space").get_by_role(
        "link", name="My safety plan"
    ).click()
    main = page.locator("main").inner_text()
    assert "Tablets with Mum" in main and "Samaritans" in main
    assert "Last gone through together" in main
    check_screen(page, axe_source)
    shot(page, artifacts_dir, "plan")

    page.get_by_role("link", name="Change my parts of the plan").click()
    assert page.get_by_label("Making my surroundings safer").count() == 0  # made together
    page.get_by_label("Warning signs").fill("Not sleeping; pacing at 3am")
    page.get_by_label("What matters to me").fill("My niece; the allotment")
    check_screen(page, axe_source)
    page.get_by_role("button", name="Save my plan").click()
    assert "My niece; the allotment" in page.locator("main").inner_text()
    latest = SafetyPlanVersion.objects.order_by("-number").first()
    assert latest is not None and latest.number == 2 and latest.by_client
    assert latest.steps["safer_surroundings"] == "Tablets with Mum"

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a PDF to print or keep").click()
    pdf = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "My safety plan",
        "Not sleeping; pacing at 3am",
        "My niece; the allotment",
        "Tablets with Mum",
        "Samaritans",
        "Stanley",
    ):
        assert expected in text, expected
    assert errors == []


def test_grounding_page_and_revoke(
    live_server: Any, phone_page: Any, page: Any, axe_source: str, artifacts_dir: Path
) -> None:
    world = world_with_scores()
    _space, _link, token = services.share_link(world.client, world.clinician)
    phone = phone_page
    errors = watch(phone)
    open_space(phone, live_server.url, token)
    phone.get_by_role("navigation", name="My space").get_by_role(
        "link", name="Grounding tools"
    ).click()
    assert phone.get_by_role("heading", name="Breathing with the circle").is_visible()
    assert phone.get_by_role("heading", name="Five, four, three, two, one").is_visible()
    animation = phone.evaluate(
        "getComputedStyle(document.querySelector('.gr-circle')).animationName"
    )
    assert animation == "gr-breathe"
    check_screen(phone, axe_source)
    shot(phone, artifacts_dir, "grounding")

    # The clinician stops the link from their page; the phone's next tap is not available.
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", world.clinician.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/spaces/clients/{world.client.pk}/")
    page.get_by_role("button", name="Stop the link now").click()
    assert "The link is stopped." in page.locator("main").inner_text()

    phone.get_by_role("navigation", name="My space").get_by_role("link", name="My goals").click()
    assert phone.get_by_role("heading", name="Not available").is_visible()
    check_screen(phone, axe_source)
    shot(phone, artifacts_dir, "revoked")
    phone.goto(f"{live_server.url}/s/{token}/")
    assert phone.get_by_role("heading", name="Not available").is_visible()
    assert errors == []
