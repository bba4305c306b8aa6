"""The web app uses the fitted expected-trajectory model installed in its database (a row, so
every process and machine on the database uses the same one): "not on track" follows method (b)
and the client page's chart shows the expected band."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from holdspace.charts import EXPECTED
from holdspace.cli import app
from holdspace.trajectories import TrajectoryModel, save_model
from holdspace.web.clients import services
from holdspace.web.clients.models import FittedTrajectoryModel
from tests.web.personas import World

pytestmark = pytest.mark.django_db

# Hand-made coefficients on (1, intake, log session, intake * log session): the median falls
# 2 points per unit of log session from the intake, the band is 3 points either side, and the
# review line is 3 points above the intake at every session.
COEFFICIENTS = {
    "0.25": (-3.0, 1.0, -2.0, 0.0),
    "0.5": (0.0, 1.0, -2.0, 0.0),
    "0.75": (3.0, 1.0, -2.0, 0.0),
    "boundary": (3.0, 1.0, 0.0, 0.0),
}
# PHQ-9 answers (item 9 = 0, no risk) with totals 10, 12, 14: a rise of 4, short of the reliable
# change of 6, so method (a) stays quiet at session 3 while 14 is past the review line of 13.
ANSWERS = ([2, 2, 2, 2, 2, 0, 0, 0, 0], [2, 2, 2, 2, 2, 2, 0, 0, 0], [2, 2, 2, 2, 2, 2, 2, 0, 0])


def _model(*, n_episodes: int = 500) -> TrajectoryModel:
    return TrajectoryModel(
        instrument_id="phq9",
        direction="higher_is_worse",
        n_episodes=n_episodes,
        n_rows=4000,
        boundary_quantile=0.9,
        coefficients=COEFFICIENTS,
        total_min=0.0,
        total_max=27.0,
        fitted_on="2026-11-01",
    )


@pytest.fixture
def episode_url() -> tuple[str, Client]:
    world = World.create()
    episode = services.open_episode(
        services.add_client(world.alice, "TRAJ-1"), world.alice, opened_on=dt.date(2026, 1, 5)
    )
    for week, answers in enumerate(ANSWERS):
        session = services.add_session(
            episode, world.alice, date=dt.date(2026, 1, 6) + dt.timedelta(weeks=week)
        )
        services.record_administration(
            episode, "phq9", answers, source="in_session", session=session, entered_by=world.alice
        )
    browser = Client()
    browser.force_login(world.alice)
    return reverse("clients:episode_detail", args=[episode.pk]), browser


def _phq9_chart(html: str) -> str:
    found = re.search(r'<svg role="img" aria-label="[^"]*PHQ-9[^"]*".*?</svg>', html, re.S)
    assert found is not None, "no PHQ-9 chart on the page"
    return found.group(0)


def test_with_a_model_the_chart_shows_the_band_and_the_signal_cites_the_trajectory_rule(
    episode_url,
) -> None:
    url, browser = episode_url
    services.install_trajectory_model(_model())

    html = browser.get(url).content.decode()

    chart = _phq9_chart(html)
    assert "Expected" in chart and EXPECTED in chart  # the band's legend entry and its fill
    assert "Green band" in html and "500 completed episodes" in html
    assert "not_on_track.expected_trajectory" in html
    assert "past the review line of 13" in html


def test_without_a_model_the_default_rule_applies_and_no_band_is_drawn(episode_url) -> None:
    url, browser = episode_url

    html = browser.get(url).content.decode()

    assert EXPECTED not in _phq9_chart(html)
    assert "not_on_track.expected_trajectory" not in html


def test_too_small_a_model_is_not_used(episode_url) -> None:
    url, browser = episode_url
    services.install_trajectory_model(_model(n_episodes=150))  # rules.yaml asks for 200

    html = browser.get(url).content.decode()

    assert EXPECTED not in _phq9_chart(html)
    assert "not_on_track.expected_trajectory" not in html


def test_a_file_in_the_data_folder_is_not_read(episode_url, settings, tmp_path) -> None:
    # The model is shared state: a file beside one process would make processes disagree.
    url, browser = episode_url
    settings.DATA_DIR = tmp_path
    save_model(_model(), tmp_path / "trajectories.json")

    assert EXPECTED not in _phq9_chart(browser.get(url).content.decode())


def test_install_replaces_the_row_for_its_instrument_and_every_reader_sees_it() -> None:
    assert services.install_trajectory_model(_model(n_episodes=300)) is False
    before = services.signal_config().trajectories["phq9"]
    assert services.install_trajectory_model(_model(n_episodes=900)) is True

    assert FittedTrajectoryModel.objects.count() == 1
    assert before.n_episodes == 300
    assert services.signal_config().trajectories["phq9"].n_episodes == 900


def test_the_install_command_stores_a_fitted_file_and_names_a_broken_one(tmp_path) -> None:
    good = tmp_path / "model.json"
    save_model(_model(), good)
    broken = tmp_path / "broken.json"
    broken.write_text('{"instrument_id": "phq9", "direction": "up"}', encoding="utf-8")

    done = CliRunner().invoke(app, ["trajectories", "install", str(good)])
    refused = CliRunner().invoke(app, ["trajectories", "install", str(broken)])

    assert done.exit_code == 0, done.output
    assert "installed the phq9 model (500 completed episodes" in done.output
    assert FittedTrajectoryModel.objects.get().source == "model.json"
    assert refused.exit_code == 2 and "'direction'" in refused.output
    assert services.signal_config().trajectories["phq9"].n_episodes == 500


def _break_the_row() -> None:
    # As a row edited by hand or left by an older version might be.
    FittedTrajectoryModel.objects.create(
        instrument_id="phq9", model={"instrument_id": "phq9", "direction": "up"}
    )


def test_a_broken_model_row_is_a_clear_configuration_error() -> None:
    _break_the_row()
    with pytest.raises(ImproperlyConfigured, match="'direction'"):
        services.signal_config_strict()
    assert "'direction'" in (services.trajectory_model_problem() or "")


def test_a_broken_model_never_hides_the_signals(caplog) -> None:
    _break_the_row()

    config = services.signal_config()

    assert config.trajectories == {}
    assert "Expected-trajectory model not used" in caplog.text


def test_the_caseload_says_when_the_model_cannot_be_read(episode_url) -> None:
    _break_the_row()
    _, browser = episode_url

    html = browser.get("/").content.decode()

    assert "expected-trajectory model could not be read" in html
    assert "default rule" in html
