"""The client's own space: link, PIN, parts, goals, words, safety plan, and who sees what."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from holdspace.safetyplan import plan_steps
from holdspace.web.audit.models import AuditEvent
from holdspace.web.clients import services as clinic
from holdspace.web.reports.models import Goal
from holdspace.web.space import services
from holdspace.web.space.models import ClientWords, GoalMark, SafetyPlanVersion, SpaceChoice
from tests.web.test_checkin_support import PASSWORD, World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def shared(world: World, name: str = "Sam") -> tuple[Any, str]:
    space, _link, token = services.share_link(world.client, world.clinician, display_name=name)
    return space, token


def visit(token: str, pin: str | None = "2580") -> HttpClient:
    """A phone that opened the link and, on its first visit, chose `pin`."""
    phone = HttpClient()
    response = phone.get(f"/s/{token}/")
    assert response.status_code == 303
    if pin is not None:
        response = phone.post("/s/pin/", {"pin": pin, "pin_again": pin})
        assert response.status_code == 303, response.content
    return phone


def test_the_link_opens_a_visit_and_the_first_visit_chooses_a_pin() -> None:
    world = make_world()
    space, token = shared(world)
    phone = HttpClient()
    response = phone.get(f"/s/{token}/")
    assert response["Location"] == "/s/pin/"  # the token leaves the address bar
    assert phone.get("/s/").status_code == 303  # no PIN yet: back to the PIN page
    page = phone.get("/s/pin/")
    assert "Choose your PIN" in page.content.decode()
    assert phone.post("/s/pin/", {"pin": "1234", "pin_again": "1234"}).status_code == 400
    assert phone.post("/s/pin/", {"pin": "2580", "pin_again": "2581"}).status_code == 400
    assert phone.post("/s/pin/", {"pin": "2580", "pin_again": "2580"}).status_code == 303
    home = phone.get("/s/").content.decode()
    assert "Hello, Sam" in home
    assert "Your therapist can read this." in home
    space.refresh_from_db()
    assert space.pin_hash and "2580" not in space.pin_hash  # stored as a hash only
    assert token not in str(list(AuditEvent.objects.values_list("target", "detail")))


def test_a_new_phone_enters_the_pin_and_a_supervisor_is_named_when_there_is_one() -> None:
    world = make_world()
    _space, token = shared(world)
    visit(token)
    from holdspace.web.accounts.models import Role, User

    supervisor = User.objects.create_user("lee", password=PASSWORD, role=Role.SUPERVISOR)
    world.clinician.supervisors.add(supervisor)
    phone = HttpClient()
    phone.get(f"/s/{token}/")
    assert "Your PIN" in phone.get("/s/pin/").content.decode()
    assert phone.post("/s/pin/", {"pin": "2580"}).status_code == 303
    assert "Your therapist and their supervisor can read this." in phone.get("/s/").content.decode()


def test_wrong_pins_are_audited_limited_and_rest_until_the_clinician_resets() -> None:
    world = make_world()
    space, token = shared(world)
    visit(token)
    phone = HttpClient()
    phone.get(f"/s/{token}/")
    with override_settings(HOLDSPACE_SPACE_PIN_TRIES=3, HOLDSPACE_SPACE_PIN_LIMIT=5):
        codes = [phone.post("/s/pin/", {"pin": "1111"}).status_code for _ in range(4)]
        assert codes == [400, 400, 400, 429]
        # The right PIN waits too, until the window has passed.
        assert phone.post("/s/pin/", {"pin": "2580"}).status_code == 429
        assert (
            AuditEvent.objects.filter(action="pin_failed", target=f"space:{space.pk}").count() == 3
        )
        cache.clear()  # the window passes
        codes = [phone.post("/s/pin/", {"pin": "9999"}).status_code for _ in range(2)]
        assert codes == [400, 429]  # the fifth wrong PIN in a row: resting
        assert "Your PIN is resting" in phone.post("/s/pin/", {"pin": "2580"}).content.decode()
        assert AuditEvent.objects.filter(action="lockout", target=f"space:{space.pk}").exists()
        cache.clear()
        assert phone.post("/s/pin/", {"pin": "2580"}).status_code == 429  # still resting

        services.reset_pin(space, world.clinician)
        phone.get(f"/s/{token}/")
        assert "Choose your PIN" in phone.get("/s/pin/").content.decode()
        assert phone.post("/s/pin/", {"pin": "4826", "pin_again": "4826"}).status_code == 303


def test_a_pin_reset_ends_every_open_visit_at_once() -> None:
    world = make_world()
    space, token = shared(world)
    phone = visit(token)
    assert phone.get("/s/").status_code == 200
    services.reset_pin(space, world.clinician)
    assert phone.get("/s/").status_code == 404


def test_revoking_stops_the_link_and_the_open_visit_at_once() -> None:
    world = make_world()
    space, token = shared(world)
    phone = visit(token)
    assert phone.get("/s/goals/").status_code == 200
    services.revoke(space, world.clinician)
    page = phone.get("/s/goals/")
    assert page.status_code == 404
    assert "Not available" in page.content.decode()
    assert HttpClient().get(f"/s/{token}/").status_code == 404


def test_a_new_link_stops_the_old_one() -> None:
    world = make_world()
    _space, old = shared(world)
    phone = visit(old)
    _space, new = shared(world)
    assert phone.get("/s/").status_code == 404
    assert HttpClient().get(f"/s/{old}/").status_code == 404
    assert HttpClient().get(f"/s/{new}/").status_code == 303


@override_settings(HOLDSPACE_SPACE_PIN=False)
def test_a_clinic_can_turn_the_pin_off() -> None:
    world = make_world()
    _space, token = shared(world)
    phone = HttpClient()
    assert phone.get(f"/s/{token}/")["Location"] == "/s/"
    assert phone.get("/s/").status_code == 200


def test_no_link_no_page_and_unknown_links_are_counted_per_address() -> None:
    assert HttpClient().get("/s/").status_code == 404
    assert HttpClient().get("/s/plan/").status_code == 404
    with override_settings():
        phone = HttpClient()
        for _ in range(30):
            phone.get("/s/" + "x" * 43 + "/")
        assert phone.get("/s/" + "y" * 43 + "/").status_code == 429


def two_clients() -> tuple[World, World, HttpClient, HttpClient]:
    first = make_world()
    second = make_world(username="jo", code="QQ-2", display_name="Other")
    Goal.objects.create(episode=first.episode, text="Sleep through", added_by=first.clinician)
    Goal.objects.create(episode=second.episode, text="Walk to work", added_by=second.clinician)
    _s1, t1 = shared(first)
    _s2, t2 = shared(second, name="Jo")
    return first, second, visit(t1), visit(t2, pin="7391")


def test_a_client_sees_only_their_own_data() -> None:
    first, second, phone_one, phone_two = two_clients()
    second_space = services.space_for(second.client)
    assert second_space is not None
    words = services.add_words(second_space, "Jo's private words", shared=False)
    other_goal = Goal.objects.get(text="Walk to work")

    page = phone_one.get("/s/goals/").content.decode()
    assert "Sleep through" in page and "Walk to work" not in page
    assert "Jo's private words" not in phone_one.get("/s/words/").content.decode()
    # Another client's goal or words, by id: the kind "not available" page, nothing changed.
    response = phone_one.post(
        "/s/goals/mark/", {"goal": other_goal.pk, "mark": "closer", "nonce": "a"}
    )
    assert response.status_code == 404 and "Not available" in response.content.decode()
    assert not GoalMark.objects.exists()
    response = phone_one.post("/s/words/share/", {"words": words.pk, "shared": "yes"})
    assert response.status_code == 404
    words.refresh_from_db()
    assert words.shared is False
    # Each phone still sees its own.
    assert "Walk to work" in phone_two.get("/s/goals/").content.decode()


def test_a_second_clients_link_opens_only_their_space() -> None:
    first, second, phone_one, _phone_two = two_clients()
    # The first phone opens the second client's link: the second client's PIN is asked,
    # and the first client's visit is over.
    _s, token_two = shared(second)
    phone_one.get(f"/s/{token_two}/")
    assert phone_one.post("/s/pin/", {"pin": "2580"}).status_code == 400
    assert phone_one.get("/s/").status_code == 303


def test_goals_are_added_and_marked_and_every_mark_is_kept() -> None:
    world = make_world()
    _space, token = shared(world)
    phone = visit(token)
    phone.post("/s/goals/", {"text": "Phone my sister  once a week", "nonce": "n1"})
    phone.post("/s/goals/", {"text": "Phone my sister  once a week", "nonce": "n1"})  # double tap
    goal = Goal.objects.get()
    assert goal.text == "Phone my sister  once a week" and goal.added_by_client
    assert goal.added_by is None
    for nonce, mark in (("m1", "same"), ("m2", "closer"), ("m2", "closer")):
        phone.post("/s/goals/mark/", {"goal": goal.pk, "mark": mark, "nonce": nonce})
    assert [m.mark for m in goal.marks.all()] == ["same", "closer"]
    assert phone.post("/s/goals/", {"text": "", "nonce": "n2"}).status_code == 400
    page = phone.get("/s/goals/").content.decode()
    assert "Last time you said: closer" in page
    # The clinician's page and the stuck-point review show the goal beside the mark.
    clinician = HttpClient()
    clinician.force_login(world.clinician)
    manage = clinician.get(reverse("spaces:manage", args=[world.client.pk])).content.decode()
    assert "Phone my sister  once a week" in manage and "closer" in manage


def test_own_words_are_kept_exactly_and_private_ones_stay_private() -> None:
    world = make_world()
    space, token = shared(world)
    phone = visit(token)
    # Words the product's linter would flag in the product's own text: a client's are
    # never linted, changed or hidden.
    said = "I felt non-compliant and   resistant today.\nStill here."
    phone.post("/s/words/", {"text": said, "shared": "yes", "nonce": "w1"})
    phone.post("/s/words/", {"text": "Just mine", "shared": "no", "nonce": "w2"})
    assert [w.text for w in ClientWords.objects.order_by("pk")] == [said, "Just mine"]
    page = phone.get("/s/words/").content.decode()
    assert "I felt non-compliant and   resistant today.<br>Still here." in page
    assert "Just mine" in page
    clinician = HttpClient()
    clinician.force_login(world.clinician)
    manage = clinician.get(reverse("spaces:manage", args=[world.client.pk])).content.decode()
    assert "non-compliant and   resistant" in manage and "Just mine" not in manage
    private = ClientWords.objects.get(text="Just mine")
    phone.post("/s/words/share/", {"words": private.pk, "shared": "yes"})
    manage = clinician.get(reverse("spaces:manage", args=[world.client.pk])).content.decode()
    assert "Just mine" in manage
    assert SpaceChoice.objects.filter(space=space, what=f"words:{private.pk}").count() == 2
    assert said not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_parts_are_switched_by_both_and_every_choice_is_recorded() -> None:
    world = make_world()
    space, token = shared(world)
    phone = visit(token)
    phone.post("/s/choices/", {"parts": ["goals", "plan", "grounding"]})
    assert "switched off" in phone.get("/s/progress/").content.decode()
    assert phone.get("/s/words/").status_code == 200  # the kind page, not an error
    clinician = HttpClient()
    clinician.force_login(world.clinician)
    clinician.post(
        reverse("spaces:parts", args=[world.client.pk]),
        {"parts": ["progress", "goals", "plan", "grounding"], "share_comparison": "on"},
    )
    space.refresh_from_db()
    assert space.parts == ["progress", "goals", "plan", "grounding"] and space.share_comparison
    made = list(space.choices.order_by("pk").values_list("what", "value", "by_client"))
    assert ("part:progress", "off", True) in made and ("part:words", "off", True) in made
    assert ("part:progress", "on", False) in made and ("share_comparison", "on", False) in made
    assert "My progress" in phone.get("/s/progress/").content.decode()


def test_progress_uses_plain_names_and_no_comparison_unless_shared() -> None:
    world = make_world()
    for values in ([2, 2, 2, 2, 1, 1, 1, 1, 0], [1, 1, 1, 1, 0, 1, 0, 0, 0]):
        clinic.record_administration(world.episode, "phq9", values, source="in_session")
    _space, token = shared(world)
    page = visit(token).get("/s/progress/").content.decode()
    assert "<h2" in page and ">Mood</h2>" in page
    assert "Your first score was 12" in page and "the most recent is 5" in page
    assert "not a diagnosis" in page and "What they do not mean" in page
    assert "other clients" not in page


def test_the_safety_plan_is_made_together_edited_by_the_client_and_every_version_kept() -> None:
    world = make_world()
    clinician = HttpClient()
    clinician.force_login(world.clinician)
    space, token = shared(world)
    url = reverse("spaces:plan_edit", args=[world.client.pk])
    steps = {s.id: f"Agreed {s.id}" for s in plan_steps().steps}
    assert clinician.post(url, {**steps, "reviewed": "on"}).status_code == 303
    version = SafetyPlanVersion.objects.get()
    assert version.number == 1 and not version.by_client
    review = services.last_review(space)
    assert review is not None and review.version == version

    phone = visit(token)
    plan = phone.get("/s/plan/").content.decode()
    assert "Agreed warning_signs" in plan and "Samaritans" in plan  # the clinic's crisis lines
    assert "Last gone through together" in plan
    posted = {
        "warning_signs": "Not sleeping, pacing at 3am",
        "professionals": "crossed out by me",  # not the client's step: ignored
        "nonce": "p1",
    }
    phone.post("/s/plan/change/", posted)
    latest = services.current_plan(space)
    assert latest is not None and latest.number == 2 and latest.by_client
    assert latest.steps["warning_signs"] == "Not sleeping, pacing at 3am"
    assert latest.steps["professionals"] == "Agreed professionals"
    assert latest.steps["on_my_own"] == ""  # the client emptied it (not posted = empty)
    assert SafetyPlanVersion.objects.get(number=1).steps["warning_signs"] == "Agreed warning_signs"
    # The client page and the versions page show the last review date.
    versions = clinician.get(reverse("spaces:plan_versions", args=[world.client.pk]))
    assert "Version 2" in versions.content.decode() and "Version 1" in versions.content.decode()
    manage = clinician.get(reverse("spaces:manage", args=[world.client.pk])).content.decode()
    assert "Last reviewed together on" in manage


def test_the_safety_plan_pdf_holds_the_plan_and_the_crisis_lines() -> None:
    from pypdf import PdfReader

    world = make_world()
    space, token = shared(world)
    services.save_plan(space, {"warning_signs": "Pacing at night"}, by=world.clinician)
    response = visit(token).get("/s/plan/pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "My safety plan" in text and "Pacing at night" in text
    assert "Samaritans" in text and "Stanley" in text


def test_the_check_in_thank_you_page_opens_the_space_when_it_is_shared() -> None:
    from tests.web.test_checkin_support import make_link

    world = make_world(plan=())
    _link, ci_token = make_link(world)
    phone = HttpClient()
    thanks = phone.post(f"/c/{ci_token}/", {"step": "send", "instrument": "", "nonce": "s1"})
    assert "Open my space" not in thanks.content.decode()  # no space shared yet

    _link2, ci_token2 = make_link(world)
    shared(world)
    thanks = phone.post(f"/c/{ci_token2}/", {"step": "send", "instrument": "", "nonce": "s2"})
    assert "Open my space" in thanks.content.decode()
    # A wrong nonce opens nothing; the send form's nonce opens the PIN page.
    assert phone.post(f"/c/{ci_token2}/space/", {"nonce": "other"}).status_code == 404
    response = phone.post(f"/c/{ci_token2}/space/", {"nonce": "s2"})
    assert response.status_code == 303 and response["Location"] == "/s/pin/"
    assert "Choose your PIN" in phone.get("/s/pin/").content.decode()


def test_grounding_needs_no_link_and_the_check_in_pause_uses_the_same_tools() -> None:
    page = HttpClient().get("/s/grounding/").content.decode()
    assert "Breathing with the circle" in page and "Five, four, three, two, one" in page
    from django.template.loader import render_to_string

    pause = render_to_string("checkins/public/pause.html", {"nonce": "x"})
    assert "Breathing with the circle" in pause and "Five, four, three, two, one" in pause


def test_the_clinician_shares_resets_and_stops_from_their_page() -> None:
    world = make_world()
    clinician = HttpClient()
    clinician.force_login(world.clinician)
    page = clinician.post(reverse("spaces:share", args=[world.client.pk]), {"display_name": "Sam"})
    body = page.content.decode()
    assert "/s/" in body and "<svg" in body
    token = body.split('value="http://testserver/s/')[1].split("/")[0]
    phone = visit(token)
    assert phone.get("/s/").status_code == 200
    clinician.post(reverse("spaces:revoke", args=[world.client.pk]))
    assert phone.get("/s/").status_code == 404
