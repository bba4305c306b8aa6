"""`holdspace export` and `holdspace import` on the app's database, and analyze on the CSV."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from holdspace.cli import app
from holdspace.instruments import SKIP
from holdspace.web.clients import services
from holdspace.web.clients.models import Administration
from tests.web.personas import World

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def world() -> World:
    world = World.create()
    answers: tuple[list[int | str | None], ...] = (
        [3, 2, 2, 2, 1, 1, 2, 1, 0],
        [1, 1, 1, 0, SKIP, 1, 0, 0, 0],
    )
    for number, phq9 in enumerate(answers, start=1):
        session = services.add_session(
            world.episode, world.alice, date=dt.date(2026, 1, 5 + 7 * number)
        )
        services.record_administration(
            world.episode,
            "phq9",
            phq9,
            source="in_session",
            session=session,
            completed_at=dt.datetime(2026, 1, 5 + 7 * number, 9, tzinfo=dt.UTC),
        )
        services.record_administration(
            world.episode,
            "gad7",
            [2, 2, 1, 1, 1, 0, 0],
            source="checkin",
            session=session,
            completed_at=dt.datetime(2026, 1, 5 + 7 * number, 8, tzinfo=dt.UTC),
        )
    return world


def test_the_csv_export_runs_through_analyze_unchanged(world, tmp_path) -> None:
    path = tmp_path / "service.csv"

    exported = runner.invoke(app, ["export", "--csv", "--out", str(path)])
    analysed = runner.invoke(app, ["analyze", str(path), "--json"])

    assert exported.exit_code == 0, exported.output
    assert analysed.exit_code == 0, analysed.output
    summary = json.loads(analysed.stdout)
    # The second PHQ-9 has a skipped item: a row with no total and why, read as a missing score.
    assert (summary["rows"], summary["valid_rows"], summary["bad_rows"]) == (4, 4, 0)
    lines = path.read_text().splitlines()
    assert lines[0] == (
        "episode_id,client_id,clinician_id,session_number,date,instrument,total,no_total"
    )
    assert sum("skipped by choice" in line for line in lines) == 1


def test_fhir_export_then_import_into_a_new_episode(world, tmp_path) -> None:
    path = tmp_path / "alice.json"
    new = services.open_episode(world.client, world.alice, opened_on=dt.date(2026, 1, 1))

    exported = runner.invoke(app, ["export", "--fhir", "--client", "ALICE-01", "--out", str(path)])
    imported = runner.invoke(app, ["import", "--fhir", str(path), "--episode", str(new.pk)])

    assert exported.exit_code == 0, exported.output
    assert imported.exit_code == 0, imported.output
    assert "Imported 4 administrations" in imported.stdout
    fields = ("instrument_id", "answers", "total", "completed_at")
    before = list(Administration.objects.filter(episode=world.episode).values_list(*fields))
    after = list(Administration.objects.filter(episode=new).values_list(*fields))
    assert after == before


def test_an_unknown_instrument_is_reported_and_nothing_is_imported(world, tmp_path) -> None:
    path = tmp_path / "other.json"
    path.write_text(
        json.dumps(
            {
                "resourceType": "QuestionnaireResponse",
                "questionnaire": "http://example.org/Questionnaire/srs",
                "status": "completed",
                "authored": "2026-03-01T10:00:00+00:00",
            }
        )
    )

    done = runner.invoke(app, ["import", "--fhir", str(path), "--episode", str(world.episode.pk)])

    assert done.exit_code == 1
    assert "is not an instrument Holdspace knows" in done.stderr
    assert "Nothing was imported." in done.stderr
    assert Administration.objects.filter(episode=world.episode, source="import").count() == 0


def test_export_needs_exactly_one_format(world) -> None:
    done = runner.invoke(app, ["export"])

    assert done.exit_code == 2
    assert "choose exactly one of --fhir or --csv" in done.stderr
