"""A safety follow-up is a clinical record: the clinician must say what was done, and the
supervisor then reads the risk answer and its follow-up in the client's safety history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from holdspace.web.accounts.models import Role
from holdspace.web.clients.models import SafetyAcknowledgement
from tests.browser.test_flows import Visit
from tests.web.personas import make_user
from tests.web.reviews_helpers import episode_with_scores

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "SAFE-01"


@pytest.fixture
def two_tabs(chromium: Any, node_modules: Path, artifacts_dir: Path) -> Iterator[Any]:
    """A browser tab per person (separate sessions), each checked with axe-core."""
    source = (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    contexts = []

    def open_tab(role: str) -> Visit:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return Visit(context.new_page(), source, artifacts_dir, f"safety-{role}")

    yield open_tab
    for context in contexts:
        context.close()


def settle(page: Any) -> None:
    """Let the live language check (htmx, 500 ms after typing) finish before submitting, as a
    person pausing would: on SQLite its session write and the submit would race."""
    page.wait_for_timeout(700)
    page.wait_for_load_state("networkidle")


def test_an_empty_follow_up_is_refused_and_the_supervisor_sees_the_history(
    two_tabs: Any, live_server: Any
) -> None:
    alice = make_user("alice")
    sam = make_user("sam", Role.SUPERVISOR)
    alice.supervisors.add(sam)
    episode = episode_with_scores(alice, CODE, {1: 14, 2: 15}, sessions=2, risk_at=2)
    risky = episode.administrations.get(has_risk=True)

    clinician = two_tabs("clinician")
    page = clinician.page
    clinician.sign_in(live_server.url, "alice")
    page.click(f"table.caseload a:has-text('{CODE}')")
    clinician.check("client", expect=["Safety follow-up", "Safety history", "Not yet followed up"])

    # One click with an empty box is refused: by the browser, and by the server when only
    # spaces get through, on the page and naming what is missing.
    form = page.locator(f"#follow-up-{risky.pk}")
    form.locator("textarea").nth(1).fill("Settled by the end of the call")
    settle(page)
    form.locator("button:has-text('Record safety follow-up')").click()
    assert form.locator("textarea").first.evaluate("e => e.validity.valueMissing")
    form.locator("textarea").first.fill("   ")
    settle(page)
    form.locator("button:has-text('Record safety follow-up')").click()
    clinician.check("refused", expect=["Say what was done"])
    assert not SafetyAcknowledgement.objects.exists()
    form = page.locator(f"#follow-up-{risky.pk}")
    assert form.locator("textarea").nth(1).input_value() == "Settled by the end of the call"

    form.locator("textarea").first.fill("Phoned; safety plan reviewed together")
    form.locator("textarea").nth(2).fill("Check in again at session 3")
    settle(page)
    form.locator("button:has-text('Record safety follow-up')").click()
    clinician.check("recorded", expect=["Safety follow-up recorded."])
    assert page.locator(f"#follow-up-{risky.pk}").count() == 0
    history = page.locator("section.safety-history").inner_text()
    assert "Phoned; safety plan reviewed together" in history

    # The supervisor reads the same history: the answer chosen, who, when, what was done.
    supervisor = two_tabs("supervisor")
    supervisor.sign_in(live_server.url, "sam")
    supervisor.page.click(f"table.caseload a:has-text('{CODE}')")
    supervisor.check("client", expect=["Safety history"])
    history = supervisor.page.locator("section.safety-history").inner_text()
    for wanted in (
        "answer chosen",
        "by alice",
        "Phoned; safety plan reviewed together",
        "Settled by the end of the call",
        "Check in again at session 3",
    ):
        assert wanted in history, wanted
    assert supervisor.page.locator("button:has-text('Record safety follow-up')").count() == 0
