from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from holdspace.signals import Attendance, ClientSeries, Measurement, SignalConfig, evaluate

CASES = yaml.safe_load((Path(__file__).parent / "golden" / "signals.yaml").read_text())["cases"]
OPENED = date(2025, 1, 6)
BANNED = re.compile(r"resistan|non-?complian|fail|manipulat|unmotivated|drop-?out", re.IGNORECASE)


def on(session: int) -> date:
    return OPENED + timedelta(days=7 * (session - 1))


def series_for(case) -> tuple[ClientSeries, date]:
    measurements = []
    for row in case.get("measurements", []):
        instrument, session, total, *flag = row
        measurements.append(
            Measurement(
                instrument,
                session,
                on(session),
                None if total is None else float(total),
                has_risk=bool(flag),
                acknowledged=flag == ["risk_ack"],
            )
        )
    attendance = [Attendance(s, on(s), status) for s, status in case.get("attendance", [])]
    series = ClientSeries(OPENED, measurements, attendance, open=case.get("open", True))
    if "today_offset_days" in case:
        today = OPENED + timedelta(days=case["today_offset_days"])
    else:
        today = max([m.date for m in measurements] + [a.date for a in attendance] + [OPENED])
    return series, today


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden(case):
    series, today = series_for(case)
    signals = evaluate(series, today=today)
    assert [s.rule.id for s in signals] == case["expect"]
    for s in signals:
        data = s.to_dict()
        json.dumps(data)
        assert data["sentence"].endswith(".") and data["source"] and data["data_points"]
        assert not BANNED.search(s.sentence + s.title), s.sentence


def test_thresholds_are_configurable():
    case = next(c for c in CASES if c["name"] == "no_reliable_improvement_session_12_is_too_early")
    series, today = series_for(case)
    config = SignalConfig(thresholds={"not_on_track.no_reliable_improvement": {"by_session": 8}})
    assert [s.rule.id for s in evaluate(series, config=config, today=today)] == [
        "not_on_track.no_reliable_improvement"
    ]
    lenient = SignalConfig(reliable_change={"phq9": 8})
    rising = ClientSeries(
        OPENED, [Measurement("phq9", 1, on(1), 10), Measurement("phq9", 2, on(2), 16)]
    )
    assert evaluate(rising, today=on(2))[0].kind == "deterioration"
    assert evaluate(rising, config=lenient, today=on(2)) == []


def test_sentence_carries_the_numbers():
    series, today = series_for(next(c for c in CASES if c["name"] == "phq9_rise_exactly_reliable"))
    (signal,) = evaluate(series, today=today)
    assert "10" in signal.sentence and "16" in signal.sentence and "PHQ-9" in signal.sentence
    assert signal.title == "Getting worse — review now" and signal.severity == "urgent"
    assert signal.instrument_id == "phq9"


class Boundary:
    instrument_id = "phq9"
    n_episodes = 500
    direction = "higher_is_worse"

    def expected(self, intake, session):
        return intake - 1.0 * session

    def boundary(self, intake, session):
        return intake - 0.5 * session + 2


def test_expected_trajectory_used_when_enough_data():
    measurements = [Measurement("phq9", 1, on(1), 16), Measurement("phq9", 4, on(4), 17)]
    series = ClientSeries(OPENED, measurements)
    model = Boundary()
    config = SignalConfig(trajectories={"phq9": model})
    (signal,) = evaluate(series, config=config, today=on(4))
    assert signal.rule.id == "not_on_track.expected_trajectory"  # 17 > 16 - 2 + 2
    model.n_episodes = 10  # too few completed episodes: back to the default rule (silent here)
    assert evaluate(series, config=config, today=on(4)) == []


def test_synth_demo_caseload_shows_every_signal():
    import numpy as np

    from holdspace.synth import generate_episode, to_client_series

    rng = np.random.default_rng(7)
    kinds = set()
    plans = [
        dict(kind="deteriorating", risk_sessions=(2,), sessions=8),
        dict(kind="flat", sessions=14, alliance="rupture", missed_sessions=(12, 13)),
        dict(kind="improving", alliance="low", sessions=4),
    ]
    for plan in plans:
        episode = generate_episode(plan.pop("kind"), rng, **plan)
        kinds |= {s.kind for s in evaluate(to_client_series(episode), today=date(2025, 1, 1))}
    assert kinds == {
        "safety",
        "deterioration",
        "not_on_track",
        "alliance",
        "attendance",
        "measurement_gap",
    }
