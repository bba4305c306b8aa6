"""The progress report in a real browser: reached from the client page, as a clinician would.

Each version (client, clinician) and the print rendering are checked with axe-core, for
console and CSP errors, and for sideways scrolling at 375 px; the chart must keep its
data-table alternative for people who cannot see it. The HTML the PDF (and the record
archive's report) is printed from is checked with axe too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from holdspace.web.checkins.models import CheckinLink
from holdspace.web.clients import services
from tests.web.personas import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "REPORT-01"
OWN_WORDS = "Walking the dog in the mornings has helped a bit"
# PHQ-9 16 -> 9 -> 4 over three sessions (the fixture of tests/web/test_reports.py).
PHQ9 = ([3, 3, 2, 2, 2, 1, 2, 1, 0], [2, 2, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 1, 0, 0, 0, 0])


@pytest.fixture
def client_id() -> int:
    alice = make_user("alice")
    client = services.add_client(alice, CODE)
    episode = services.open_episode(client, alice, opened_on=dt.date(2026, 1, 5))
    for number, answers in enumerate(PHQ9, start=1):
        day = dt.date(2026, 1, 5) + dt.timedelta(weeks=number)
        session = services.add_session(episode, alice, date=day)
        when = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        services.record_administration(
            episode, "phq9", answers, source="in_session", session=session, completed_at=when
        )
    CheckinLink.objects.create(
        token_hash="r" * 64,
        episode=episode,
        session=session,
        display_name="A.",
        created_by=alice,
        expires_at=when + dt.timedelta(days=2),
        used_at=when,
        client_note=OWN_WORDS,
    )
    return int(client.pk)


@pytest.fixture
def tab(page: Any) -> Iterator[tuple[Any, list[str]]]:
    """The page, and every console error or CSP report it raises."""
    errors: list[str] = []

    def on_console(message: Any) -> None:
        # Chromium reports CSP violations and failed loads as console errors.
        if message.type == "error" or "Content Security Policy" in message.text:
            errors.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    yield page, errors


def axe_violations(page: Any, axe_source: str) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)  # the CSP blocks an injected <script>, not this
    result: list[str] = page.evaluate(
        """async () => (await axe.run(document)).violations.map(
            v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
    )
    return result


def sideways_scroll(page: Any) -> int:
    overflow: int = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def check_report(page: Any, errors: list[str], axe: str, shots: Path, name: str) -> None:
    """axe finds nothing at desktop width, at 375 px and in print; no errors; no scroll."""
    page.wait_for_load_state("load")
    text = page.locator("main").inner_text()
    assert "What the numbers mean, and what they do not" in text
    assert OWN_WORDS in text
    # The chart has a text alternative: a captioned table with one row per score.
    assert page.locator("svg.chart").count() >= 1
    table = page.locator("table.report-table").first
    assert table.locator("caption").inner_text().startswith("Patient Health Questionnaire-9")
    assert table.locator("tbody tr").count() == len(PHQ9)
    assert table.locator("th[scope=col]").count() >= 3
    assert axe_violations(page, axe) == [], f"{name} at 1280 px"
    page.screenshot(path=str(shots / f"report-{name}.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 740})
    overflow = sideways_scroll(page)
    narrow = axe_violations(page, axe)
    page.screenshot(path=str(shots / f"report-{name}-375.png"), full_page=True)
    assert overflow <= 0, f"{name}: {overflow}px of sideways scroll at 375 px"
    assert narrow == [], f"{name} at 375 px"

    page.emulate_media(media="print")
    printed = axe_violations(page, axe)
    page.screenshot(path=str(shots / f"report-{name}-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert printed == [], f"{name} as printed"
    assert errors == [], f"{name}: {errors}"


def test_a_clinician_opens_both_report_versions_from_the_client_page(
    tab: tuple[Any, list[str]],
    client_id: int,
    live_server: Any,
    node_modules: Path,
    artifacts_dir: Path,
) -> None:
    page, errors = tab
    axe = (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    sign_in(page, live_server.url)
    page.click(f"table.caseload a:has-text('{CODE}')")
    page.wait_for_load_state("load")
    assert CODE in page.locator("h1").inner_text()

    page.get_by_role("link", name="Progress report", exact=True).click()
    page.wait_for_url(f"{live_server.url}/reports/clients/{client_id}/")
    # text_content: the kicker is upper-cased by CSS, which inner_text() would reflect.
    assert "Your progress report" in page.locator(".report-kicker").text_content()
    check_report(page, errors, axe, artifacts_dir, "client")

    page.get_by_role("link", name="Clinician version", exact=True).click()
    page.wait_for_url(f"{live_server.url}/reports/clients/{client_id}/clinician/")
    assert "clinician version" in page.locator(".report-kicker").text_content()
    check_report(page, errors, axe, artifacts_dir, "clinician")


@pytest.mark.parametrize("clinician", [False, True], ids=["client", "clinician"])
def test_the_document_the_pdf_is_printed_from_passes_axe(
    page: Any, client_id: int, node_modules: Path, artifacts_dir: Path, clinician: bool
) -> None:
    # The PDF is WeasyPrint's rendering of this HTML with report.css as printed; axe cannot
    # read a PDF, so the same document is checked here, styled the way WeasyPrint styles it.
    from django.template.loader import render_to_string

    from holdspace.web.access import visible_episodes
    from holdspace.web.accounts.models import User
    from holdspace.web.clients.models import Client
    from holdspace.web.reports.build import report_context
    from holdspace.web.reports.pdf import REPORT_CSS

    alice = User.objects.get(username="alice")
    ctx = report_context(
        Client.objects.get(pk=client_id), visible_episodes(alice), clinician=clinician
    )
    page.set_content(render_to_string("reports/report_pdf.html", ctx))
    page.add_style_tag(content=REPORT_CSS.read_text(encoding="utf-8"))
    page.emulate_media(media="print")
    axe = (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")

    violations = axe_violations(page, axe)
    name = "clinician" if clinician else "client"
    page.screenshot(path=str(artifacts_dir / f"report-pdf-source-{name}.png"), full_page=True)

    assert violations == []
    assert page.locator("table.report-table tbody tr").count() == len(PHQ9)
    assert OWN_WORDS in page.locator("body").inner_text()
