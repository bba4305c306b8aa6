"""End to end: a client not yet helped -> a stuck-point review with the right cards in the
right order -> an adaptation -> later scores -> the before/after comparison, with numbers
worked out by hand below from the data entered here."""

from __future__ import annotations

import pytest

from holdspace.web.clients import services as client_services
from tests.web.personas import PASSWORD, make_user
from tests.web.reviews_helpers import NOT_ON_TRACK, add_scored_session, episode_with_scores

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED_ORDER = [
    ("safety", ["not_on_track.safety_asked"]),
    (
        "relationship",
        ["not_on_track.alliance", "not_on_track.fit_and_pace", "not_on_track.practical_barriers"],
    ),
    ("life_context", ["not_on_track.life_events", "not_on_track.social_support"]),
    ("protective_patterns", ["not_on_track.ambivalence"]),
    ("formulation", ["not_on_track.formulation"]),
]


def _order(page):
    return page.eval_on_selector_all(
        "section.review-section",
        """els => els.map(s => [s.dataset.section,
             Array.from(s.querySelectorAll('[data-card]')).map(c => c.dataset.card)])""",
    )


def _cell(page, field):
    return page.locator(f"td[data-field={field}]").first.inner_text().strip()


def test_not_on_track_to_review_to_adaptation_to_comparison(page, live_server, artifacts_dir):
    alice = make_user("alice")
    # PHQ-9 at sessions 1, 4, 7, 10, 13: 18, 17, 17, 17, 15 (see NOT_ON_TRACK).
    episode = episode_with_scores(alice, "DEMO-NOT", NOT_ON_TRACK, sessions=13, last=16)
    assert [s.kind for s in client_services.episode_signals(episode)] == ["not_on_track"]
    base = live_server.url

    page.goto(f"{base}/account/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/episodes/{episode.pk}/")
    assert page.locator(".signal-not_on_track, .signals").first.is_visible()
    assert "Review suggested" in page.content()

    # The review opens from the signal, with its cards environment first.
    page.goto(f"{base}/reviews/episode/{episode.pk}/open/")
    assert page.locator("input[name=kinds][value=not_on_track]").is_checked()
    page.click("button:has-text('Open the review')")
    page.wait_for_selector("section.review-section")
    assert _order(page) == [[k, ids] for k, ids in EXPECTED_ORDER]
    # A mark chosen, then the plan typed and saved from the plan's own button: the mark is
    # kept too (one form), not lost.
    page.check("input[name='mark-not_on_track.alliance'][value=fits]")
    page.fill("#id_plan", "Revisit goals together; slow the pace.")
    page.locator("#review-form button[type=submit]").click()
    page.wait_for_selector("text=Marks and plan saved.")
    assert page.locator("input[name='mark-not_on_track.alliance'][value=fits]").is_checked()
    page.screenshot(path=str(artifacts_dir / "review-1-opened.png"), full_page=True)

    # An adaptation from session 14.
    page.click("a:has-text('Record an adaptation')")
    page.select_option("#id_kind", "pace")
    page.fill("#id_description", "Slower pace, grounding first")
    page.fill("#id_starts_on_session", "14")
    page.select_option("#id_instrument_id", "phq9")
    page.click("button:has-text('Record adaptation')")
    page.wait_for_selector("text=Adaptation recorded.")

    # Later scores arrive: 13, 10 at sessions 14 and 15: not enough yet (3 needed).
    add_scored_session(episode, alice, 14, 13, 16)
    add_scored_session(episode, alice, 15, 10, 16)
    page.goto(f"{base}/reviews/episode/{episode.pk}/")
    assert page.locator("td[data-field=slope_after]").count() == 0
    assert "Shown after 3 scores from session 14; 2 so far." in page.content()

    add_scored_session(episode, alice, 16, 8, 16)
    page.goto(f"{base}/reviews/episode/{episode.pk}/")
    # Before: sessions 1,4,7,10,13 (mean 7; deviations -6,-3,0,3,6; Sxx = 90) with scores
    # 18,17,17,17,15: Sxy = -108 - 51 + 0 + 51 + 90 = -18, slope -0.20 per session.
    # After: 14,15,16 -> 13,10,8: Sxy = (-1)(13 - 31/3) + (1)(8 - 31/3) = -5, Sxx 2, -2.50.
    # Change in slope: -2.50 - (-0.20) = -2.30. Since the adaptation: 8 - 15 = -7, and
    # the PHQ-9 reliable-change threshold is 6 -> reliable improvement.
    assert _cell(page, "slope_before") == "-0.20"
    assert _cell(page, "slope_after") == "-2.50"
    assert _cell(page, "slope_change") == "-2.30"
    assert _cell(page, "change_since") == "-7 (15 → 8)"
    assert _cell(page, "rc_status") == "Reliable improvement"
    page.screenshot(path=str(artifacts_dir / "review-2-comparison.png"), full_page=True)

    # The next review starts from the last adaptation and its outcome.
    page.goto(f"{base}/reviews/episode/{episode.pk}/open/")
    page.check("input[name=kinds][value=not_on_track]")
    page.click("button:has-text('Open the review')")
    page.wait_for_selector("section.review-section")
    first = page.locator("section.review-section").first
    assert first.get_attribute("data-section") == "last_adaptation"
    assert "Slower pace, grounding first" in first.inner_text()
    assert first.locator("td[data-field=slope_change]").inner_text().strip() == "-2.30"
    page.screenshot(path=str(artifacts_dir / "review-3-next-review.png"), full_page=True)

    # The summary for supervision prints the plan and the marked hypothesis.
    page.click("a:has-text('summary for supervision')")
    assert "Stuck-point review summary for supervision" in page.content()


def _axe(page, source: str) -> list[str]:
    # The CSP blocks an injected <script>; evaluate is not blocked.
    page.evaluate(source)
    return page.evaluate(
        """async () => (await axe.run(document)).violations.map(
            v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
    )


def test_review_pages_have_no_axe_violations(page, live_server, node_modules):
    alice = make_user("alice")
    episode = episode_with_scores(alice, "AXE-01", NOT_ON_TRACK, sessions=13, risk_at=13)
    source = (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    base = live_server.url
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/reviews/episode/{episode.pk}/open/")
    assert _axe(page, source) == []
    page.click("button:has-text('Open the review')")
    page.wait_for_selector("section.review-section")
    review_url = page.url
    for url in (
        review_url,
        f"{review_url}summary/",
        f"{base}/reviews/episode/{episode.pk}/",
        f"{base}/reviews/episode/{episode.pk}/patterns/new/",
        f"{base}/reviews/episode/{episode.pk}/adaptations/new/",
        f"{base}/reviews/supervision/",
    ):
        page.goto(url)
        assert _axe(page, source) == [], url
