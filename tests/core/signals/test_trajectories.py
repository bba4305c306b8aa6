from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

from holdspace.analytics.analyze import scored_rows
from holdspace.cli import app
from holdspace.signals import ClientSeries, Measurement, SignalConfig, evaluate
from holdspace.synth import write_file
from holdspace.trajectories import Rows, Rule, TrajectoryModel, fit, quantile_regression

RULE = Rule(reliable_change=6, caseness=10, direction="higher_is_worse", by_session=13)


def test_quantile_regression_recovers_known_lines():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 2000)
    y = 2 + 3 * x + rng.uniform(-1, 1, 2000)  # median line 2 + 3x; 90th percentile 2.8 + 3x
    design = np.column_stack([np.ones_like(x), x])
    median = quantile_regression(design, y, 0.5)
    upper = quantile_regression(design, y, 0.9)
    assert median == pytest.approx([2, 3], abs=0.1)
    assert upper == pytest.approx([2.8, 3], abs=0.1)


@pytest.fixture(scope="module")
def caseload(tmp_path_factory):
    path = tmp_path_factory.mktemp("traj") / "caseload.parquet"
    write_file(path, 600, seed=3)
    return Rows(*scored_rows(path, "phq9")), path


def test_fit_gives_an_ordered_band(caseload):
    rows, _ = caseload
    model = fit(rows, instrument_id="phq9", direction="higher_is_worse", total_range=(0, 27))
    assert model.n_episodes > 500
    for intake in (10, 16, 22):
        for session in (3, 6, 10):
            low, high = model.band(intake, session)
            assert low <= model.expected(intake, session) <= high <= model.boundary(intake, session)
    # Expected scores fall with sessions for this mostly-improving caseload.
    assert model.expected(18, 10) < model.expected(18, 2)
    again = TrajectoryModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again.boundary(15, 5) == pytest.approx(model.boundary(15, 5))


def test_fitted_model_drives_the_signal(caseload):
    rows, _ = caseload
    model = fit(rows, instrument_id="phq9", direction="higher_is_worse", total_range=(0, 27))
    opened = date(2025, 1, 6)
    high = model.boundary(16, 4) + 1
    series = ClientSeries(
        opened,
        [Measurement("phq9", 1, opened, 16), Measurement("phq9", 4, opened + timedelta(21), high)],
    )
    signals = evaluate(series, config=SignalConfig(trajectories={"phq9": model}), today=opened)
    assert [s.rule.id for s in signals] == ["not_on_track.expected_trajectory"]
    assert signals[0].data_points[-1]["boundary"] == round(model.boundary(16, 4), 1)


def test_evaluate_cli_reports_both_methods(caseload):
    _, path = caseload
    result = CliRunner().invoke(app, ["trajectories", "evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["expected_trajectory_used"] is True
    methods = {m["method"]: m for m in report["methods"]}
    assert set(methods) == {"default_rule", "expected_trajectory"}
    for m in methods.values():
        assert 0 <= m["flagged_of_those"] <= m["ended_deteriorated_or_unimproved"]
        assert 0 <= m["flagged_recovered"] <= m["ended_recovered"]
        assert m["episodes"] == report["episodes"]


def test_too_few_episodes_keeps_the_default_rule(tmp_path):
    path = tmp_path / "small.csv"
    write_file(path, 100, seed=1)
    result = CliRunner().invoke(app, ["trajectories", "evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["expected_trajectory_used"] is False
    assert [m["method"] for m in report["methods"]] == ["default_rule"]


def test_fit_cli_writes_model(caseload, tmp_path):
    _, path = caseload
    out = tmp_path / "model.json"
    result = CliRunner().invoke(app, ["trajectories", "fit", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "completed episodes" in result.output
    assert TrajectoryModel.from_dict(json.loads(out.read_text())).instrument_id == "phq9"


def test_default_rule_flags_on_hand_made_rows():
    # Episode 0: 16, 17, 23, 20 -> reliably worse at session 3 (flagged at 3, ends unimproved).
    # Episode 1: 16, 12, 9, 5 -> never flagged, ends recovered.
    from holdspace.trajectories import first_flags, outcomes

    rows = Rows(
        np.array([0, 0, 0, 0, 1, 1, 1, 1]),
        np.array([1, 2, 3, 4, 1, 2, 3, 4]),
        np.array([16, 17, 23, 20, 16, 12, 9, 5], dtype=float),
    )
    flags = first_flags(rows, RULE, None)["default_rule"]
    assert flags[0] == 3 and np.isinf(flags[1])
    ends = outcomes(rows, RULE)
    assert ends["unimproved"].tolist() == [True, False]
    assert ends["recovered"].tolist() == [False, True]


def test_default_rule_skips_no_improvement_in_the_normal_range():
    # Same rule as holdspace.signals (golden no_reliable_improvement_but_latest_below_caseness):
    # episode 0 is 8, 8, 7, 7 up to session 14 (below PHQ-9 caseness 10: not flagged);
    # episode 1 is 12, 12, 11, 11 (still at caseness at session 13: flagged at 13).
    from holdspace.trajectories import first_flags

    rows = Rows(
        np.array([0, 0, 0, 0, 1, 1, 1, 1]),
        np.array([1, 5, 13, 14, 1, 5, 13, 14]),
        np.array([8, 8, 7, 7, 12, 12, 11, 11], dtype=float),
    )
    flags = first_flags(rows, RULE, None)["default_rule"]
    assert np.isinf(flags[0]) and flags[1] == 13


def test_a_saved_model_loads_back_with_its_quantiles_size_and_date(caseload, tmp_path):
    from holdspace.trajectories import load_model, save_model

    rows, _ = caseload
    model = fit(
        rows,
        instrument_id="phq9",
        direction="higher_is_worse",
        total_range=(0, 27),
        fitted_on=date(2026, 11, 2),
    )
    path = tmp_path / "trajectories.json"
    save_model(model, path)

    saved = json.loads(path.read_text())
    assert saved["quantiles"] == {"0.25": 0.25, "0.5": 0.5, "0.75": 0.75, "boundary": 0.9}
    assert saved["n_episodes"] == model.n_episodes and saved["fitted_on"] == "2026-11-02"
    assert set(saved["coefficients"]) == {"0.25", "0.5", "0.75", "boundary"}
    again = load_model(path)
    assert again == model
    assert again.band(16, 6) == model.band(16, 6)


def test_a_higher_is_better_model_records_the_mirrored_boundary_quantile(caseload):
    rows, _ = caseload
    model = fit(
        rows, instrument_id="who5", direction="higher_is_better", total_range=(0, 25), band=False
    )
    assert model.quantiles == {"boundary": pytest.approx(0.1)}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("not json", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"instrument_id": "phq9"}', "'direction' is missing"),
        (
            '{"instrument_id": "phq9", "direction": "sideways"}',
            "'direction' is not valid",
        ),
    ],
)
def test_a_bad_model_file_names_the_file_and_the_field(tmp_path, text, named):
    from holdspace.trajectories import load_model

    path = tmp_path / "model.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=named) as caught:
        load_model(path)
    assert "model.json" in str(caught.value)


def test_bad_coefficients_are_named(tmp_path):
    from holdspace.trajectories import load_model

    path = tmp_path / "model.json"
    data = {
        "instrument_id": "phq9",
        "direction": "higher_is_worse",
        "n_episodes": 300,
        "n_rows": 3000,
        "boundary_quantile": 0.9,
        "coefficients": {"0.5": [1, 2, 3, 4]},  # no boundary
        "total_min": 0,
        "total_max": 27,
    }
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="'coefficients' is not valid"):
        load_model(path)


def test_the_demo_model_is_big_enough_to_be_used():
    from holdspace.demo import demo_trajectory_model

    model = demo_trajectory_model(episodes=400, seed=1, fitted_on=date(2026, 1, 1))
    config = SignalConfig(trajectories={"phq9": model})
    assert model.n_episodes >= config.value("not_on_track.expected_trajectory", "min_episodes")
    assert config.trajectory("phq9") is model
    assert model.fitted_on == "2026-01-01"


def test_the_demo_not_on_track_clients_show_under_the_demo_model():
    from holdspace.demo import demo_caseload, demo_trajectory_model
    from holdspace.instruments import score

    model = demo_trajectory_model()
    config = SignalConfig(trajectories={"phq9": model})
    today = date(2026, 11, 27)
    stories = [c for c in demo_caseload(today, clients=10) if c.story == "not_on_track"]
    assert stories
    for client in stories:
        measurements = [
            Measurement(m.instrument_id, s.number, s.date, score(m.instrument_id, m.answers).total)
            for s in client.sessions
            for m in s.measures
        ]
        signals = evaluate(ClientSeries(client.opened_on, measurements), config=config, today=today)
        assert "not_on_track.expected_trajectory" in {s.rule.id for s in signals}, client.code
