"""The clinician's first loop in a real browser: sign in, add a client, open an episode,
enter a PHQ-9, see the chart and the signal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.personas import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe(node_modules: Path):
    source = (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")

    def check(page) -> None:
        # The CSP blocks an injected <script>; evaluate() is not blocked.
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(source)
        violations = page.evaluate(
            """async () => (await axe.run(document)).violations.map(
                v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
        )
        assert violations == [], f"{page.url}: {violations}"

    return check


def test_a_clinician_enters_a_phq9_and_sees_the_chart_and_the_signal(
    page, live_server, artifacts_dir, axe
) -> None:
    make_user("alice")
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.screenshot(path=str(artifacts_dir / "workspace-1-empty-caseload.png"), full_page=True)

    page.click("text=Add a client")
    page.fill("#id_code", "BR-0001")
    page.click("button:has-text('Add client')")
    page.wait_for_selector("text=Measurement plan")
    axe(page)
    page.screenshot(path=str(artifacts_dir / "workspace-2-open-episode.png"), full_page=True)
    page.click("button:has-text('Open episode')")

    page.click("a.button:has-text('PHQ-9')")
    for item in range(1, 9):
        page.check(f"input[name=item_phq9_{item}][value='2']")
    page.check("input[name=item_phq9_9][value='1']")
    axe(page)
    page.screenshot(path=str(artifacts_dir / "workspace-3-phq9-form.png"), full_page=True)
    page.click("button:has-text('Save')")

    page.wait_for_selector("svg.chart")
    assert page.locator("section.safety").is_visible()
    assert page.locator(".signal-safety").first.is_visible()
    assert "PHQ-9" in (page.locator("svg.chart").first.get_attribute("aria-label") or "")
    axe(page)
    page.screenshot(path=str(artifacts_dir / "workspace-4-client-page.png"), full_page=True)

    page.click("text=Caseload")
    assert page.locator("tr.has-safety").count() == 1
    page.screenshot(path=str(artifacts_dir / "workspace-5-caseload.png"), full_page=True)


def test_the_demo_caseload_in_the_browser(page, live_server, artifacts_dir, axe) -> None:
    import datetime as dt

    from holdspace.web.clients.seed import demo_caseload, load_caseload

    alice = make_user("alice")
    load_caseload(alice, demo_caseload(dt.date.today(), clients=8))
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    first_row = page.locator("table.caseload tbody tr").first
    assert "has-safety" in (first_row.get_attribute("class") or "")
    axe(page)
    page.screenshot(path=str(artifacts_dir / "workspace-6-demo-caseload.png"), full_page=True)

    page.click("text=DEMO-003")
    assert page.locator("svg.chart").count() >= 3  # PHQ-9, GAD-7, PCL-5, WAI-SR
    axe(page)
    page.screenshot(path=str(artifacts_dir / "workspace-7-demo-client.png"), full_page=True)
