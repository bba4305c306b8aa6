"""The web app uses a fitted expected-trajectory model when one is in the data folder (or
named by HOLDSPACE_TRAJECTORY_MODEL): "not on track" follows method (b) and the client page's
chart shows the expected band."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from holdspace.charts import EXPECTED
from holdspace.trajectories import TrajectoryModel, save_model
from holdspace.web.clients import services
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


def _model_file(folder: Path, *, n_episodes: int = 500) -> Path:
    model = TrajectoryModel(
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
    path = folder / "trajectories.json"
    save_model(model, path)
    return path


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
    episode_url, tmp_path, monkeypatch
) -> None:
    url, browser = episode_url
    monkeypatch.setenv("HOLDSPACE_TRAJECTORY_MODEL", str(_model_file(tmp_path)))

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


def test_the_data_folder_model_is_found_and_too_small_a_model_is_not_used(
    episode_url, settings, tmp_path
) -> None:
    url, browser = episode_url
    settings.DATA_DIR = tmp_path
    _model_file(tmp_path, n_episodes=150)  # below the 200 episodes rules.yaml asks for

    html = browser.get(url).content.decode()

    assert services.trajectory_model_path() == tmp_path / "trajectories.json"
    assert EXPECTED not in _phq9_chart(html)
    assert "not_on_track.expected_trajectory" not in html


def test_a_broken_model_file_is_a_clear_configuration_error(tmp_path, monkeypatch) -> None:
    path = tmp_path / "model.json"
    path.write_text('{"instrument_id": "phq9", "direction": "up"}', encoding="utf-8")
    monkeypatch.setenv("HOLDSPACE_TRAJECTORY_MODEL", str(path))
    with pytest.raises(ImproperlyConfigured, match="'direction'"):
        services.signal_config_strict()
    assert "'direction'" in (services.trajectory_model_problem() or "")

    monkeypatch.setenv("HOLDSPACE_TRAJECTORY_MODEL", str(tmp_path / "missing.json"))
    with pytest.raises(ImproperlyConfigured, match="HOLDSPACE_TRAJECTORY_MODEL"):
        services.signal_config_strict()


def test_a_broken_model_never_hides_the_signals(tmp_path, monkeypatch, caplog) -> None:
    path = tmp_path / "model.json"
    path.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("HOLDSPACE_TRAJECTORY_MODEL", str(path))

    config = services.signal_config()

    assert config.trajectories == {}
    assert "Expected-trajectory model not used" in caplog.text


def test_the_caseload_says_when_the_model_cannot_be_read(
    tmp_path, monkeypatch, episode_url
) -> None:
    path = tmp_path / "model.json"
    path.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("HOLDSPACE_TRAJECTORY_MODEL", str(path))
    _, browser = episode_url

    html = browser.get("/").content.decode()

    assert "expected-trajectory model could not be read" in html
    assert "default rule" in html
