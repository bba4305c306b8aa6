"""Importing what other systems send, as a careful colleague would: the real public samples
through the CLI and the API, repeats, dates outside the episode, whole records brought in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from typer.testing import CliRunner

from holdspace.cli import app
from holdspace.web.clients import services
from holdspace.web.clients.models import Administration, Client, Episode
from tests.core.interop.samples import fixture, sample
from tests.web.personas import World

pytestmark = pytest.mark.django_db
runner = CliRunner()
USCORE_QR = "uscore-QuestionnaireResponse-phq-9-example.json"


def write(tmp_path: Path, raw: bytes | str, name: str = "in.json") -> str:
    path = tmp_path / name
    path.write_bytes(raw if isinstance(raw, bytes) else raw.encode())
    return str(path)


def episode_from(world: World, day: dt.date) -> Episode:
    return services.open_episode(world.client, world.alice, opened_on=day)


def cli(*args: str):
    return runner.invoke(app, ["import", *args])


def test_us_core_response_is_stored_with_the_senders_total_and_address(world, tmp_path) -> None:
    episode = episode_from(world, dt.date(2022, 11, 1))

    done = cli(write(tmp_path, fixture(USCORE_QR)), "--episode", str(episode.pk))

    assert done.exit_code == 0, done.output
    (stored,) = Administration.objects.filter(episode=episode)
    assert stored.answers == [2, 2, 2, 2, 1, 1, 2, 0, 0, 1]
    assert (stored.total, stored.sender_total, stored.total_only) == (12, 12, False)
    assert stored.source_questionnaire == "http://hl7.org/fhir/us/core/Questionnaire/phq-9-example"
    assert "read as phq9; the address is kept" in done.stdout


def test_importing_the_same_file_again_changes_nothing(world, tmp_path) -> None:
    episode = episode_from(world, dt.date(2022, 11, 1))
    path = write(tmp_path, fixture(USCORE_QR))
    cli(path, "--episode", str(episode.pk))

    again = cli(path, "--episode", str(episode.pk))

    assert again.exit_code == 0, again.output
    assert "1 administration imported before; nothing new written." in again.stdout
    assert "Imported 0 administrations" in again.stdout
    assert Administration.objects.filter(episode=episode).count() == 1


def test_a_response_dated_outside_the_episode_is_refused_or_placed_with_a_warning(
    world, tmp_path
) -> None:
    episode = episode_from(world, dt.date(2026, 1, 5))
    path = write(tmp_path, fixture(USCORE_QR))

    refused = cli(path, "--episode", str(episode.pk))
    placed = cli(path, "--episode", str(episode.pk), "--allow-outside")

    assert refused.exit_code == 1
    assert "completed 2022-11-29, outside episode" in refused.stderr
    assert "Nothing was imported." in refused.stderr
    assert placed.exit_code == 0, placed.output
    assert "Warning:" in placed.stderr and "placed in it as asked" in placed.stderr
    assert Administration.objects.filter(episode=episode).count() == 1


def test_a_date_alone_is_stored_and_exported_at_that_precision(world, tmp_path) -> None:
    response = json.loads(fixture(USCORE_QR))
    response["authored"] = "2022-11-29"
    episode = episode_from(world, dt.date(2022, 11, 1))

    assert cli(write(tmp_path, json.dumps(response)), "--episode", str(episode.pk)).exit_code == 0

    (stored,) = Administration.objects.filter(episode=episode)
    assert stored.date_only
    bundle = HttpClient()
    bundle.force_login(world.alice)
    text = bundle.get(reverse("api:episode_bundle", kwargs={"episode_id": episode.pk})).json()
    (exported,) = [
        e["resource"] for e in text["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]  # fmt: skip
    assert exported["authored"] == "2022-11-29"


def test_a_synthea_total_creates_the_client_and_an_episode_and_is_marked_total_only(
    world, tmp_path
) -> None:
    path = write(tmp_path, sample("synthea-phq2-observation-bundle.json"))

    done = cli(path, "--client", "REF-77", "--clinician", "alice")

    assert done.exit_code == 0, done.output
    client = Client.objects.get(code="REF-77")
    (episode,) = client.episodes.all()
    assert episode.opened_on == dt.date(2016, 10, 17) and episode.clinician == world.alice
    (stored,) = Administration.objects.filter(episode=episode)
    assert (stored.instrument_id, stored.total, stored.total_only) == ("phq2", 1, True)
    assert stored.source_label == "Imported (total only, no item answers)"
    assert "Created client REF-77." in done.stdout


def test_a_new_client_needs_a_clinician_and_nothing_is_created_without_one(tmp_path) -> None:
    done = cli(write(tmp_path, sample("synthea-phq2-observation-bundle.json")), "--client", "X-1")

    assert done.exit_code == 1
    assert "give --clinician USERNAME" in done.stderr
    assert not Client.objects.filter(code="X-1").exists()


def test_a_broken_bundle_lists_every_problem_and_creates_nothing(world, tmp_path) -> None:
    good = json.loads(fixture(USCORE_QR))
    bad = json.loads(fixture(USCORE_QR))
    bad["status"] = "in-progress"
    bad["item"][0]["answer"][0]["valueCoding"]["code"] = "LA0000-0"
    total = json.loads(sample("uscore-Observation-PHQ9-item-example-44261-6.json"))
    total["valueString"] = "twelve"
    raw = json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": good}, {"resource": bad}, {"resource": total}],
        }
    )

    done = cli(write(tmp_path, raw), "--client", "NEW-1", "--clinician", "alice")

    assert done.exit_code == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 3
    assert any("entry 1" in e and "status: 'in-progress'" in e for e in errors)
    assert any("entry 1" in e and "LA0000-0" in e for e in errors)
    assert any("entry 2" in e and "give the phq9 total as a number" in e for e in errors)
    assert not Client.objects.filter(code="NEW-1").exists()
    assert Administration.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[" * 200_000, "nests arrays or objects more than 64 levels deep"),
        ('{"a":' * 5_000 + "1" + "}" * 5_000, "nests arrays or objects more than 64 levels deep"),
        ("\xff\xfe not text", "is not JSON"),
    ],
)
def test_hostile_json_gets_one_line_from_the_cli(world, tmp_path, raw, expected) -> None:
    episode = episode_from(world, dt.date(2022, 11, 1))

    done = cli(write(tmp_path, raw), "--episode", str(episode.pk))

    assert done.exit_code == 1
    assert (
        "Traceback" not in done.output
        and done.exception is None
        or isinstance(done.exception, SystemExit)
    )
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "Nothing was imported." and len(lines) == 2
    assert expected in lines[0]


def test_hostile_json_gets_an_operation_outcome_from_the_api(world) -> None:
    episode = episode_from(world, dt.date(2022, 11, 1))
    http = HttpClient()
    http.force_login(world.alice)
    url = reverse("api:episode_import", kwargs={"episode_id": episode.pk})

    response = http.post(url, "[" * 100_000, content_type="application/fhir+json")

    assert response.status_code == 400
    (issue,) = response.json()["issue"]
    assert "more than 64 levels deep" in issue["diagnostics"]


def test_the_api_reports_notes_repeats_and_places_outside_only_when_asked(world) -> None:
    episode = episode_from(world, dt.date(2026, 1, 5))
    http = HttpClient()
    http.force_login(world.alice)
    url = reverse("api:episode_import", kwargs={"episode_id": episode.pk})
    body = fixture(USCORE_QR)

    refused = http.post(url, body, content_type="application/fhir+json")
    placed = http.post(url + "?allow_outside=1", body, content_type="application/fhir+json")
    again = http.post(url + "?allow_outside=1", body, content_type="application/fhir+json")
    odd = http.post(url + "?allow_outside=yes", body, content_type="application/fhir+json")

    assert refused.status_code == 400
    assert placed.status_code == 201 and placed.json()["warnings"]
    assert placed.json()["imported"][0]["sender_total"] == 12
    assert again.status_code == 201 and again.json()["imported"] == []
    assert len(again.json()["already_imported"]) == 1
    assert odd.status_code == 400


def test_the_client_page_marks_a_total_only_administration(world, tmp_path) -> None:
    episode = episode_from(world, dt.date(2022, 1, 1))
    cli(write(tmp_path, sample("uscore-Observation-PHQ9-item-example-44261-6.json")),
        "--episode", str(episode.pk))  # fmt: skip
    http = HttpClient()
    http.force_login(world.alice)

    page = http.get(reverse("clients:episode_detail", kwargs={"episode_id": episode.pk}))

    assert page.status_code == 200
    assert "Imported (total only, no item answers)" in page.content.decode()
