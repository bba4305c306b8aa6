"""Every free text a clinician writes is checked like notes: one mechanism (CheckedText,
wording/_field.html, wording:check), kept wording recorded and audited, and a client sees a
label only once it is kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from holdspace.web.audit.models import AuditEvent
from holdspace.web.reports.models import Goal
from holdspace.web.reviews.models import Adaptation, LifeEvent
from holdspace.web.wording import checks
from holdspace.web.wording.models import KeptLabel
from tests.web.personas import World, signed_in

pytestmark = pytest.mark.django_db

LABEL = "Stop indulging her manipulative behaviour"
HX = {"HTTP_HX_REQUEST": "true"}


def _adaptation(world: World, **extra: object) -> Adaptation:
    world.session  # noqa: B018 - one session so the form offers a starting session
    url = reverse("reviews:adaptation_add", kwargs={"episode_id": world.episode.pk})
    data = {"kind": "approach", "description": LABEL, "starts_on_session": 2,
            "instrument_id": "phq9", **extra}  # fmt: skip
    response = signed_in(world.alice).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Adaptation.objects.get()


def test_the_check_endpoint_lints_the_typed_text(world: World) -> None:
    response = signed_in(world.alice).post(
        reverse("wording:check"), {"field": "description", "description": LABEL}, **HX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<mark>manipulative</mark>" in body
    assert 'name="description_keep" value="manipulative|manipulative"' in body


def test_the_check_endpoint_keeps_a_ticked_choice_ticked(world: World) -> None:
    data = {"field": "plan", "plan": "He refused.", "plan_keep": "refused|refused"}

    body = signed_in(world.alice).post(reverse("wording:check"), data, **HX).content.decode()

    assert 'value="refused|refused" checked' in body


def test_every_checked_form_renders_its_suggestions_without_javascript(world: World) -> None:
    url = reverse("reviews:adaptation_add", kwargs={"episode_id": world.episode.pk})
    world.session  # noqa: B018
    # An invalid post re-renders the form: the server lints the text it shows.
    body = signed_in(world.alice).post(url, {"description": LABEL}).content.decode()

    assert "<mark>manipulative</mark>" in body
    assert "Keep my wording" in body
    assert 'hx-post="/wording/check/"' in body


def test_saving_is_never_blocked_and_the_label_is_not_kept_by_default(world: World) -> None:
    adaptation = _adaptation(world)

    assert adaptation.description == LABEL
    assert not KeptLabel.objects.exists()
    assert checks.client_text(adaptation, "description") == ""


def test_keeping_the_wording_with_the_form_is_recorded_and_audited(world: World) -> None:
    adaptation = _adaptation(world, description_keep="manipulative|manipulative")

    kept = KeptLabel.objects.get()
    assert (kept.target, kept.field, kept.rule) == (f"adaptation:{adaptation.pk}",
                                                     "description", "manipulative")  # fmt: skip
    event = AuditEvent.objects.filter(action="keep_wording").get()
    assert event.detail == {"field": "description", "rules": ["manipulative"]}
    assert "indulging" not in str(event.detail)
    assert checks.client_text(adaptation, "description") == LABEL


def test_a_made_up_keep_token_records_nothing(world: World) -> None:
    _adaptation(world, description_keep="addict|addict")

    assert not KeptLabel.objects.exists()


def test_the_chart_shows_the_kind_alone_until_the_wording_is_kept(world: World) -> None:
    from holdspace.web.clients.presenters import adaptation_annotations

    adaptation = _adaptation(world)
    assert adaptation_annotations(world.episode) == [(2, "Approach")]

    response = signed_in(world.alice).post(
        reverse("wording:keep"),
        {"target": f"adaptation:{adaptation.pk}", "field": "description",
         "keep": "manipulative|manipulative", "next": "/"},
    )  # fmt: skip

    assert response.status_code == 302
    assert adaptation_annotations(world.episode) == [(2, "Approach: Stop indulging her ma…")]


def test_keeping_after_saving_needs_write_access(world: World) -> None:
    adaptation = _adaptation(world)
    data = {"target": f"adaptation:{adaptation.pk}", "field": "description",
            "keep": "manipulative|manipulative"}  # fmt: skip

    assert signed_in(world.bob).post(reverse("wording:keep"), data).status_code == 404
    assert signed_in(world.sam).post(reverse("wording:keep"), data).status_code == 404
    assert not KeptLabel.objects.exists()


def test_keep_refuses_an_unknown_target_or_field(world: World) -> None:
    alice = signed_in(world.alice)
    for data in ({"target": "client:1", "field": "code"},
                 {"target": "adaptation:x", "field": "description"},
                 {"target": "goal:1", "field": "episode"}):  # fmt: skip
        assert alice.post(reverse("wording:keep"), data).status_code == 400


def test_a_clinicians_goal_with_a_label_is_replaced_on_the_client_report(world: World) -> None:
    url = reverse("reports:goal_add", kwargs={"episode_id": world.episode.pk})
    signed_in(world.alice).post(url, {"text": "Stop being so non-compliant with homework"})

    goal = Goal.objects.get()
    report = signed_in(world.alice).get(
        reverse("reports:client_report", kwargs={"client_id": world.client.pk})
    )
    assert "non-compliant" not in report.content.decode()
    assert checks.GOAL_FALLBACK in report.content.decode()
    assert checks.client_text(goal, "text") == checks.GOAL_FALLBACK


def test_the_clients_own_goal_is_never_linted_or_altered(world: World) -> None:
    goal = Goal.objects.create(episode=world.episode, text="Stop being so manipulative",
                               added_by_client=True)  # fmt: skip

    assert checks.client_text(goal, "text") == "Stop being so manipulative"


def test_a_life_event_is_checked_on_save_and_the_clinician_is_told(world: World) -> None:
    url = reverse("reviews:life_event_add", kwargs={"episode_id": world.episode.pk})

    response = signed_in(world.alice).post(
        url,
        {"happened_on": "2026-01-10", "description": "Lost the flat; he is a junkie now"},
        follow=True,
    )

    assert LifeEvent.objects.get().description == "Lost the flat; he is a junkie now"
    assert "Language suggestions for “junkie”" in response.content.decode()


def test_every_checked_field_is_listed_in_the_docs() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "language.md").read_text("utf-8")
    for model, field in checks.FIELDS:
        assert f"`{model}.{field}`" in docs, f"docs/language.md does not list {model}.{field}"
