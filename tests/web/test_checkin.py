"""Check-in links and the client's check-in page (issue 5), through Django's test client."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client as WebClient
from django.test import override_settings
from django.utils import timezone

from holdspace.instruments import SKIP
from holdspace.web.accounts.models import Role, User
from holdspace.web.checkins import services
from holdspace.web.checkins.models import CheckinDraft, CheckinLink, LinkKind
from holdspace.web.clients.models import Administration
from tests.web.test_checkin_support import PASSWORD, answers_form, make_link, make_world

pytestmark = pytest.mark.django_db

PHQ9_LOW = [1, 0, 1, 0, 0, 1, 0, 0, 0]  # total 3: no risk, no pause
GAD7_LOW = [0, 1, 0, 0, 1, 0, 0]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def url(token: str) -> str:
    return f"/c/{token}/"


def send_form(note: str = "", nonce: str = "send-1") -> dict[str, str]:
    return {"step": "send", "instrument": "", "nonce": nonce, "note": note}


# --- links ----------------------------------------------------------------------------


def test_a_link_has_256_random_bits_stored_only_as_its_sha256() -> None:
    world = make_world()
    link, token = make_link(world)

    assert len(token) >= 43  # token_urlsafe(32): 32 bytes = 256 bits
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not CheckinLink.objects.filter(token_hash=token).exists()
    assert services.find_link(token) == link


def test_links_expire_after_72_hours_by_default() -> None:
    link, _ = make_link(make_world())

    assert link.expires_at - link.created_at == timedelta(hours=72)


def test_the_expiry_comes_from_holdspace_checkin_hours(settings) -> None:
    settings.HOLDSPACE_CHECKIN_HOURS = 24
    link, _ = make_link(make_world())

    assert link.expires_at - link.created_at == timedelta(hours=24)


def test_the_clinician_creates_a_link_and_sees_the_url_and_a_qr_code() -> None:
    world = make_world()
    web = WebClient()
    web.force_login(User.objects.get(username="robin"))

    response = web.post(
        f"/checkins/episode/{world.episode.pk}/new/",
        {"session": world.session.pk, "kind": "before", "display_name": "Sam"},
        follow=True,
    )

    assert response.redirect_chain[0][1] == 303  # a reload does not create a second link
    assert response.status_code == 200
    body = response.content.decode()
    assert "Check-in link created for session 1." in body
    link = CheckinLink.objects.get()
    assert link.display_name == "Sam"
    assert response.context["url"] in body
    assert "<svg" in body and 'aria-label="QR code of the check-in link"' in body
    assert services.find_link(response.context["url"].rstrip("/").rsplit("/", 1)[1]) == link
    again = web.get(response.redirect_chain[0][0]).content.decode()
    assert response.context["url"] not in again and "cannot be shown again" in again


@override_settings(EMAIL_HOST="smtp.example.org")
def test_the_link_is_emailed_when_smtp_is_configured() -> None:
    world = make_world()
    web = WebClient()
    web.force_login(User.objects.get(username="robin"))

    response = web.post(
        f"/checkins/episode/{world.episode.pk}/new/",
        {"session": world.session.pk, "kind": "before", "email": "sam@example.org"},
        follow=True,
    )

    assert "Check-in link created for session 1 and emailed." in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]
    assert response.context["url"] in mail.outbox[0].body


def test_without_smtp_there_is_no_email_field() -> None:
    world = make_world()
    web = WebClient()
    web.force_login(User.objects.get(username="robin"))

    response = web.get(f"/checkins/episode/{world.episode.pk}/")

    assert response.status_code == 200
    assert 'name="email"' not in response.content.decode()


def test_another_clinician_cannot_create_or_revoke_links() -> None:
    world = make_world()
    link, _ = make_link(world)
    User.objects.create_user(username="alex", password=PASSWORD, role=Role.CLINICIAN)
    web = WebClient()
    web.force_login(User.objects.get(username="alex"))

    created = web.post(
        f"/checkins/episode/{world.episode.pk}/new/",
        {"session": world.session.pk, "kind": "before"},
    )
    revoked = web.post(f"/checkins/link/{link.pk}/revoke/")
    listed = web.get(f"/checkins/episode/{world.episode.pk}/")

    assert (created.status_code, revoked.status_code, listed.status_code) == (404, 404, 404)
    assert CheckinLink.objects.count() == 1
    assert CheckinLink.objects.get().revoked_at is None


def test_a_supervisor_reads_the_links_but_cannot_create_one() -> None:
    world = make_world()
    supervisor = User.objects.create_user(username="kim", password=PASSWORD, role=Role.SUPERVISOR)
    world.clinician.supervisors.add(supervisor)
    web = WebClient()
    web.force_login(User.objects.get(username="kim"))

    listed = web.get(f"/checkins/episode/{world.episode.pk}/")
    created = web.post(
        f"/checkins/episode/{world.episode.pk}/new/",
        {"session": world.session.pk, "kind": "before"},
    )

    assert listed.status_code == 200
    assert created.status_code == 404


def test_a_revoked_link_no_longer_opens_and_stores_nothing() -> None:
    world = make_world()
    link, token = make_link(world)
    web = WebClient()
    web.force_login(User.objects.get(username="robin"))
    web.post(f"/checkins/link/{link.pk}/revoke/")

    response = WebClient().post(url(token), answers_form("phq9", PHQ9_LOW))

    assert response.status_code == 410
    assert "closed this link" in response.content.decode()
    assert not CheckinDraft.objects.exists()
    assert not Administration.objects.exists()


# --- the client's page ----------------------------------------------------------------


def test_the_page_shows_only_the_name_the_clinician_chose() -> None:
    world = make_world(code="ZX-991", display_name="Samira Okafor")
    _, token = make_link(world, display_name="Sam")

    body = WebClient().get(url(token)).content.decode()

    assert "ZX-991" not in body
    assert "Samira" not in body and "Okafor" not in body
    assert "robin" not in body


def test_a_full_check_in_stores_one_administration_per_instrument_and_the_note() -> None:
    world = make_world()
    link, token = make_link(world)
    web = WebClient()

    first = web.get(url(token)).content.decode()
    assert "1 of 2" in first and "PHQ-9" in first
    assert web.post(url(token), answers_form("phq9", PHQ9_LOW)).status_code == 303
    assert "2 of 2" in web.get(url(token)).content.decode()
    assert not Administration.objects.exists()  # nothing is sent before "Send"
    web.post(url(token), answers_form("gad7", GAD7_LOW))
    done = web.post(url(token), send_form("Work has been hard this week."))

    assert done.status_code == 200
    assert "Thank you, Sam" in done.content.decode()
    rows = {a.instrument_id: a for a in Administration.objects.all()}
    assert set(rows) == {"phq9", "gad7"}
    assert rows["phq9"].answers == PHQ9_LOW
    assert rows["phq9"].total == 3
    assert all(a.source == "checkin" and a.session == world.session for a in rows.values())
    link.refresh_from_db()
    assert link.client_note == "Work has been hard this week."
    assert link.used_at is not None


def test_the_clinician_sees_the_clients_note() -> None:
    world = make_world()
    _, token = make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", PHQ9_LOW))
    web.post(url(token), answers_form("gad7", GAD7_LOW))
    web.post(url(token), send_form("Please ask me about my sister."))
    clinician = WebClient()
    clinician.force_login(User.objects.get(username="robin"))

    body = clinician.get(f"/checkins/episode/{world.episode.pk}/").content.decode()

    assert "Please ask me about my sister." in body


def test_skipped_items_are_stored_as_a_choice_not_as_missing() -> None:
    world = make_world()
    _, token = make_link(world)
    web = WebClient()
    phq9 = [1, SKIP, 1, "", 0, SKIP, 0, 0, 0]
    web.post(url(token), answers_form("phq9", phq9))
    web.post(url(token), answers_form("gad7", [SKIP] * 7))
    web.post(url(token), send_form())

    stored = Administration.objects.get(instrument_id="phq9").answers
    assert stored == [1, SKIP, 1, None, 0, SKIP, 0, 0, 0]
    # The difficulty item left blank at the end is stored as not asked.
    assert Administration.objects.get(instrument_id="gad7").answers == [SKIP] * 7


def test_skipping_a_whole_measure_is_recorded_as_not_today() -> None:
    world = make_world()
    _, token = make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", PHQ9_LOW))
    web.post(
        url(token),
        {"step": "measure", "instrument": "gad7", "nonce": "x", "action": "skip_measure"},
    )
    web.post(url(token), send_form())

    # "Not today" for the whole measure covers every item asked, the difficulty one too.
    assert Administration.objects.get(instrument_id="gad7").answers == [SKIP] * 8


def test_a_reload_keeps_the_answers_given_so_far() -> None:
    world = make_world()
    _, token = make_link(world)
    WebClient().post(url(token), answers_form("phq9", PHQ9_LOW))

    # A new browser (or the same phone after a dropped connection) picks up where it was.
    body = WebClient().get(url(token)).content.decode()

    assert "2 of 2" in body and "GAD-7" in body
    # Item 10 (asked, optional, not scored) was left blank.
    assert CheckinDraft.objects.get(instrument_id="phq9").answers == [*PHQ9_LOW, None]


def test_a_double_tap_on_a_page_keeps_the_first_answers() -> None:
    world = make_world()
    _, token = make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", PHQ9_LOW, nonce="a"))
    again = web.post(url(token), answers_form("phq9", [3] * 8 + [0], nonce="a"))

    assert again.status_code == 303
    # Item 10 (asked, optional, not scored) was left blank.
    assert CheckinDraft.objects.get(instrument_id="phq9").answers == [*PHQ9_LOW, None]


def test_a_retried_send_stores_one_administration_per_instrument() -> None:
    world = make_world()
    _, token = make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", PHQ9_LOW))
    web.post(url(token), answers_form("gad7", GAD7_LOW))

    first = web.post(url(token), send_form(nonce="s1"))
    retry = web.post(url(token), send_form(nonce="s1"))

    assert first.status_code == retry.status_code == 200
    assert "Thank you" in retry.content.decode()
    assert Administration.objects.count() == 2


def test_a_used_link_shows_a_kind_message_and_stores_nothing() -> None:
    world = make_world()
    _, token = make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", PHQ9_LOW))
    web.post(url(token), answers_form("gad7", GAD7_LOW))
    web.post(url(token), send_form(nonce="s1"))

    reopened = WebClient().get(url(token))
    another_send = WebClient().post(url(token), send_form("late", nonce="other"))

    assert reopened.status_code == another_send.status_code == 410
    assert "already been sent" in reopened.content.decode()
    assert Administration.objects.count() == 2
    assert CheckinLink.objects.get().client_note == ""


def test_an_expired_link_shows_a_kind_message_and_stores_nothing() -> None:
    world = make_world()
    link, token = make_link(world)
    CheckinLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = WebClient().post(url(token), answers_form("phq9", PHQ9_LOW))

    assert response.status_code == 410
    assert "Nothing was saved" in response.content.decode()
    assert not CheckinDraft.objects.exists()


def test_an_unknown_link_is_not_found() -> None:
    make_world()
    response = WebClient().get(url("x" * 43))

    assert response.status_code == 404
    assert "does not open a check-in" in response.content.decode()


def test_an_answer_outside_the_options_names_the_item_and_stores_nothing() -> None:
    world = make_world()
    _, token = make_link(world)
    form = answers_form("phq9", PHQ9_LOW)
    form["item-phq9_4"] = "7"

    response = WebClient().post(url(token), form)

    assert response.status_code == 400
    body = response.content.decode()
    assert "phq9_4" in body and "0, 1, 2, 3" in body
    assert not CheckinDraft.objects.exists()


def test_the_alliance_link_asks_only_the_after_session_measure_and_says_who_sees_it() -> None:
    world = make_world()
    _, before = make_link(world)
    _, after = make_link(world, kind=LinkKind.AFTER)

    before_page = WebClient().get(url(before)).content.decode()
    after_page = WebClient().get(url(after)).content.decode()

    assert "1 of 2" in before_page
    assert "1 of 1" in after_page and "WAI" in after_page
    assert "Your therapist will see these answers" in after_page


def test_high_distress_answers_offer_a_grounding_pause_first() -> None:
    world = make_world()
    _, token = make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]))  # 24, no risk

    pause = web.get(url(token)).content.decode()
    assert "A pause, if you would like one" in pause
    # The same grounding tools as the client's own space (templates/grounding/).
    assert "Breathing with the circle" in pause and "Five, four, three, two, one" in pause
    web.post(url(token), {"step": "pause", "instrument": "", "nonce": "p"})

    assert "2 of 2" in web.get(url(token)).content.decode()


# --- safety ---------------------------------------------------------------------------


def test_a_risk_answer_is_saved_at_once_and_crisis_resources_follow() -> None:
    world = make_world()
    _, token = make_link(world)
    web = WebClient()

    web.post(url(token), answers_form("phq9", [1, 1, 0, 0, 0, 0, 0, 0, 1]))

    # Saved before the check-in is sent, and flagged for the dashboard.
    saved = Administration.objects.get()
    assert saved.has_risk is True
    assert saved.instrument_id == "phq9"
    crisis = web.get(url(token)).content.decode()
    assert "Help is available now" in crisis
    assert "116 123" in crisis  # Samaritans (bundled default region: GB)
    assert "already been sent to your therapist" in crisis


def test_the_risk_answer_survives_a_failure_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world()
    _, token = make_link(world)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full while saving the draft")

    monkeypatch.setattr(services, "_upsert_draft", broken)
    web = WebClient(raise_request_exception=False)
    response = web.post(url(token), answers_form("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 2]))

    assert response.status_code == 500
    assert Administration.objects.get().has_risk is True


def test_sending_after_a_risk_answer_does_not_store_it_twice() -> None:
    world = make_world()
    _, token = make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 3]))
    web.post(url(token), {"step": "crisis", "instrument": "", "nonce": "c"})
    web.post(url(token), {"step": "pause", "instrument": "", "nonce": "p"})
    web.post(url(token), answers_form("gad7", GAD7_LOW))
    thanks = web.post(url(token), send_form())

    assert Administration.objects.filter(instrument_id="phq9").count() == 1
    assert Administration.objects.count() == 2
    assert "116 123" in thanks.content.decode()  # resources again at the end


# --- rate limits ----------------------------------------------------------------------


def test_guessing_links_from_one_address_is_slowed(settings) -> None:
    settings.HOLDSPACE_CHECKIN_IP_FAILURES = 3
    make_world()
    web = WebClient()
    codes = [web.get(url(f"guess{i:040d}")).status_code for i in range(3)]

    blocked = web.get(url(f"guess{99:040d}"))

    assert codes == [404, 404, 404]
    assert blocked.status_code == 429
    assert "try again a little later" in blocked.content.decode()
    assert "/c/help/" in blocked.content.decode()  # the safety path stays one tap away


def test_a_valid_link_opens_from_an_address_that_guessed(settings) -> None:
    """Clients share addresses (clinic Wi-Fi, a mobile carrier): a guesser on the same
    address must not stop them answering, risk answers included."""
    settings.HOLDSPACE_CHECKIN_IP_FAILURES = 3
    world = make_world()
    _, token = make_link(world)
    web = WebClient()
    for i in range(10):
        web.get(url(f"guess{i:040d}"))

    opened = web.get(url(token))
    saved = web.post(url(token), answers_form("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 3]))
    crisis = web.get(url(token))

    assert opened.status_code == 200
    assert saved.status_code == 303
    assert "116 123" in crisis.content.decode()
    assert web.get("/c/help/").status_code == 200


def test_an_open_link_is_never_refused_however_often_it_is_used(
    settings,
) -> None:
    settings.HOLDSPACE_CHECKIN_TOKEN_LIMIT = 4
    _, token = make_link(make_world())
    web = WebClient()

    codes = [web.get(url(token)).status_code for _ in range(6)]

    assert codes == [200] * 6


def test_a_closed_link_is_rate_limited_and_does_not_count_against_the_address(
    settings,
) -> None:
    settings.HOLDSPACE_CHECKIN_TOKEN_LIMIT = 4
    settings.HOLDSPACE_CHECKIN_IP_FAILURES = 2
    world = make_world()
    link, token = make_link(world)
    _, other = make_link(world)
    CheckinLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    web = WebClient()

    codes = [web.get(url(token)).status_code for _ in range(5)]

    assert codes == [410, 410, 410, 410, 429]
    assert web.get(url(other)).status_code == 200


def test_a_busy_clinic_address_is_not_slowed_by_successful_check_ins(
    settings,
) -> None:
    settings.HOLDSPACE_CHECKIN_IP_FAILURES = 2
    world = make_world()
    tokens = [make_link(world)[1] for _ in range(5)]

    codes = [WebClient().get(url(t)).status_code for t in tokens]

    assert codes == [200] * 5


def test_each_measure_is_headed_by_its_plain_name_with_the_clinical_name_below() -> None:
    world = make_world(plan=(("phq9", False), ("gad7", False)))
    _, token = make_link(world)
    web = WebClient()

    first = web.get(url(token)).content.decode()
    web.post(url(token), answers_form("phq9", PHQ9_LOW))
    second = web.get(url(token)).content.decode()

    assert "<h1>Mood</h1>" in first
    assert '<p class="ci-clinical-name">Patient Health Questionnaire-9 (PHQ-9)</p>' in first
    assert "<h1>Worry and anxiety</h1>" in second


def test_the_content_note_comes_from_the_definition() -> None:
    from holdspace.instruments import all_instruments

    noted = sorted(i.id for i in all_instruments() if i.content_note)
    assert noted == ["itq", "pcl5"]  # the measures that ask about traumatic experiences


# --- trauma measures and other risk items ---------------------------------------------


@pytest.mark.parametrize("trauma", ["pcl5", "itq"])
def test_a_trauma_measure_starts_with_a_content_note(trauma: str) -> None:
    world = make_world(plan=(("phq9", False), (trauma, False)))
    _, token = make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", PHQ9_LOW))

    note = web.get(url(token)).content.decode()
    assert "Before the next questions" in note and "2 of 2" in note
    assert "does not ask you to describe what happened" in note
    web.post(url(token), {"step": "note", "instrument": trauma, "nonce": "n", "action": "go"})

    measure = web.get(url(token)).content.decode()
    assert f'name="item-{trauma}_' in measure and "2 of 2" in measure


def test_a_trauma_measure_can_be_skipped_whole_from_its_content_note() -> None:
    world = make_world(plan=(("pcl5", False),))
    _, token = make_link(world)
    web = WebClient()

    skip = {"step": "note", "instrument": "pcl5", "nonce": "n", "action": "skip_measure"}
    web.post(url(token), skip)
    web.post(url(token), send_form())

    pcl5 = Administration.objects.get(instrument_id="pcl5")
    assert pcl5.answers == [SKIP] * 20
    assert pcl5.total is None


def test_core10_item_6_takes_the_safety_path_too() -> None:
    world = make_world(plan=(("core10", False),))
    _, token = make_link(world)
    web = WebClient()

    web.post(url(token), answers_form("core10", [1, 3, 3, 0, 0, 1, 1, 1, 1, 0]))

    assert Administration.objects.get().has_risk is True
    assert "Help is available now" in web.get(url(token)).content.decode()


def test_the_audit_trail_names_the_check_in_but_never_the_clients_words() -> None:
    from holdspace.web.audit.models import AuditEvent

    world = make_world()
    link, token = make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", PHQ9_LOW))
    web.post(url(token), answers_form("gad7", GAD7_LOW))
    web.post(url(token), send_form("a private sentence"))

    targets = set(AuditEvent.objects.values_list("target", flat=True))
    assert {f"checkin_link:{link.pk}", f"checkin:{link.pk}"} <= targets
    assert not any("private" in str(e.detail) for e in AuditEvent.objects.all())


# --- what the clinician sees ------------------------------------------------------------


def test_the_new_link_page_says_which_questionnaires_it_asks() -> None:
    world = make_world()
    web = WebClient()
    web.force_login(world.clinician)

    response = web.post(
        f"/checkins/episode/{world.episode.pk}/new/",
        {"session": world.session.pk, "kind": "before"},
        follow=True,
    )

    assert "It asks: Patient Health Questionnaire-9 (PHQ-9), " in response.content.decode()


def test_the_episode_page_partial_shows_status_and_the_clients_note() -> None:
    from django.template.loader import render_to_string

    world = make_world()
    _, token = make_link(world)
    make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", PHQ9_LOW))
    web.post(url(token), answers_form("gad7", GAD7_LOW))
    web.post(url(token), send_form("I moved house."))

    html = render_to_string("checkins/_episode_checkins.html", {"episode": world.episode})

    assert "I moved house." in html
    assert "Sent " in html and "Open until" in html
    assert f"/checkins/episode/{world.episode.pk}/" in html


def test_a_risk_answer_puts_a_safety_signal_first_for_the_clinician() -> None:
    from holdspace.web.clients.services import episode_signals

    world = make_world()
    _, token = make_link(world)
    WebClient().post(url(token), answers_form("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1]))

    signals = episode_signals(world.episode)

    assert signals and signals[0].kind.startswith("safety")


def test_a_note_that_is_too_long_is_returned_with_a_clear_message_not_cut() -> None:
    world = make_world()
    link, token = make_link(world)
    web = WebClient()
    web.post(url(token), answers_form("phq9", PHQ9_LOW))
    web.post(url(token), answers_form("gad7", GAD7_LOW))

    response = web.post(url(token), send_form("x" * 4001))

    assert response.status_code == 400
    body = response.content.decode()
    assert "note: at most 4000 characters, this one has 4001" in body
    assert "x" * 4001 in body  # the client's words are handed back, not dropped
    link.refresh_from_db()
    assert link.used_at is None
    assert not Administration.objects.exists()
