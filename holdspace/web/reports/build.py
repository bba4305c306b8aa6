"""What a progress report says: charts, plain-language change, the client's words, goals.

The client version is plain and warm; the clinician version adds signals, reviews and
adaptations. Charts come from the client page's own presenter, so the page, the report
and the PDF draw the very same SVG.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from holdspace.instruments import Instrument
from holdspace.web.clients.models import Client, Episode
from holdspace.web.clients.presenters import Chart, adaptation_labels, episode_page


@dataclass(frozen=True)
class Measure:
    chart: Chart
    plain_name: str
    reading_note: str
    story: str

    @property
    def instrument(self) -> Instrument:
        return self.chart.instrument


@dataclass(frozen=True)
class EpisodeReport:
    episode: Episode
    measures: list[Measure]
    notes: list[tuple[date, str]]
    goals: list[Any]
    signals: list[Any] = field(default_factory=list)
    reviews: list[Any] = field(default_factory=list)
    adaptations: list[Any] = field(default_factory=list)
    # What the charts' dashed lines mark, in words (labels the client may see).
    changes: list[tuple[int, str]] = field(default_factory=list)


def reading_note(instrument: Instrument) -> str:
    if instrument.kind == "alliance":
        return "Higher scores mean the work together feels more helpful and trusting."
    if instrument.direction == "higher_is_better":
        return "On this questionnaire, higher scores mean things are going better."
    return "On this questionnaire, lower scores mean fewer difficulties."


def story(instrument: Instrument, chart: Chart) -> str:
    """One or two warm sentences about the change so far, with the rule behind them."""
    rows = chart.rows
    if not rows:
        return "There are no complete scores for this questionnaire yet."
    first, last = rows[0], rows[-1]
    if len(rows) == 1:
        return (
            f"You have filled this in once so far ({first.date}), with a score of "
            f"{first.total:g}. Later check-ins will show how things change."
        )
    opening = (
        f"Your first score was {first.total:g} ({first.date}) and the most recent is "
        f"{last.total:g} ({last.date})."
    )
    return f"{opening} {_change_sentence(instrument, first.total, last.total)}"


def _change_sentence(instrument: Instrument, first: float, last: float) -> str:
    threshold = instrument.reliable_change.threshold
    if threshold is None:
        return (
            "For this questionnaire there is no published rule for how big a change must be "
            "to mean more than everyday ups and downs, so the pattern over time is the best "
            "guide; it is something to look at together."
        )
    better = (first - last) if instrument.direction == "higher_is_worse" else (last - first)
    size = abs(last - first)
    if better >= threshold:
        return (
            f"That is a change of {size:g} points towards things being easier: more than the "
            f"{threshold:g} points that everyday ups and downs can explain."
        )
    if -better >= threshold:
        return (
            f"Things have been harder lately: the score has moved {size:g} points the other "
            "way. That is important to know and worth talking about together. It tells us "
            "what to adjust in the work, not that you have done anything wrong."
        )
    return (
        f"So far the change is within everyday ups and downs (less than {threshold:g} "
        "points). Change often takes time, and it is rarely a straight line."
    )


def _measures(charts: list[Chart]) -> list[Measure]:
    return [
        Measure(
            chart=chart,
            plain_name=chart.instrument.plain_name,
            reading_note=reading_note(chart.instrument),
            story=story(chart.instrument, chart),
        )
        for chart in charts
    ]


def client_notes(episode: Episode) -> list[tuple[date, str]]:
    """What the client wrote in sent check-ins ("What I'd like you to know today")."""
    from holdspace.web.checkins.models import CheckinLink

    links = CheckinLink.objects.filter(episode=episode, used_at__isnull=False).exclude(
        client_note=""
    )
    return [
        (timezone.localdate(link.used_at), link.client_note)
        for link in links.order_by("used_at")
        if link.used_at is not None
    ]


def _clinician_extras(episode: Episode) -> dict[str, list[Any]]:
    from holdspace.web.reviews.models import Adaptation, StuckPointReview

    reviews = StuckPointReview.objects.filter(episode=episode).prefetch_related("adaptations")
    return {
        "reviews": list(reviews.order_by("opened_at", "pk")),
        "adaptations": list(Adaptation.objects.in_effect().filter(episode=episode)),
    }


def episode_report(episode: Episode, *, clinician: bool) -> EpisodeReport:
    page = episode_page(episode)
    extras = _clinician_extras(episode) if clinician else {}
    return EpisodeReport(
        episode=episode,
        measures=_measures(page["charts"]),
        notes=client_notes(episode),
        goals=list(episode.goals.all()),
        signals=page["signals"] if clinician else [],
        changes=adaptation_labels(episode),
        **extras,
    )


def report_context(
    client: Client, episodes: QuerySet[Episode], *, clinician: bool
) -> dict[str, Any]:
    chosen = episodes.filter(client=client).order_by("-opened_on", "-pk")
    return {
        "client": client,
        "clinician_version": clinician,
        "made_on": timezone.localdate(),
        "episodes": [episode_report(e, clinician=clinician) for e in chosen],
    }
