"""Every number a person enters has a bound that matches its meaning, in the form, the
model and the database (holdspace/limits.py), and malformed query or POST values give
400/404, never 500."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from holdspace.limits import MAX_EVERY_N_SESSIONS, MAX_SESSION_NUMBER
from holdspace.web.clients.models import PlanItem, Session
from holdspace.web.reviews import services
from holdspace.web.reviews.models import Adaptation
from tests.web.personas import World, signed_in

pytestmark = pytest.mark.django_db


def _adaptation_form(session: object) -> dict[str, object]:
    return {
        "kind": "pace",
        "description": "Slower pace",
        "starts_on_session": session,
        "instrument_id": "phq9",
    }


@pytest.mark.parametrize("session", [MAX_SESSION_NUMBER + 1, 99999, 2**63 - 1, 0, -1, "²"])
def test_an_adaptation_session_outside_the_bound_is_a_form_error(
    world: World, session: object
) -> None:
    url = reverse("reviews:adaptation_add", args=[world.episode.pk])

    response = signed_in(world.alice).post(url, _adaptation_form(session))

    assert response.status_code == 200
    assert "whole number from 1 to 1,000" in response.content.decode()
    assert not Adaptation.objects.exists()


def test_the_largest_session_number_saves_and_every_page_still_renders(world: World) -> None:
    alice = signed_in(world.alice)
    alice.post(
        reverse("reviews:adaptation_add", args=[world.episode.pk]),
        _adaptation_form(MAX_SESSION_NUMBER),
    )
    assert Adaptation.objects.get().starts_on_session == MAX_SESSION_NUMBER

    for url in (
        reverse("clients:client_detail", args=[world.client.pk]),
        reverse("clients:episode_detail", args=[world.episode.pk]),
        reverse("reviews:episode_reviews", args=[world.episode.pk]),
        reverse("reports:client_report", args=[world.client.pk]),
    ):
        assert alice.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Adaptation, "starts_on_session", MAX_SESSION_NUMBER + 1),
        (PlanItem, "from_session", MAX_SESSION_NUMBER + 1),
        (PlanItem, "every_n_sessions", MAX_EVERY_N_SESSIONS + 1),
        (PlanItem, "every_n_sessions", 0),
        (Session, "number", MAX_SESSION_NUMBER + 1),
    ],
)
def test_the_database_refuses_a_value_past_the_bound(
    world: World, model: type, field: str, value: int
) -> None:
    if model is Adaptation:
        row = services.record_adaptation(
            world.episode, world.alice, kind="pace", description="x",
            starts_on_session=2, instrument_id="phq9",
        )  # fmt: skip
    elif model is PlanItem:
        row = world.episode.plan_items.first()
    else:
        row = world.session
    setattr(row, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save(update_fields=[field])


def test_a_plan_past_the_bound_is_refused_with_the_limits(world: World) -> None:
    url = reverse("clients:episode_open", args=[world.client.pk])
    response = signed_in(world.alice).get(url)
    assert response.status_code == 200
    form = {"opened_on": "2026-02-01", "plan-TOTAL_FORMS": "1", "plan-INITIAL_FORMS": "0",
            "plan-0-include": "on", "plan-0-instrument_id": "phq9",
            "plan-0-every_n_sessions": "53", "plan-0-from_session": "1"}  # fmt: skip

    refused = signed_in(world.alice).post(url, form)

    assert refused.status_code == 200
    assert "whole number from 1 to 52" in refused.content.decode()


def test_the_session_count_of_an_episode_is_capped(world: World) -> None:
    from django.core.exceptions import ValidationError

    from holdspace.web.clients import services as client_services

    Session.objects.create(
        episode=world.episode, number=MAX_SESSION_NUMBER, date=world.session.date
    )
    with pytest.raises(ValidationError, match="at most 1,000 sessions"):
        client_services.add_session(world.episode, world.alice, date=world.session.date)


@pytest.mark.parametrize("value", ["²", "abc", "9" * 5000, "-1", "99999999999999999999"])
def test_a_malformed_review_in_the_query_is_404(world: World, value: str) -> None:
    url = reverse("reviews:adaptation_add", args=[world.episode.pk]) + f"?review={value}"
    assert signed_in(world.alice).get(url).status_code == 404


@pytest.mark.parametrize("apply", ["²|3|x", "--1|2|x", "1|" + "9" * 5000 + "|x"])
def test_a_malformed_suggestion_to_apply_is_400(world: World, apply: str) -> None:
    data = {"text": "hello there", "apply": apply, "episode": str(world.episode.pk)}
    assert signed_in(world.alice).post(reverse("notes:apply"), data).status_code == 400


@pytest.mark.parametrize("episode", ["abc", "²", "", "9" * 5000])
def test_a_malformed_episode_on_apply_is_400(world: World, episode: str) -> None:
    data = {"text": "hello there", "apply": "0|5|hi", "episode": episode}
    assert signed_in(world.alice).post(reverse("notes:apply"), data).status_code == 400
