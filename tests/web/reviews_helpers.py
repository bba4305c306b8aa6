"""Shared set-up for the review tests: an episode whose PHQ-9 data the test chooses."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from holdspace.web.accounts.models import User
from holdspace.web.clients import services
from holdspace.web.clients.models import Episode

# PHQ-9 at sessions 1, 4, 7, 10 and 13: 18 -> 15 is 3 points, short of the reliable
# change of 6 by session 13, so the default rule says "not on track" at session 13.
NOT_ON_TRACK = {1: 18, 4: 17, 7: 17, 10: 17, 13: 15}


def phq9_answers(total: int, *, risk: int = 0) -> list[int]:
    """Items 1-8 adding up to `total` (at most 24), item 9 = risk."""
    answers = []
    left = total
    for _ in range(8):
        answers.append(min(3, left))
        left -= answers[-1]
    assert left == 0, "total too high for items 1-8"
    return [*answers, risk]


def session_date(number: int, last: int, today: dt.date | None = None) -> dt.date:
    """Weekly sessions, the session numbered `last` two days ago."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=2 + 7 * (last - number))


def episode_with_scores(
    clinician: User,
    code: str,
    scores: dict[int, int],
    *,
    sessions: int,
    risk_at: int = 0,
    last: int | None = None,
) -> Episode:
    """Sessions 1..`sessions`, dated as if session `last` (default: the final one) is due."""
    last = last or sessions
    client = services.add_client(clinician, code)
    episode = services.open_episode(
        client,
        clinician,
        opened_on=session_date(1, last),
        plan=[services.PlanLine("phq9")],
    )
    for number in range(1, sessions + 1):
        add_scored_session(episode, clinician, number, scores.get(number), last, risk_at)
    return episode


def add_scored_session(
    episode: Episode,
    clinician: User,
    number: int,
    total: int | None,
    last: int,
    risk_at: int = 0,
) -> None:
    date = session_date(number, last)
    session = services.add_session(episode, clinician, date=date)
    assert session.number == number
    if total is None:
        return
    services.record_administration(
        episode,
        "phq9",
        phq9_answers(total, risk=1 if number == risk_at else 0),
        source="in_session",
        session=session,
        entered_by=clinician,
        completed_at=timezone.make_aware(dt.datetime.combine(date, dt.time(10))),
    )
