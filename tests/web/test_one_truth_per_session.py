"""One truth per instrument per session (issue 11, item 2).

At most one current administration per instrument per session; a second one is refused
before anything is written, unless the clinician chose to correct; a correction supersedes
the earlier one (kept, audited, shown in its history) and every derived number follows the
current one only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from holdspace.web.audit.models import AuditEvent
from holdspace.web.checkins import services as checkins
from holdspace.web.checkins.models import CheckinLink
from holdspace.web.clients import presenters, services
from holdspace.web.clients.models import Administration, AdministrationSource
from tests.web.personas import World

pytestmark = pytest.mark.django_db

PHQ9_HIGH = [3, 3, 2, 2, 2, 2, 2, 2, 0]  # 18
PHQ9_LOWER = [1, 1, 1, 1, 1, 1, 1, 1, 0]  # 8: a reliable improvement from 18 (threshold 6)
PHQ9_SAME = [2, 2, 2, 2, 2, 2, 2, 2, 0]  # 16: no reliable change from 18


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def world() -> World:
    return World.create()


def _as(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _two_sessions(world: World):  # type: ignore[no-untyped-def]
    """Session 1 PHQ-9 18, session 2 PHQ-9 8: improving, reliably."""
    first = world.session
    second = services.add_session(world.episode, world.alice, date=dt.date(2026, 1, 13))
    services.record_administration(
        world.episode, "phq9", PHQ9_HIGH, source=AdministrationSource.IN_SESSION, session=first
    )
    kept = services.record_administration(
        world.episode, "phq9", PHQ9_LOWER, source=AdministrationSource.CHECKIN, session=second
    )
    return second, kept


def _numbers(world: World) -> tuple[str, list[float], list[str]]:
    data = services.episode_data(world.episode)
    direction = services.direction_of_change(data)
    chart = next(
        c for c in presenters.episode_page(world.episode)["charts"] if c.instrument.id == "phq9"
    )
    signals = sorted(str(s.kind) for s in services.signals_for(data, today=dt.date(2026, 1, 14)))
    return (direction.label if direction else "", [r.total for r in chart.rows], signals)


def _entry_form(world: World, session, answers, **extra):  # type: ignore[no-untyped-def]
    form = {"session": str(session.pk), "idempotency_key": extra.pop("key", "k-1")}
    items = checkins.get_instrument("phq9").items
    form |= {f"item_{item.id}": str(a) for item, a in zip(items, answers, strict=False)}
    return form | extra


def test_the_database_holds_at_most_one_current_administration_per_session(world: World) -> None:
    second, kept = _two_sessions(world)
    row = dict(
        episode=world.episode, session=second, instrument_id="phq9", instrument_version="1",
        answers=PHQ9_SAME, total=16, source="checkin", completed_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Administration.objects.create(**row)
    # A superseded one beside it is allowed: that is the history.
    Administration.objects.create(**row, superseded_at=timezone.now(), superseded_by=kept)


def test_a_second_entry_for_the_session_is_refused_and_flips_no_numbers(world: World) -> None:
    second, kept = _two_sessions(world)
    before = _numbers(world)
    assert before[0] == "Improving (reliable change)"
    page = _as(world.alice)
    url = reverse("clients:administration_add", args=[world.episode.pk, "phq9"])

    shown = page.get(url).content.decode()
    response = page.post(url, _entry_form(world, second, PHQ9_SAME))

    text = response.content.decode()
    assert "Session 2 already has a" in shown  # said before anything is written
    assert response.status_code == 200 and "Session 2 already has a" in text
    assert "Save as a correction for session 2" in text
    assert Administration.with_history.count() == 2
    assert _numbers(world) == before


def test_a_second_service_write_without_correcting_is_refused(world: World) -> None:
    second, kept = _two_sessions(world)
    before = _numbers(world)

    with pytest.raises(services.SessionHasOne) as refused:
        services.record_administration(
            world.episode, "phq9", PHQ9_SAME, source="in_session", session=second
        )

    assert refused.value.existing == kept
    assert Administration.with_history.count() == 2 and _numbers(world) == before


def test_a_correction_supersedes_keeps_the_earlier_one_and_the_numbers_follow(
    world: World,
) -> None:
    second, kept = _two_sessions(world)
    page = _as(world.alice)
    url = reverse("clients:administration_add", args=[world.episode.pk, "phq9"])

    response = page.post(
        url, _entry_form(world, second, PHQ9_SAME, replaces=str(kept.pk)), follow=True
    )

    text = response.content.decode()
    assert "It replaces the earlier one of" in text and "kept in its history" in text
    kept = Administration.with_history.get(pk=kept.pk)
    current = Administration.objects.get(session=second)
    assert not kept.is_current and kept.superseded_by == current
    assert _numbers(world) == ("No reliable change yet", [18.0, 16.0], _numbers(world)[2])
    assert AuditEvent.objects.filter(action="update", target=f"administration:{kept.pk}").exists()
    old_page = page.get(reverse("clients:administration_detail", args=[kept.pk])).content.decode()
    assert "Not current: replaced on" in old_page
    assert reverse("clients:administration_detail", args=[current.pk]) in old_page
    new_page = page.get(
        reverse("clients:administration_detail", args=[current.pk])
    ).content.decode()
    assert "This replaces, for session 2" in new_page


def test_a_second_link_for_a_session_with_a_check_in_warns_and_writes_nothing(
    world: World,
) -> None:
    second, kept = _two_sessions(world)
    page = _as(world.alice)
    new = reverse("checkins:new", args=[world.episode.pk])

    warned = page.post(new, {"session": second.pk, "kind": "before"})

    text = warned.content.decode()
    assert warned.status_code == 200
    assert "Session 2 already has a Patient Health Questionnaire-9 (PHQ-9)" in text
    assert "Create a link that corrects it" in text
    assert not CheckinLink.objects.exists()


def test_a_correcting_link_supersedes_and_the_numbers_follow(world: World) -> None:
    second, kept = _two_sessions(world)
    page = _as(world.alice)
    page.post(
        reverse("checkins:new", args=[world.episode.pk]),
        {"session": second.pk, "kind": "before", "corrects": "1"},
    )
    link = CheckinLink.objects.get()
    assert link.corrects

    phq9 = checkins.get_instrument("phq9")
    checkins.save_page(link, phq9, PHQ9_SAME, "n-1")
    checkins.send(link, "", "send-1")

    assert Administration.objects.get(session=second, instrument_id="phq9").total == 16
    assert not Administration.with_history.get(pk=kept.pk).is_current
    assert _numbers(world)[:2] == ("No reliable change yet", [18.0, 16.0])


def test_an_answer_arriving_for_a_session_that_has_one_is_kept_not_current(world: World) -> None:
    # A link made before the session had a measure; then one was entered in session.
    link, _token = checkins.create_link(world.episode, world.session, world.alice)
    _two_sessions(world)
    before = _numbers(world)

    checkins.save_page(link, checkins.get_instrument("phq9"), PHQ9_LOWER, "n-1")
    checkins.send(link, "", "send-1")

    late = Administration.with_history.filter(session=world.session).exclude(total=18).get()
    assert not late.is_current and late.superseded_by is not None
    assert _numbers(world) == before
    text = _as(world.alice).get(reverse("clients:administration_detail", args=[late.pk]))
    assert "was recorded for this session" in text.content.decode()


def test_a_superseded_risk_answer_stays_at_the_top_until_followed_up(world: World) -> None:
    risky = world.administration  # PHQ-9 with item 9 = 1, session 1
    services.record_administration(
        world.episode, "phq9", PHQ9_HIGH, source="in_session", session=world.session,
        replaces=risky.pk,
    )  # fmt: skip

    page = presenters.episode_page(world.episode)
    kinds = [str(s.kind) for s in page["signals"]]

    assert [a.pk for a, _ in page["unacknowledged"]] == [risky.pk]
    assert "safety" in kinds


def test_due_actions_go_once_recorded_and_never_show_on_a_closed_episode(world: World) -> None:
    session = world.session
    due = [iid for iid, _ in presenters.episode_page(world.episode)["due_now"]]
    assert "phq9" in due and "gad7" in due

    services.record_administration(
        world.episode, "phq9", PHQ9_HIGH, source="in_session", session=session
    )
    due = [iid for iid, _ in presenters.episode_page(world.episode)["due_now"]]
    assert "phq9" not in due and "gad7" in due

    services.close_episode(world.episode, world.alice, end_reason="goals met")
    assert presenters.episode_page(world.episode)["due_now"] == []
    html = _as(world.alice).get(reverse("clients:episode_detail", args=[world.episode.pk]))
    assert "Due at session" not in html.content.decode()
