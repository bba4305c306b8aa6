"""The caseload dashboard: every open episode, safety first, with filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from holdspace.web.clients import services
from holdspace.web.clients.seed import demo_caseload, load_caseload
from tests.web.personas import World, make_user, signed_in

pytestmark = pytest.mark.django_db


def test_a_safety_signal_comes_first(world: World) -> None:
    services.add_client(world.alice, "AAA-calm")
    calm = services.open_episode(services.add_client(world.alice, "AAA-first"), world.alice)
    services.record_administration(calm, "phq9", [1] * 8 + [0], source="in_session")
    world.administration  # noqa: B018 - ALICE-01 has a risk answer

    response = signed_in(world.alice).get(reverse("clients:dashboard"))

    rows = response.context["rows"]
    assert rows[0].episode.client.code == "ALICE-01"
    assert rows[0].signals[0].kind == "safety"
    title = rows[0].signals[0].title
    assert title.strip()
    assert title in response.content.decode()


def test_the_demo_caseload_shows_every_signal_kind(world: World) -> None:
    today = dt.date.today()
    load_caseload(world.alice, demo_caseload(today, clients=8))

    rows = signed_in(world.alice).get(reverse("clients:dashboard")).context["rows"]

    kinds = set().union(*(r.kinds for r in rows))
    expected = {"safety", "deterioration", "not_on_track", "alliance", "attendance"}
    assert expected | {"measurement_gap"} <= kinds, kinds


def test_the_signal_filter_keeps_only_that_kind(world: World) -> None:
    world.administration  # noqa: B018
    services.open_episode(services.add_client(world.alice, "NO-SIGNAL"), world.alice)

    rows = (
        signed_in(world.alice)
        .get(reverse("clients:dashboard"), {"signal": "safety"})
        .context["rows"]
    )

    assert [r.episode.client.code for r in rows] == ["ALICE-01"]


def test_a_supervisor_sees_supervisees_and_can_filter_by_clinician(world: World) -> None:
    world.episode  # noqa: B018
    carol = make_user("carol")
    carol.supervisors.add(world.sam)
    services.open_episode(services.add_client(carol, "CAROL-1"), carol)
    services.open_episode(services.add_client(world.bob, "BOB-1"), world.bob)

    everyone = signed_in(world.sam).get(reverse("clients:dashboard")).context["rows"]
    only_carol = signed_in(world.sam).get(reverse("clients:dashboard"), {"clinician": carol.pk})

    assert {r.episode.client.code for r in everyone} == {"ALICE-01", "CAROL-1"}
    assert [r.episode.client.code for r in only_carol.context["rows"]] == ["CAROL-1"]


def test_a_clinician_sees_only_their_own(world: World) -> None:
    world.episode  # noqa: B018
    rows = signed_in(world.bob).get(reverse("clients:dashboard")).context["rows"]
    assert rows == []


def test_an_admin_sees_no_clinical_content(world: World) -> None:
    world.episode  # noqa: B018
    rows = signed_in(world.ada).get(reverse("clients:dashboard")).context["rows"]
    assert rows == []


def test_a_bad_filter_is_ignored_not_an_error(world: World) -> None:
    response = signed_in(world.alice).get(
        reverse("clients:dashboard"), {"clinician": "x", "signal": "?"}
    )
    assert response.status_code == 200
