"""A label typed into an adaptation description, in a real browser: flagged inline (htmx),
kept only with "Keep my wording", and shown in the client's PDF only then (pdftotext)."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from holdspace.web.reviews.models import Adaptation
from holdspace.web.wording.models import KeptLabel
from tests.web.personas import PASSWORD, make_user
from tests.web.reviews_helpers import episode_with_scores

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABEL = "Manipulative, so firmer limits"


def _pdf_text(page, url: str) -> str:  # type: ignore[no-untyped-def]
    response = page.request.get(url)
    assert response.status == 200
    done = subprocess.run(
        ["pdftotext", "-", "-"], input=response.body(), capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def test_a_label_in_an_adaptation_reaches_the_client_pdf_only_once_kept(
    page, live_server, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    alice = make_user("alice")
    episode = episode_with_scores(alice, "BR-0101", {1: 18, 2: 17, 3: 17, 4: 16}, sessions=4)
    pdf_url = f"{live_server.url}/reports/clients/{episode.client_id}/pdf/"
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/reviews/episode/{episode.pk}/adaptations/new/")
    page.select_option("#id_kind", "approach")
    page.fill("#id_description", LABEL)
    finding = page.locator("#id_description-findings li.finding-warn")
    expect(finding).to_have_count(1)  # arrives after the debounce, without a page load
    expect(finding.locator("mark")).to_have_text("Manipulative")
    expect(finding.get_by_label("Keep my wording")).not_to_be_checked()
    page.screenshot(path=str(artifacts_dir / "wording-1-flagged-inline.png"), full_page=True)
    page.click("button:has-text('Record adaptation')")
    page.wait_for_selector("text=Adaptation recorded.")

    adaptation = Adaptation.objects.get()
    assert adaptation.description == LABEL  # saving is never blocked
    assert not KeptLabel.objects.exists()
    before = _pdf_text(page, pdf_url)
    assert "Approach" in before
    assert "Manipulative" not in before

    page.goto(f"{live_server.url}/reviews/episode/{episode.pk}/")
    expect(page.locator(".stored-wording")).to_contain_text("the client sees only the kind")
    page.screenshot(path=str(artifacts_dir / "wording-2-not-kept.png"), full_page=True)
    page.click(".stored-wording button:has-text('Keep my wording')")
    page.wait_for_selector("text=Your wording is kept")
    expect(page.locator(".stored-wording")).to_have_count(0)

    assert KeptLabel.objects.get().rule == "manipulative"
    after = _pdf_text(page, pdf_url)
    assert "Manipulative" in after
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_keep_my_wording_ticked_while_typing_is_saved_with_the_adaptation(
    page, live_server
) -> None:  # type: ignore[no-untyped-def]
    alice = make_user("alice")
    episode = episode_with_scores(alice, "BR-0102", {1: 18, 2: 17}, sessions=2)
    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/reviews/episode/{episode.pk}/adaptations/new/")
    page.fill("#id_description", "Resistant to homework, shorter tasks")
    keep = page.locator("#id_description-findings").get_by_label("Keep my wording")
    keep.check()
    page.fill("#id_description", "Resistant to homework, so shorter tasks")  # a new check
    expect(page.locator("#id_description-findings li.finding-warn")).to_have_count(1)
    expect(keep).to_be_checked()  # the choice survives the live re-check
    page.click("button:has-text('Record adaptation')")
    page.wait_for_selector("text=Adaptation recorded.")

    assert KeptLabel.objects.get().rule == "resistant"
