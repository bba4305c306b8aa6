"""A small, seeded, synthetic caseload for the demo and the benchmarks (no Django here).

Every client follows a story chosen so that, between them, the caseload shows every
signal kind: a safety answer, getting worse, not yet helped, a strained alliance,
attendance that changed, and a measurement gap, beside clients who are improving. The
trajectories come from `holdspace.synth`; answers are generated to reach its totals and
then scored by the core. Nothing here describes a real person.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import numpy as np

from holdspace import synth
from holdspace.instruments import Instrument, UnknownInstrumentError, get_instrument
from holdspace.synth import Alliance, Kind
from holdspace.trajectories import Rows, TrajectoryModel, fit


@dataclass(frozen=True)
class DemoMeasure:
    instrument_id: str
    answers: tuple[int | str | None, ...]


@dataclass(frozen=True)
class DemoSession:
    number: int
    date: dt.date
    status: str
    measures: tuple[DemoMeasure, ...]


@dataclass(frozen=True)
class DemoClient:
    code: str
    story: str  # which signal this client is meant to show ("improving" shows none)
    opened_on: dt.date
    sessions: tuple[DemoSession, ...]


@dataclass(frozen=True)
class Story:
    """How `holdspace.synth` should generate one client's episode."""

    name: str
    kind: Kind
    sessions: int
    alliance: Alliance = "good"
    risk_sessions: tuple[int, ...] = ()
    missed_sessions: tuple[int, ...] = ()
    weeks_since_last: int = 1  # a measurement gap is a long time since the last session
    # A PHQ-9 rise of at least this many points, short of reliable deterioration: "not yet
    # helped" that shows under both not-on-track methods (no reliable improvement by session
    # 13, and past the demo model's review line, which a flat course stays inside).
    rise: float | None = None


STORIES: tuple[Story, ...] = (
    Story("improving", "improving", 8),
    Story("safety", "improving", 5, risk_sessions=(5,)),
    Story("deterioration", "deteriorating", 7),
    Story("not_on_track", "deteriorating", 14, rise=4),
    Story("alliance", "improving", 7, alliance="low"),
    Story("attendance", "improving", 10, missed_sessions=(7, 8, 9, 10)),
    Story("gap", "improving", 4, weeks_since_last=9),
    Story("sudden_gain", "sudden_gain", 9),
)


def demo_caseload(today: dt.date, *, clients: int = 10, seed: int = 7) -> list[DemoClient]:
    """`clients` synthetic clients; the first len(STORIES) cover every story once."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    out = []
    for i in range(clients):
        story = STORIES[i] if i < len(STORIES) else rng.choice(STORIES)
        out.append(_client(f"DEMO-{i + 1:03d}", story, today, rng, np_rng))
    return out


def demo_trajectory_model(
    *, episodes: int = 2000, seed: int = 0, fitted_on: dt.date | None = None
) -> TrajectoryModel:
    """A PHQ-9 expected-trajectory model fitted on `episodes` synthetic episodes
    (`holdspace.synth`), enough for method (b) of "not on track", so the demo's client pages
    show the expected band. A real service fits its own (`holdspace trajectories fit`)."""
    from holdspace.change import instrument_thresholds
    from holdspace.signals import SignalConfig

    columns = synth.generate_arrays(episodes, seed=seed)
    keep = (columns["instrument"] == 0) & ~np.isnan(columns["total"])  # 0 = PHQ-9
    # Rows come out grouped by episode and ordered by session; number episodes 0..E-1.
    codes = np.unique(columns["episode"][keep], return_inverse=True)[1].astype(np.int64)
    rows = Rows(codes, columns["session_number"][keep].astype(np.int64), columns["total"][keep])
    info = instrument_thresholds("phq9")
    return fit(
        rows,
        instrument_id="phq9",
        direction=info.direction,
        total_range=(info.total_min, info.total_max),
        boundary_quantile=SignalConfig().value(
            "not_on_track.expected_trajectory", "boundary_quantile"
        ),
        fitted_on=fitted_on,
    )


def _client(
    code: str, story: Story, today: dt.date, rng: random.Random, np_rng: np.random.Generator
) -> DemoClient:
    last = today - dt.timedelta(weeks=story.weeks_since_last)
    first = last - dt.timedelta(weeks=story.sessions - 1)
    episode = _generate(story, first, np_rng)
    sessions = []
    for visit in episode.attendance:
        found = [m for m in episode.measurements if m.session_number == visit.session_number]
        measures = [_measure(m.instrument, m.total, m.has_risk, rng) for m in found]
        phq9 = next((m.total for m in found if m.instrument == "phq9"), None)
        if phq9 is not None and (visit.session_number - 1) % 4 == 0 and _known("pcl5"):
            # PCL-5 every fourth session (the default plan); synth has no PCL-5, so it
            # follows the PHQ-9 on the PCL-5's larger scale.
            measures.append(_measure("pcl5", phq9 * 80 / 27 * 0.8, False, rng))
        sessions.append(
            DemoSession(
                visit.session_number,
                visit.date,
                visit.status,
                tuple(m for m in measures if m is not None),
            )
        )
    return DemoClient(code, story.name, first - dt.timedelta(days=7), tuple(sessions))


def _generate(story: Story, first: dt.date, np_rng: np.random.Generator) -> synth.SynthEpisode:
    """A synth episode that shows its story; synth's noise can hide a small change."""
    for _ in range(100):
        episode = synth.generate_episode(
            story.kind,
            np_rng,
            opened=first,
            sessions=story.sessions,
            alliance=story.alliance,
            risk_sessions=story.risk_sessions,
            missed_sessions=story.missed_sessions,
        )
        if _shows(story, episode):
            break
    return episode


def _shows(story: Story, episode: synth.SynthEpisode) -> bool:
    """Deterioration must be reliable, flat must stay short of reliable improvement, and a
    rise must stay short of reliable deterioration."""
    totals = [
        m.total for m in episode.measurements if m.instrument == "phq9" and m.total is not None
    ]
    threshold = get_instrument("phq9").reliable_change.threshold
    if len(totals) < 2 or threshold is None:
        return True
    change = totals[-1] - totals[0]
    if story.rise is not None:
        return story.rise <= change < threshold
    if story.kind == "deteriorating":
        return change >= threshold
    if story.kind == "flat":
        return -threshold < change < threshold
    return True


def _measure(
    instrument_id: str, total: float | None, risk: bool, rng: random.Random
) -> DemoMeasure | None:
    if total is None or not _known(instrument_id):
        return None
    instrument = get_instrument(instrument_id)
    return DemoMeasure(instrument_id, answers_for(instrument, total, rng, risk=risk))


def _known(instrument_id: str) -> bool:
    try:
        get_instrument(instrument_id)
    except UnknownInstrumentError:  # missing from this install: left out of the demo
        return False
    return True


def answers_for(
    instrument: Instrument, target: float, rng: random.Random, *, risk: bool = False
) -> tuple[int, ...]:
    """Answers whose plain sum is close to `target`, spread at random over the items.

    Risk items stay at their lowest value unless `risk`, when they take the next value
    up (the lowest answer that raises a risk flag).
    """
    lows = [min(o.value for o in item.options) for item in instrument.items]
    highs = [max(o.value for o in item.options) for item in instrument.items]
    risky = {i for i, item in enumerate(instrument.items) if item.id in instrument.risk_items}
    values = list(lows)
    for i in risky:
        values[i] = lows[i] + 1 if risk else lows[i]
    remaining = round(target) - sum(values)
    order = [i for i in range(len(values)) if i not in risky]
    while remaining > 0 and any(values[i] < highs[i] for i in order):
        rng.shuffle(order)
        for i in order:
            if remaining <= 0:
                break
            if values[i] < highs[i]:
                values[i] += 1
                remaining -= 1
    return tuple(values)


# --- the showcase: one not-on-track client's whole course through the product -----------
# Words a clinician, a supervisor and a client might write; all invented. The web layer
# (holdspace/web/showcase.py) writes them through the apps' services.

SHOWCASE_STORY = "not_on_track"
DEMO_ADMIN = "demo-admin"


def story_code(story: str) -> str:
    """The demo code of the first client built for `story` (STORIES order)."""
    names = [s.name for s in STORIES]
    if story not in names:
        raise ValueError(f"story: {story!r} is not one of {', '.join(names)}")
    return f"DEMO-{names.index(story) + 1:03d}"


@dataclass(frozen=True)
class DemoPattern:
    name: str
    glossary_key: str
    fields: dict[str, str]  # the PTMF prompts, holdspace.reviews.patterns.PATTERN_FIELDS


SHOWCASE_PATTERNS: tuple[DemoPattern, ...] = (
    DemoPattern(
        "Going quiet when a topic gets close",
        "freeze",
        {
            "looks_like": "Answers get shorter, eyes go to the window, 'I don't know' a lot.",
            "protects": "Keeps painful memories at a distance until it feels safe to look at them.",
            "origin": "In her words: 'At home, saying nothing was the safest thing to do.'",
            "triggers": "Questions about family; being asked to describe feelings in detail.",
            "costs_now": "She leaves sessions feeling unheard and the work stalls.",
            "helps_soften": "Slowing down, naming the pause without pressure, offering a choice.",
            "strengths": "Careful and observant; notices shifts in other people quickly.",
        },
    ),
    DemoPattern(
        "Keeping the peace",
        "fawn",
        {
            "looks_like": "Agrees with every suggestion, then homework is not done.",
            "protects": "Avoids disappointing people she depends on.",
            "origin": "",
            "triggers": "Feeling that she might let someone down.",
            "costs_now": "Plans that do not fit her are agreed to and then set aside.",
            "helps_soften": "Asking what would not work; offering two options, not one.",
            "strengths": "Warm, attentive to others, keeps relationships going.",
        },
    ),
)
# The first pattern was seen in this session, counted back from the last one (0 = last).
SHOWCASE_SIGHTING_SESSIONS_BACK = 1
SHOWCASE_SIGHTING_NOTE = (
    "Went quiet when we touched on her brother; we paused and she chose to continue."
)

# Hypotheses on the not-on-track cards (holdspace/reviews/cards): one fits, one is open.
SHOWCASE_MARKS = {
    "not_on_track.fit_and_pace": "fits",
    "not_on_track.alliance": "unsure",
    "not_on_track.practical_barriers": "does_not_fit",
}
SHOWCASE_PLAN = (
    "Slow the pace: one topic per session, a grounding check at the start and the end. "
    "Ask at the end of each session how the pace felt. Look again after four sessions."
)
SHOWCASE_COMMENT = (
    "The pacing hypothesis fits what you described in supervision. Worth asking her directly "
    "whether the earlier sessions felt too fast; her answer can guide the next step."
)
# The adaptation begins this many sessions before the last one, so enough scores follow it
# (holdspace.reviews.DEFAULT_MIN_SESSIONS_AFTER) for the before/after comparison to show.
SHOWCASE_ADAPTATION_SESSIONS_BACK = 3
SHOWCASE_ADAPTATION_KIND = "pace"
# Short enough for the client chart's label (whole, not cut off with "…").
SHOWCASE_ADAPTATION = "One topic per session"


@dataclass(frozen=True)
class DemoNote:
    sessions_back: int  # counted back from the last session (0 = last)
    text: str
    keep: str = ""  # a lint rule whose flagged words the clinician chose to keep


SHOWCASE_NOTES: tuple[DemoNote, ...] = (
    DemoNote(
        5,
        "Her previous therapist described her as resistant; she asked that the word be in "
        "the record so we remember why trust takes time here.",
        keep="resistant",
    ),
    DemoNote(
        3,
        "Agreed to slow the pace. We used the grounding exercise at the start and the end; "
        "she said the session felt more manageable.",
    ),
    DemoNote(
        0,
        "Talked about her week at work. She noticed going quiet when her brother came up and "
        "named it herself. Scores are still high; we will keep the slower pace.",
    ),
)
SHOWCASE_CLIENT_WORDS = (
    "The slower sessions help. I still feel low most days, but I can say more than before."
)
# The showcase client's safety plan, made together in session (invented words; the steps
# are those of holdspace/safetyplan/steps.yaml).
SHOWCASE_SAFETY_PLAN: dict[str, str] = {
    "warning_signs": "Not answering messages for a whole day. Staying in bed after noon.",
    "on_my_own": "Walk to the canal and back. Put on the radio. A hot shower.",
    "people_places": "The Saturday walking group. The library on Elm Street.",
    "ask_for_help": "My sister Ana. My neighbour Joe, who checks in on Sundays.",
    "professionals": "My therapist during clinic hours. The crisis line below at any time.",
    "safer_surroundings": "Tablets kept at my sister's; I collect one week at a time.",
    "what_matters": "My niece's birthday in March. Getting back to drawing.",
}
SHOWCASE_SPACE_NAME = "Sam"
SHOWCASE_GOALS: tuple[str, ...] = (
    "Sleep through the night on most nights",
    "Go back to the Saturday walking group",
    "Be able to talk about my family without shutting down",
)
