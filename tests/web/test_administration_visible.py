"""Every administration is visible, total or not (issue 11, item 1): the per-measure table,
the reports and the administration's own page show it with what was skipped and why there is
no total."""

from __future__ import annotations

import pytest
from django.urls import reverse

from holdspace.instruments import SKIP, get_instrument
from holdspace.web.clients import services
from holdspace.web.clients.models import AdministrationSource
from tests.web.personas import World, signed_in

pytestmark = pytest.mark.django_db


def _gad7_with_one_skip(world: World):  # type: ignore[no-untyped-def]
    return services.record_administration(
        world.episode,
        "gad7",
        [1, SKIP, 2, 0, 1, 3, 0],
        source=AdministrationSource.CHECKIN,
    )


def test_the_reason_names_the_rule_and_counts_what_was_skipped() -> None:
    gad7 = get_instrument("gad7")
    reason = gad7.why_no_total([1, SKIP, 2, 0, 1, None, 0])
    assert reason == (
        "No total: GAD-7 has a total only when every question is answered; "
        "here 1 skipped by choice, 1 not answered."
    ).replace("GAD-7", gad7.name)


def test_a_gad7_with_a_skipped_item_is_a_row_in_the_table_with_no_total(world: World) -> None:
    administration = _gad7_with_one_skip(world)
    assert administration.total is None

    html = signed_in(world.alice).get(reverse("clients:episode_detail", args=[world.episode.pk]))
    text = html.content.decode()

    detail = reverse("clients:administration_detail", args=[administration.pk])
    assert detail in text
    assert "has a total only when every question is answered; here 1 skipped by choice." in text
    assert f"Skipped by choice: {get_instrument('gad7').items[1].short_label}." in text


def test_the_administration_page_shows_every_item_and_the_answer_chosen(world: World) -> None:
    administration = _gad7_with_one_skip(world)
    gad7 = get_instrument("gad7")

    response = signed_in(world.alice).get(
        reverse("clients:administration_detail", args=[administration.pk])
    )
    text = response.content.decode()

    assert response.status_code == 200
    assert "No total." in text
    for item in gad7.items:
        assert item.text and item.text in text
    chosen = gad7.items[5].options[3]
    assert f"{chosen.label} ({chosen.value})" in text
    assert "Skipped by choice (not today)" in text


def test_a_risk_item_shows_the_answer_chosen(world: World) -> None:
    phq9 = get_instrument("phq9")
    answers: list[int | str | None] = [0] * len(phq9.items)
    risk_index = [i.id for i in phq9.items].index(phq9.risk_items[0])
    answers[risk_index] = 2
    administration = services.record_administration(
        world.episode, "phq9", answers, source=AdministrationSource.CHECKIN
    )
    text = (
        signed_in(world.alice)
        .get(reverse("clients:administration_detail", args=[administration.pk]))
        .content.decode()
    )
    option = phq9.items[risk_index].options[2]
    row = text.split(phq9.items[risk_index].text or "")[1].split("</tr>")[0]
    assert "safety question" in row
    assert f"{option.label} ({option.value})" in row


def test_someone_elses_administration_is_not_found(world: World) -> None:
    administration = _gad7_with_one_skip(world)
    response = signed_in(world.bob).get(
        reverse("clients:administration_detail", args=[administration.pk])
    )
    assert response.status_code == 404


def test_the_clinician_report_lists_the_administration_without_a_total(world: World) -> None:
    _gad7_with_one_skip(world)
    text = (
        signed_in(world.alice)
        .get(reverse("reports:client_report", args=[world.client.pk]))
        .content.decode()
    )
    assert "here 1 skipped by choice." in text


def _sent_checkin_with_a_skip_and_a_declined_measure():  # type: ignore[no-untyped-def]
    """A check-in where the client skipped one GAD-7 question and the whole PCL-5."""
    from holdspace.web.checkins import services as checkins
    from holdspace.web.checkins.models import DraftStatus
    from tests.web.test_checkin_support import make_link, make_world

    world = make_world((("gad7", False), ("pcl5", False)))
    link, _token = make_link(world)
    checkins.save_page(link, get_instrument("gad7"), [1, SKIP, 2, 0, 1, 3, 0], "n1")
    checkins.mark_page(link, get_instrument("pcl5"), DraftStatus.DECLINED, "n2")
    assert checkins.send(link, "", "n3").sent
    return world


def test_the_checkin_list_says_what_came_back_total_or_not() -> None:
    world = _sent_checkin_with_a_skip_and_a_declined_measure()
    gad7, pcl5 = get_instrument("gad7"), get_instrument("pcl5")

    links = signed_in(world.clinician).get(reverse("checkins:episode", args=[world.episode.pk]))
    page = signed_in(world.clinician).get(
        reverse("clients:episode_detail", args=[world.episode.pk])
    )

    for text in (links.content.decode(), page.content.decode()):
        assert f"{gad7.name}: no total, skipped by choice: {gad7.items[1].short_label}" in text
        assert f"{pcl5.name}: chose to skip today" in text


def test_a_questionnaire_skipped_as_a_whole_is_a_row_saying_so() -> None:
    world = _sent_checkin_with_a_skip_and_a_declined_measure()

    text = (
        signed_in(world.clinician)
        .get(reverse("clients:episode_detail", args=[world.episode.pk]))
        .content.decode()
    )

    table = text.split(f"{get_instrument('pcl5').name} by session")[1].split("</table>")[0]
    assert "Chose to skip today." in table
    assert "Skipped by choice:" not in table  # not every item listed one by one


def test_the_chart_marks_a_session_with_no_total() -> None:
    world = _sent_checkin_with_a_skip_and_a_declined_measure()

    text = (
        signed_in(world.clinician)
        .get(reverse("clients:episode_detail", args=[world.episode.pk]))
        .content.decode()
    )

    figure = text.split('<figure class="chart-figure">')[1].split("</figure>")[0]
    assert "Filled in, no total" in figure  # the legend of the open marker
    assert 'fill="#ffffff"' in figure  # the open marker itself


def test_a_review_shows_the_administration_with_no_total(world: World) -> None:
    from holdspace.web.reviews import services as reviews

    _gad7_with_one_skip(world)
    review = reviews.open_review(world.episode, world.alice, signals=[], trigger="manual")

    text = (
        signed_in(world.alice)
        .get(reverse("reviews:review_detail", args=[review.pk]))
        .content.decode()
    )

    assert "here 1 skipped by choice." in text
