"""Stuck-point reviews in the web app: opening, order, safety, marks, plan, adaptations,
supervision comments, patterns and life events."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from holdspace.web.audit.models import AuditEvent
from holdspace.web.clients import services as client_services
from holdspace.web.clients.models import SafetyAcknowledgement
from holdspace.web.reviews import services
from holdspace.web.reviews.models import (
    Adaptation,
    LifeEvent,
    PatternSighting,
    ProtectivePattern,
    ReviewComment,
    ReviewHypothesis,
    StuckPointReview,
)
from tests.core.reviews.test_cards import BLAMING
from tests.web.personas import World, signed_in
from tests.web.reviews_helpers import NOT_ON_TRACK, add_scored_session, episode_with_scores

pytestmark = pytest.mark.django_db

NOT_ON_TRACK_ORDER = [
    ("safety", ["not_on_track.safety_asked"]),
    (
        "relationship",
        ["not_on_track.alliance", "not_on_track.fit_and_pace", "not_on_track.practical_barriers"],
    ),
    ("life_context", ["not_on_track.life_events", "not_on_track.social_support"]),
    ("protective_patterns", ["not_on_track.ambivalence"]),
    ("formulation", ["not_on_track.formulation"]),
]


def _sections(html: str) -> list[tuple[str, list[str]]]:
    """(section key, card ids) in page order."""
    out: list[tuple[str, list[str]]] = []
    for match in re.finditer(r'data-section="([a-z_]+)"|data-card="([a-z_.]+)"', html):
        if match.group(1):
            out.append((match.group(1), []))
        else:
            out[-1][1].append(match.group(2))
    return out


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _open(world: World, episode, kinds: list[str]) -> StuckPointReview:
    response = signed_in(world.alice).post(
        reverse("reviews:review_open", args=[episode.pk]), {"kinds": kinds}
    )
    assert response.status_code == 302
    return StuckPointReview.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_a_not_on_track_signal_opens_a_review_with_cards_in_order(world: World) -> None:
    episode = episode_with_scores(world.alice, "NOT-01", NOT_ON_TRACK, sessions=13)
    kinds = [s.kind for s in client_services.episode_signals(episode)]
    assert kinds == ["not_on_track"]

    page = signed_in(world.alice).get(reverse("reviews:review_open", args=[episode.pk]))
    html = page.content.decode()
    assert re.search(r'value="not_on_track" id="[^"]+" checked', html)
    assert not re.search(r'value="alliance" id="[^"]+" checked', html)
    review = _open(world, episode, ["not_on_track"])

    assert review.trigger == "signal"
    assert review.signals[0]["kind"] == "not_on_track"
    assert "18" in review.signals[0]["summary"] and "15" in review.signals[0]["summary"]
    html = (
        signed_in(world.alice)
        .get(reverse("reviews:review_detail", args=[review.pk]))
        .content.decode()
    )
    assert _sections(html) == NOT_ON_TRACK_ORDER
    assert AuditEvent.objects.filter(action="create", target=f"review:{review.pk}").exists()


def test_a_risk_answer_leads_and_needs_an_audited_acknowledgement(world: World) -> None:
    episode = episode_with_scores(world.alice, "RISK-01", NOT_ON_TRACK, sessions=13, risk_at=13)
    review = _open(world, episode, ["not_on_track"])
    alice = signed_in(world.alice)
    url = reverse("reviews:review_detail", args=[review.pk])

    html = alice.get(url).content.decode()
    assert html.index('role="alert"') < html.index('data-section="safety"')
    sections = _sections(html)
    assert sections[0] == ("safety", ["safety.follow_up_now", "not_on_track.safety_asked"])

    # Completing is refused while the risk answer is unacknowledged.
    alice.post(reverse("reviews:review_save", args=[review.pk]), {"plan": "p", "complete": "on"})
    review.refresh_from_db()
    assert review.completed_at is None

    risky = episode.administrations.get(has_risk=True)
    alice.post(
        reverse("reviews:review_acknowledge", args=[review.pk, risky.pk]),
        {f"ack{risky.pk}-note": "phoned"},
    )
    assert SafetyAcknowledgement.objects.filter(administration=risky, by=world.alice).exists()
    assert AuditEvent.objects.filter(
        action="acknowledge", target=f"administration:{risky.pk}"
    ).exists()
    html = alice.get(url).content.decode()
    assert "Safety follow-up first" not in html
    # The review keeps the history: the answer and what was done.
    history = html[html.index('id="review-safety-history-h"') :]
    assert "answer chosen" in history and "phoned" in history
    alice.post(reverse("reviews:review_save", args=[review.pk]), {"plan": "p", "complete": "on"})
    review.refresh_from_db()
    assert review.completed_at is not None


def test_the_supervisor_cannot_acknowledge_for_the_clinician(world: World) -> None:
    episode = episode_with_scores(world.alice, "RISK-02", {1: 10}, sessions=1, risk_at=1)
    review = _open(world, episode, [])
    risky = episode.administrations.get()

    response = signed_in(world.sam).post(
        reverse("reviews:review_acknowledge", args=[review.pk, risky.pk]),
        {f"ack{risky.pk}-note": "x"},
    )

    assert response.status_code == 404
    assert not SafetyAcknowledgement.objects.exists()


def test_marks_and_plan_are_saved_and_unknown_cards_refused(world: World) -> None:
    episode = episode_with_scores(world.alice, "NOT-02", NOT_ON_TRACK, sessions=13)
    review = _open(world, episode, ["not_on_track"])
    alice = signed_in(world.alice)

    alice.post(
        reverse("reviews:review_save", args=[review.pk]),
        {"mark-not_on_track.alliance": "fits", "mark-not_on_track.life_events": "unsure"},
    )
    alice.post(reverse("reviews:review_save", args=[review.pk]), {"mark-made.up": "fits"})
    alice.post(reverse("reviews:review_save", args=[review.pk]), {"plan": "Revisit goals."})

    marks = dict(ReviewHypothesis.objects.filter(review=review).values_list("card_id", "mark"))
    assert marks == {"not_on_track.alliance": "fits", "not_on_track.life_events": "unsure"}
    review.refresh_from_db()
    assert review.plan == "Revisit goals."
    summary = alice.get(reverse("reviews:review_summary", args=[review.pk])).content.decode()
    assert "Revisit goals." in summary
    assert "Is the working relationship weaker than it looks?" in summary


def test_marks_and_plan_are_one_form_and_a_refusal_keeps_both_as_typed(world: World) -> None:
    episode = episode_with_scores(world.alice, "NOT-03", NOT_ON_TRACK, sessions=13, risk_at=13)
    review = _open(world, episode, ["not_on_track"])
    alice = signed_in(world.alice)
    page = alice.get(reverse("reviews:review_detail", args=[review.pk])).content.decode()
    assert 'form="review-form" name="mark-not_on_track.alliance"' in page
    assert page.count('id="review-form"') == 1

    # Completing is refused (a risk answer not yet followed up): nothing is saved, and the
    # page comes back with the typed plan and the chosen mark.
    typed = {"mark-not_on_track.alliance": "fits", "plan": "Ask about the rupture.",
             "complete": "on"}  # fmt: skip
    response = alice.post(reverse("reviews:review_save", args=[review.pk]), typed)

    assert response.status_code == 400
    body = response.content.decode()
    assert "Ask about the rupture." in body and "Record the safety follow-up first" in body
    assert 'name="mark-not_on_track.alliance" value="fits" checked' in body
    assert not ReviewHypothesis.objects.filter(review=review).exists()
    review.refresh_from_db()
    assert review.plan == "" and review.completed_at is None

    typed.pop("complete")
    response = alice.post(reverse("reviews:review_save", args=[review.pk]), typed)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.plan == "Ask about the rupture."
    assert ReviewHypothesis.objects.get(review=review).mark == "fits"


def test_the_comparison_appears_after_three_scores_with_hand_computed_numbers(
    world: World,
) -> None:
    episode = episode_with_scores(world.alice, "ADAPT-01", NOT_ON_TRACK, sessions=13, last=16)
    review = _open(world, episode, ["not_on_track"])
    alice = signed_in(world.alice)
    response = alice.post(
        reverse("reviews:adaptation_add", args=[episode.pk]) + f"?review={review.pk}",
        {
            "kind": "pace",
            "description": "Slower pace",
            "starts_on_session": 14,
            "instrument_id": "phq9",
        },
    )
    assert response.status_code == 302
    adaptation = Adaptation.objects.get()
    assert adaptation.review == review
    assert services.adaptation_annotations(episode) == [(14, "Pace: Slower pace")]

    add_scored_session(episode, world.alice, 14, 13, 16)
    add_scored_session(episode, world.alice, 15, 10, 16)
    outcome = services.adaptation_outcome(adaptation)
    assert outcome.enough_data is False
    add_scored_session(episode, world.alice, 16, 8, 16)

    outcome = services.adaptation_outcome(adaptation)
    # Before: (1,18),(4,17),(7,17),(10,17),(13,15); mean x 7, dx -6,-3,0,3,6, Sxx 90;
    # Sxy = -108 - 51 + 0 + 51 + 90 = -18 -> -0.2. After: (14,13),(15,10),(16,8) -> -2.5.
    # Change since: 8 - 15 = -7; PHQ-9 threshold 6 -> reliable improvement.
    assert outcome.slope_before == pytest.approx(-0.2)
    assert outcome.slope_after == pytest.approx(-2.5)
    assert outcome.slope_change == pytest.approx(-2.3)
    assert outcome.change_since == -7
    assert outcome.rc_status == "reliable_improvement"
    html = alice.get(reverse("reviews:episode_reviews", args=[episode.pk])).content.decode()
    assert '<td data-field="slope_before">-0.20</td>' in html
    assert '<td data-field="slope_after">-2.50</td>' in html
    assert '<td data-field="slope_change">-2.30</td>' in html


def test_the_next_review_starts_from_the_last_adaptation(world: World) -> None:
    episode = episode_with_scores(world.alice, "ADAPT-02", NOT_ON_TRACK, sessions=13)
    services.record_adaptation(
        episode,
        world.alice,
        kind="focus",
        description="Goals revisited",
        starts_on_session=14,
        instrument_id="phq9",
    )
    review = _open(world, episode, ["not_on_track"])

    html = (
        signed_in(world.alice)
        .get(reverse("reviews:review_detail", args=[review.pk]))
        .content.decode()
    )

    assert [key for key, _ in _sections(html)][:2] == ["last_adaptation", "safety"]
    assert "Goals revisited" in html


def test_bad_adaptation_input_names_the_field(world: World) -> None:
    episode = episode_with_scores(world.alice, "ADAPT-03", {1: 12}, sessions=1)
    response = signed_in(world.alice).post(
        reverse("reviews:adaptation_add", args=[episode.pk]),
        {"kind": "nap", "description": "", "starts_on_session": 0, "instrument_id": "waisr"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"kind", "description", "starts_on_session", "instrument_id"}
    assert not Adaptation.objects.exists()


def test_supervisors_comment_and_the_clinician_reads_it(world: World) -> None:
    episode = episode_with_scores(world.alice, "SUP-01", NOT_ON_TRACK, sessions=13)
    review = _open(world, episode, ["not_on_track"])
    url = reverse("reviews:review_comment", args=[review.pk])

    assert (
        signed_in(world.sam).post(url, {"text": "Try the alliance card first."}).status_code == 302
    )
    assert signed_in(world.alice).post(url, {"text": "self"}).status_code == 404
    assert signed_in(world.sue).post(url, {"text": "stranger"}).status_code == 404

    assert list(ReviewComment.objects.values_list("text", flat=True)) == [
        "Try the alliance card first."
    ]
    html = (
        signed_in(world.alice)
        .get(reverse("reviews:review_detail", args=[review.pk]))
        .content.decode()
    )
    assert "Try the alliance card first." in html
    listing = signed_in(world.sam).get(reverse("reviews:supervision")).content.decode()
    assert "SUP-01" in listing and "alice" in listing
    assert "SUP-01" not in signed_in(world.sue).get(reverse("reviews:supervision")).content.decode()


def test_patterns_and_life_events_appear_beside_the_cards(world: World) -> None:
    episode = episode_with_scores(world.alice, "PAT-01", NOT_ON_TRACK, sessions=13)
    alice = signed_in(world.alice)
    fields = {
        "name": "Going quiet",
        "glossary_key": "freeze",
        "looks_like": "Stops talking",
        "protects": "Staying unseen",
        "origin": "",
        "triggers": "Raised voices",
        "costs_now": "Hard to ask for help",
        "helps_soften": "Slowing down",
        "strengths": "Careful attention to others",
    }
    assert alice.post(reverse("reviews:pattern_add", args=[episode.pk]), fields).status_code == 302
    pattern = ProtectivePattern.objects.get()
    session = episode.sessions.get(number=13)
    alice.post(reverse("reviews:pattern_seen", args=[pattern.pk]), {"session": session.pk})
    alice.post(
        reverse("reviews:life_event_add", args=[episode.pk]),
        {"happened_on": session.date.isoformat(), "description": "Moved house"},
    )
    assert PatternSighting.objects.filter(pattern=pattern, session=session).exists()
    assert LifeEvent.objects.filter(episode=episode).count() == 1

    review = _open(world, episode, ["not_on_track"])
    html = alice.get(reverse("reviews:review_detail", args=[review.pk])).content.decode()

    assert "Protective patterns seen: Going quiet." in html
    assert "Life events noted: Moved house." in html
    assert "Going quiet (session 13)" in html


def test_a_bad_pattern_glossary_key_is_refused(world: World) -> None:
    episode = episode_with_scores(world.alice, "PAT-02", {1: 10}, sessions=1)
    response = signed_in(world.alice).post(
        reverse("reviews:pattern_add", args=[episode.pk]), {"name": "", "glossary_key": "label"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "glossary_key"}
    assert not ProtectivePattern.objects.exists()


def test_review_pages_use_no_blaming_word(world: World) -> None:
    episode = episode_with_scores(world.alice, "WORD-01", NOT_ON_TRACK, sessions=13, risk_at=13)
    services.record_adaptation(
        episode,
        world.alice,
        kind="pace",
        description="Slower",
        starts_on_session=14,
        instrument_id="phq9",
    )
    review = _open(
        world,
        episode,
        ["safety", "deterioration", "not_on_track", "alliance", "attendance", "measurement_gap"],
    )
    alice = signed_in(world.alice)
    pages = [
        reverse("reviews:review_detail", args=[review.pk]),
        reverse("reviews:review_summary", args=[review.pk]),
        reverse("reviews:review_open", args=[episode.pk]),
        reverse("reviews:episode_reviews", args=[episode.pk]),
        reverse("reviews:pattern_add", args=[episode.pk]),
        reverse("reviews:adaptation_add", args=[episode.pk]),
        reverse("reviews:supervision"),
    ]
    for url in pages:
        response = alice.get(url)
        assert response.status_code == 200, url
        assert BLAMING.findall(_visible_text(response.content.decode())) == [], url


def test_a_clinics_local_card_shows_in_the_review(world: World, tmp_path, settings) -> None:
    (tmp_path / "clinic.yaml").write_text(
        "signal: not_on_track\n"
        "cards:\n"
        "  - id: clinic.peer_worker\n"
        "    layer: life_context\n"
        "    title: Offer our peer worker\n"
        "    hypothesis: Someone with lived experience may help.\n"
        "    responses: [Offer a meeting with the peer worker.]\n"
        "    sources: [samhsa_2014]\n"
    )
    settings.HOLDSPACE_LOCAL_CARDS = str(tmp_path)
    episode = episode_with_scores(world.alice, "LOCAL-01", NOT_ON_TRACK, sessions=13)
    review = _open(world, episode, ["not_on_track"])

    html = (
        signed_in(world.alice)
        .get(reverse("reviews:review_detail", args=[review.pk]))
        .content.decode()
    )

    life = dict(_sections(html))["life_context"]
    assert life == [
        "not_on_track.life_events",
        "not_on_track.social_support",
        "clinic.peer_worker",
    ]


def test_a_broken_local_card_file_falls_back_with_a_warning(world: World, tmp_path, settings):
    (tmp_path / "broken.yaml").write_text("signal: not_on_track\ncards:\n  - id: clinic.x\n")
    settings.HOLDSPACE_LOCAL_CARDS = str(tmp_path)
    episode = episode_with_scores(world.alice, "LOCAL-02", NOT_ON_TRACK, sessions=13)
    review = _open(world, episode, ["not_on_track"])

    response = signed_in(world.alice).get(reverse("reviews:review_detail", args=[review.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "local cards were not loaded" in html and "broken.yaml" in html
    assert _sections(html) == NOT_ON_TRACK_ORDER
