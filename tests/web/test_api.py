"""FHIR API: export Bundles, import QuestionnaireResponses all-or-nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from holdspace.instruments import SKIP
from holdspace.web.clients import services
from holdspace.web.clients.models import Administration
from tests.web.personas import World

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 1, 6, 10, 15, 30, 250000, tzinfo=dt.UTC)


@pytest.fixture
def world() -> World:
    world = World.create()
    services.record_administration(
        world.episode,
        "phq9",
        [2, 1, SKIP, None, 1, 0, 2, 1, 0],
        source="in_session",
        session=world.session,
        entered_by=world.alice,
        completed_at=WHEN,
    )
    services.record_administration(
        world.episode,
        "gad7",
        [1, 1, 2, 0, 1, 1, 0],
        source="in_session",
        session=world.session,
        entered_by=world.alice,
        completed_at=WHEN + dt.timedelta(minutes=5),
    )
    return world


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def export(world: World, user=None) -> str:
    url = reverse("api:episode_bundle", kwargs={"episode_id": world.episode.pk})
    response = signed_in(user or world.alice).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    return response.content.decode()


def post_import(world: World, body: str, user=None):
    new = services.open_episode(world.client, world.alice, opened_on=dt.date(2026, 1, 1))
    url = reverse("api:episode_import", kwargs={"episode_id": new.pk})
    response = signed_in(user or world.alice).post(url, body, content_type="application/fhir+json")
    return new, response


def snapshot(episode):
    return [
        (a.instrument_id, a.answers, a.total, a.band, a.completed_at)
        for a in Administration.objects.filter(episode=episode).order_by("completed_at")
    ]


def test_an_episode_bundle_validates_and_holds_every_administration(world) -> None:
    text = export(world)

    bundle = Bundle.model_validate_json(text)
    kinds = [e.resource.get_resource_type() for e in bundle.entry or [] if e.resource]
    assert kinds.count("QuestionnaireResponse") == 2
    assert kinds.count("Questionnaire") == 2
    assert kinds.count("Observation") == 1  # the PHQ-9 has a missing item, so no total
    assert "ALICE-01" in text


def test_a_client_bundle_covers_all_their_episodes(world) -> None:
    later = services.open_episode(world.client, world.alice, opened_on=dt.date(2026, 5, 1))
    services.record_administration(later, "gad7", [0] * 7, source="in_session")
    url = reverse("api:client_bundle", kwargs={"client_id": world.client.pk})

    response = signed_in(world.alice).get(url)

    bundle = json.loads(response.content)
    responses = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    assert len(responses) == 3


def test_a_supervisor_reads_but_a_colleague_does_not(world) -> None:
    url = reverse("api:episode_bundle", kwargs={"episode_id": world.episode.pk})

    assert signed_in(world.sam).get(url).status_code == 200
    assert signed_in(world.bob).get(url).status_code == 404


def test_export_then_import_reproduces_the_administrations(world) -> None:
    new, response = post_import(world, export(world))

    assert response.status_code == 201, response.content
    assert snapshot(new) == snapshot(world.episode)
    assert set(Administration.objects.filter(episode=new).values_list("source", flat=True)) == {
        "import"
    }


def test_importing_the_same_bundle_twice_stores_it_once(world) -> None:
    text = export(world)
    new, first = post_import(world, text)
    url = reverse("api:episode_import", kwargs={"episode_id": new.pk})

    second = signed_in(world.alice).post(url, text, content_type="application/fhir+json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert Administration.objects.filter(episode=new).count() == 2


def test_one_bad_response_means_nothing_is_imported(world) -> None:
    bundle = json.loads(export(world))
    responses = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    responses[1]["resource"]["questionnaire"] = "urn:holdspace:questionnaire:ors"

    new, response = post_import(world, json.dumps(bundle))

    assert response.status_code == 400
    outcome = json.loads(response.content)
    assert outcome["resourceType"] == "OperationOutcome"
    assert (
        "'urn:holdspace:questionnaire:ors' is not an instrument"
        in outcome["issue"][0]["diagnostics"]
    )
    assert snapshot(new) == []


def test_an_answer_the_instrument_cannot_score_rolls_everything_back(world) -> None:
    bundle = json.loads(export(world))
    responses = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    # Valid codes, but the GAD-7 gets an item the PHQ-9 owns.
    responses[1]["item"].append(dict(responses[0]["item"][0]))

    new, response = post_import(world, json.dumps(bundle))

    assert response.status_code == 400
    assert "is not part of gad7" in response.content.decode()
    assert snapshot(new) == []


def test_a_bundle_for_another_client_is_refused(world) -> None:
    text = export(world).replace('"value": "ALICE-01"', '"value": "SOMEONE-ELSE"')

    new, response = post_import(world, text)

    assert response.status_code == 400
    assert "not this episode's client" in response.content.decode()
    assert snapshot(new) == []


def test_a_supervisor_cannot_import(world) -> None:
    new, response = post_import(world, export(world), user=world.sam)

    assert response.status_code == 404
    assert snapshot(new) == []


@pytest.mark.parametrize("app", ["api", "reports"])
def test_every_url_is_documented(app) -> None:
    import re
    from pathlib import Path

    from django.urls import URLResolver, get_resolver

    docs = (Path(__file__).resolve().parents[2] / "docs" / "interop.md").read_text()
    (resolver,) = [
        p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == app
    ]
    prefix = str(resolver.pattern)
    routes = [
        re.sub(r"<\w+:(\w+)>", r"<\1>", f"/{prefix}{p.pattern}") for p in resolver.url_patterns
    ]

    assert [r for r in routes if f"{r}`" not in docs] == []


def test_a_body_over_the_limit_is_refused_before_reading(world, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    new, response = post_import(world, export(world))

    assert response.status_code == 413
    assert "larger than 100 bytes" in response.content.decode()
    assert snapshot(new) == []


def test_an_administration_of_a_removed_instrument_gets_a_clear_error(world) -> None:
    Administration.objects.filter(episode=world.episode, instrument_id="gad7").update(
        instrument_id="local_removed"
    )
    url = reverse("api:episode_bundle", kwargs={"episode_id": world.episode.pk})

    response = signed_in(world.alice).get(url)

    assert response.status_code == 409
    assert "instrument 'local_removed' is not installed" in response.content.decode()
