"""The workspace's write services: scored, transactional, audited, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from holdspace.instruments import SKIP, AnswerError
from holdspace.web.audit.models import AuditEvent
from holdspace.web.clients import services
from holdspace.web.clients.models import Administration, PlanItem, SafetyAcknowledgement
from tests.web.personas import World

pytestmark = pytest.mark.django_db

PHQ9_NO_RISK = [2, 2, 1, 1, 2, 1, 1, 1, 0]  # total 11, item 9 = 0


def test_a_client_needs_only_a_code(world: World) -> None:
    client = services.add_client(world.alice, "  AB-0412 ")

    assert client.code == "AB-0412"
    assert client.display_name == ""
    assert AuditEvent.objects.filter(action="create", target=f"client:{client.pk}").exists()


def test_a_duplicate_code_is_refused_naming_the_field(world: World) -> None:
    services.add_client(world.alice, "AB-1")

    with pytest.raises(ValidationError) as exc:
        services.add_client(world.bob, "AB-1")

    assert "code" in exc.value.message_dict


def test_the_default_plan_follows_issue_4(world: World) -> None:
    episode = world.episode
    plan = {p.instrument_id: p for p in PlanItem.objects.filter(episode=episode)}

    assert plan["phq9"].every_n_sessions == 1 and plan["gad7"].every_n_sessions == 1
    assert plan["waisr"].from_session == 2 and plan["waisr"].after_session
    due = [p.instrument_id for p in services.plan_due(plan.values(), 1)]
    assert "waisr" not in due and "phq9" in due
    if "pcl5" in plan:
        assert [n for n in range(1, 10) if plan["pcl5"].is_due(n)] == [1, 5, 9]


def test_an_unknown_instrument_in_the_plan_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.open_episode(world.client, world.alice, plan=[services.PlanLine("nope")])

    assert "nope" in str(exc.value.message_dict["plan"])


def test_record_administration_scores_with_the_core_and_audits(world: World) -> None:
    adm = services.record_administration(
        world.episode, "phq9", PHQ9_NO_RISK, source="in_session", entered_by=world.alice
    )

    assert adm.total == 11
    assert adm.band == "moderate"
    assert adm.has_risk is False
    assert adm.result["instrument"] == "phq9"
    event = AuditEvent.objects.get(target=f"administration:{adm.pk}")
    assert event.action == "create"
    # The audit record names the row, never its answers.
    assert "answers" not in event.detail


def test_a_skip_is_kept_as_a_choice(world: World) -> None:
    answers = [*PHQ9_NO_RISK[:8], SKIP]

    adm = services.record_administration(world.episode, "phq9", answers, source="in_session")

    assert adm.answers[8] == SKIP
    assert "phq9_9" in adm.result["skipped"]


def test_the_same_key_stores_one_row(world: World) -> None:
    first = services.record_administration(
        world.episode, "phq9", PHQ9_NO_RISK, source="checkin", idempotency_key="k-1"
    )
    again = services.record_administration(
        world.episode, "phq9", PHQ9_NO_RISK, source="checkin", idempotency_key="k-1"
    )

    assert again.pk == first.pk
    assert Administration.objects.filter(idempotency_key="k-1").count() == 1


def test_a_key_from_another_episode_is_refused(world: World) -> None:
    services.record_administration(
        world.episode, "phq9", PHQ9_NO_RISK, source="checkin", idempotency_key="k-2"
    )
    other = services.open_episode(services.add_client(world.bob, "B-1"), world.bob)

    with pytest.raises(ValidationError):
        services.record_administration(
            other, "phq9", PHQ9_NO_RISK, source="checkin", idempotency_key="k-2"
        )


def test_bad_answers_write_nothing(world: World) -> None:
    episode = world.episode
    before = AuditEvent.objects.count()

    with pytest.raises(AnswerError) as exc:
        services.record_administration(episode, "phq9", [9] * 9, source="in_session")

    assert "phq9_1" in str(exc.value)
    assert Administration.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_a_bad_source_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.record_administration(world.episode, "phq9", PHQ9_NO_RISK, source="email")

    assert "source" in exc.value.message_dict


def test_sessions_are_numbered_in_order(world: World) -> None:
    first = services.add_session(world.episode, world.alice, date=dt.date(2026, 1, 6))
    second = services.add_session(
        world.episode, world.alice, date=dt.date(2026, 1, 13), status="missed"
    )

    assert (first.number, second.number) == (1, 2)
    assert second.status == "missed"


def test_acknowledging_a_risk_answer_is_audited(world: World) -> None:
    adm = world.administration
    assert adm.has_risk

    ack = services.acknowledge_safety(adm, world.alice, note="phoned, plan reviewed")

    assert SafetyAcknowledgement.objects.get(pk=ack.pk).note == "phoned, plan reviewed"
    assert AuditEvent.objects.filter(
        action="acknowledge", target=f"administration:{adm.pk}"
    ).exists()


def test_an_answer_without_risk_cannot_be_acknowledged(world: World) -> None:
    adm = services.record_administration(world.episode, "phq9", PHQ9_NO_RISK, source="in_session")

    with pytest.raises(ValidationError):
        services.acknowledge_safety(adm, world.alice, note="phoned")


def test_a_follow_up_without_what_was_done_is_refused_and_nothing_is_written(
    world: World,
) -> None:
    adm = world.administration

    with pytest.raises(ValidationError) as caught:
        services.acknowledge_safety(adm, world.alice, note="  ", outcome="settled")

    assert "note" in caught.value.message_dict
    assert not SafetyAcknowledgement.objects.exists()
    assert not AuditEvent.objects.filter(action="acknowledge").exists()


def test_a_follow_up_keeps_what_was_done_the_outcome_and_the_next_step(world: World) -> None:
    ack = services.acknowledge_safety(
        world.administration,
        world.alice,
        note=" phoned ",
        outcome="feels safer tonight",
        next_step="review the plan at session 4",
    )

    ack.refresh_from_db()
    assert (ack.note, ack.outcome, ack.next_step) == (
        "phoned",
        "feels safer tonight",
        "review the plan at session 4",
    )


def test_the_series_carries_acknowledgement(world: World) -> None:
    adm = world.administration

    series = services.build_series(world.episode)
    assert [m.acknowledged for m in series.measurements] == [False]
    assert series.measurements[0].session_number == 1

    services.acknowledge_safety(adm, world.alice, note="phoned")
    series = services.build_series(world.episode)
    assert [m.acknowledged for m in series.measurements] == [True]
