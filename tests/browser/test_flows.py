"""The main flow of each role in a real browser, clicking links as a person would.

Clinician: caseload with signals -> client page with charts -> session note with language
suggestions -> stuck-point review opened from a signal -> adaptation -> progress report
(page, PDF, record archive) -> check-in link. Supervisor: supervisee's caseload -> the
review -> a comment. Admin: users and the audit log, and no clinical content.

Every page visited is checked with axe-core and for console errors (CSP violations show
up there as "Refused to apply inline style ..."); the caseload and the client page are
checked for sideways scrolling at 375 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from holdspace.web.accounts.models import Role
from holdspace.web.reviews import services as review_services
from tests.web.personas import PASSWORD, make_user
from tests.web.reviews_helpers import NOT_ON_TRACK, episode_with_scores

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "FLOW-01"


class Visit:
    """One person's browser tab: records console errors and checks every page it lands on."""

    def __init__(self, page: Any, axe_source: str, artifacts: Path, role: str) -> None:
        self.page = page
        self.axe_source = axe_source
        self.artifacts = artifacts
        self.role = role
        self.console: list[str] = []
        self.shots = 0
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))

    def _on_console(self, message: Any) -> None:
        # Chromium reports CSP violations and failed loads as console errors.
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console.append(f"{message.type}: {message.text}")

    def check(self, name: str, *, expect: list[str]) -> None:
        """The page shows `expect`, axe finds nothing, the console stayed clean."""
        page = self.page
        page.wait_for_load_state("load")
        text = page.locator("main").inner_text()
        for wanted in expect:
            assert wanted in text, f"{page.url}: {wanted!r} not on the page"
        self.axe()
        assert self.console == [], f"{page.url}: {self.console}"
        self.shots += 1
        path = self.artifacts / f"flow-{self.role}-{self.shots:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)

    def axe(self) -> None:
        page = self.page
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self.axe_source)  # the CSP blocks an injected <script>, not this
        violations = page.evaluate(
            """async () => (await axe.run(document)).violations.map(
                v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
        )
        assert violations == [], f"{page.url} at {page.viewport_size}: {violations}"

    def check_narrow(self, name: str) -> None:
        """At 375 px the page itself never scrolls sideways, and axe still finds nothing."""
        page = self.page
        page.set_viewport_size({"width": 375, "height": 740})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        self.axe()  # e.g. a table that scrolls inside its own box must take keyboard focus
        page.screenshot(
            path=str(self.artifacts / f"flow-{self.role}-{name}-375.png"), full_page=True
        )
        page.set_viewport_size({"width": 1280, "height": 900})
        assert overflow <= 0, f"{page.url}: {overflow}px of sideways scroll at 375 px"

    def sign_in(self, base: str, username: str, home: str = "/") -> None:
        self.page.goto(f"{base}/account/login/")
        self.check("login", expect=["Sign in"])
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{base}{home}")


@pytest.fixture
def visit(page: Any, node_modules: Path, artifacts_dir: Path) -> Iterator[Any]:
    source = (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    yield lambda role: Visit(page, source, artifacts_dir, role)


@pytest.fixture
def people() -> dict[str, Any]:
    alice = make_user("alice")
    sam = make_user("sam", Role.SUPERVISOR)
    alice.supervisors.add(sam)
    ada = make_user("ada", Role.ADMIN)
    # PHQ-9 18 -> 15 by session 13: short of a reliable improvement, so "Review suggested".
    episode = episode_with_scores(alice, CODE, NOT_ON_TRACK, sessions=13)
    return {"alice": alice, "sam": sam, "ada": ada, "episode": episode}


def test_clinician_from_caseload_to_review_adaptation_report_and_checkin(
    visit: Any, people: dict[str, Any], live_server: Any
) -> None:
    v = visit("clinician")
    page = v.page
    v.sign_in(live_server.url, "alice")
    v.check("caseload", expect=["Caseload", CODE, "Review suggested"])
    assert page.locator("table.caseload a:has-text('Open a review')").count() >= 1
    v.check_narrow("caseload")

    page.click(f"table.caseload a:has-text('{CODE}')")
    v.check("client", expect=[CODE, "Signals", "Review suggested", "Measures", "Sessions"])
    assert page.locator("svg.chart").count() >= 1
    for link in ("Progress report", "Progress report (PDF)", "Full record to take away (zip)"):
        assert page.get_by_role("link", name=link, exact=True).count() == 1, link
    v.check_narrow("client")

    # A session note: labelling language gets a person-centred suggestion as you type.
    page.click(".episode-notes a:has-text('New note')")
    v.check("note-new", expect=["New note", "Language suggestions"])
    page.fill("#id_text", "Client was non-compliant with the homework.")
    page.locator("#note-findings .finding").first.wait_for()
    assert "non-compliant" in page.locator("#note-findings").inner_text()
    v.check("note-suggestions", expect=["Consider"])
    page.click("button:has-text('Save note')")
    v.check("note-saved", expect=["Note saved."])
    page.click("a:has-text('Back to the client page')")

    # The stuck-point review, opened from the signal itself.
    page.locator("section[aria-labelledby=signals-h] a:has-text('Open a review')").first.click()
    v.check("review-open", expect=["Open a stuck-point review"])
    assert page.locator("input[name=kinds][value=not_on_track]").is_checked()
    page.click("button:has-text('Open the review')")
    page.wait_for_selector("section.review-section")
    v.check("review", expect=["Stuck-point review", "Plan"])
    page.fill("#id_plan", "Revisit the goals together; slow the pace.")
    page.locator("#review-form button[type=submit]").click()
    v.check("review-plan", expect=["Marks and plan saved."])

    page.click("a:has-text('Record an adaptation')")
    v.check("adaptation-form", expect=["adaptation"])
    page.select_option("#id_kind", "pace")
    page.fill("#id_description", "Slower pace, grounding first")
    page.fill("#id_starts_on_session", "14")
    page.click("button:has-text('Record adaptation')")
    v.check("adaptation-recorded", expect=["Adaptation recorded."])

    # The progress report for the client, its PDF and the portability archive.
    page.click("a:has-text('client page')")
    v.check("client-after", expect=["Slower pace"])
    page.click("nav[aria-label='For this client'] a:has-text('Progress report')")
    v.check("report", expect=[CODE])
    for name, kind in (("Download PDF", "application/pdf"), ("full record", "application/zip")):
        href = page.locator(f"main a:has-text('{name}')").first.get_attribute("href")
        response = page.request.get(f"{live_server.url}{href}")
        assert response.status == 200, href
        assert response.headers["content-type"].startswith(kind), href

    # A check-in link for the client's phone.
    page.click("a:has-text('Back to the client page')")
    page.click("a:has-text('Send a check-in link')")
    v.check("checkins", expect=["New check-in link"])
    page.click("button:has-text('Create link')")
    # The session already has this week's measures: said before anything is written.
    v.check("checkin-warned", expect=["already has a", "Nothing was created yet."])
    page.click("button:has-text('Create a link that corrects it')")
    v.check("checkin-created", expect=["Link to copy", "Scan with the client's phone camera."])
    assert "/c/" in page.input_value("#checkin-url")

    page.click("nav[aria-label=Main] a:has-text('Instruments')")
    v.check("instruments", expect=["Instrument library", "PHQ-9"])


def test_supervisor_reads_a_supervisees_review_and_comments(
    visit: Any, people: dict[str, Any], live_server: Any
) -> None:
    episode = people["episode"]
    review_services.open_review(
        episode,
        people["alice"],
        signals=[{"kind": "not_on_track", "severity": "", "summary": "PHQ-9 18 -> 15"}],
        trigger="signal",
    )
    v = visit("supervisor")
    page = v.page
    v.sign_in(live_server.url, "sam")
    v.check("caseload", expect=["Caseload", CODE, "Review suggested", "alice"])
    # A supervisor reads; only the client's clinician opens reviews.
    assert page.locator("a:has-text('Open a review')").count() == 0

    page.click(f"table.caseload a:has-text('{CODE}')")
    v.check("client", expect=[CODE, "Measures"])
    assert page.locator("form[action*='sessions/new']").count() == 0

    page.click("nav[aria-label=Main] a:has-text('Reviews')")
    v.check("reviews", expect=["Stuck-point reviews", "alice", CODE])
    page.click(f"main a:has-text('{CODE}')")
    v.check("review", expect=["Stuck-point review", "Supervision comments"])
    page.fill("textarea[name=text]", "Worth asking how the pace feels to the client.")
    page.click("button:has-text('Add comment')")
    v.check("commented", expect=["Comment added.", "Worth asking how the pace feels"])


def test_admin_manages_users_and_reads_the_audit_log_without_clinical_content(
    visit: Any, people: dict[str, Any], live_server: Any
) -> None:
    v = visit("admin")
    page = v.page
    # An admin lands on the account list, never on a caseload.
    v.sign_in(live_server.url, "ada", home="/account/users/")
    v.check("users", expect=["alice", "sam"])
    assert CODE not in page.content()
    page.click("main a:has-text('alice')")
    v.check("user-edit", expect=["alice"])

    page.click("nav[aria-label=Main] a:has-text('Audit log')")
    v.check("audit", expect=["Audit log"])
    v.check_narrow("audit")
    assert CODE not in page.content()
    assert "Review suggested" not in page.content()

    # The brand link leads home; "/" itself shows an admin no client either.
    page.click("a.brand")
    v.check("home", expect=["alice"])
    page.goto(f"{live_server.url}/")
    v.check("root", expect=["Administration", "no clinical content"])
    assert CODE not in page.content()
