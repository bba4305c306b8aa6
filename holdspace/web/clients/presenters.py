"""What the client page shows for one episode: signals, charts with data tables, sessions.

Reads only; a fixed number of queries whatever the length of the episode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from holdspace.charts import trajectory_svg
from holdspace.instruments import Instrument, UnknownInstrumentError, get_instrument
from holdspace.signals import SignalConfig
from holdspace.web.clients import services
from holdspace.web.clients.models import Administration, Episode, Session
from holdspace.web.reviews.models import Adaptation


@dataclass(frozen=True)
class Row:
    session_number: int
    date: str
    total: float
    band: str
    source: str


@dataclass(frozen=True)
class Chart:
    instrument: Instrument
    svg: str
    rows: list[Row]
    rc_note: str


def episode_page(episode: Episode) -> dict[str, Any]:
    data = services.episode_data(episode)
    episode = data.episode
    administrations = list(
        episode.administrations.select_related("session")
        .annotate(acknowledged=services.acknowledged_annotation())
        .order_by("completed_at", "pk")
    )
    sessions = list(episode.sessions.order_by("number"))
    plan = list(episode.plan_items.order_by("pk"))
    annotations = adaptation_annotations(episode)
    next_number = (sessions[-1].number + 1) if sessions else 1
    current = sessions[-1].number if sessions else next_number
    config = services.signal_config()
    return {
        "episode": episode,
        "client": episode.client,
        "signals": services.signals_for(data, config=config),
        "unacknowledged": [
            (a, _name(a.instrument_id))
            for a in administrations
            if a.has_risk and not getattr(a, "acknowledged", False)
        ],
        "charts": _charts(data.plan, administrations, sessions, annotations, config),
        "sessions": sessions,
        "plan": [(item, _name(item.instrument_id)) for item in plan],
        "due_now": [
            (i.instrument_id, _name(i.instrument_id)) for i in services.plan_due(plan, current)
        ],
        "current_session": current,
        "next_session": next_number,
        "direction": services.direction_of_change(data),
        "administrations": list(reversed(administrations)),
        "adaptations": annotations,
        "other_episodes": list(
            episode.client.episodes.exclude(pk=episode.pk).order_by("-opened_on", "-pk")
        ),
        "notes": None,  # the notes partial loads its own list when given None
    }


def _name(instrument_id: str) -> str:
    try:
        return get_instrument(instrument_id).name
    except UnknownInstrumentError:
        return instrument_id


def _charts(
    plan: list[str],
    administrations: Sequence[Administration],
    sessions: list[Session],
    annotations: list[tuple[int, str]],
    config: SignalConfig,
) -> list[Chart]:
    order = list(plan)
    order += sorted({a.instrument_id for a in administrations} - set(order))
    charts = []
    for instrument_id in order:
        measured = [a for a in administrations if a.instrument_id == instrument_id]
        if not measured:
            continue
        try:
            instrument = get_instrument(instrument_id)
        except UnknownInstrumentError:
            continue  # a local definition that was removed; its rows stay in the table below
        charts.append(_chart(instrument, measured, sessions, annotations, config))
    return charts


def _chart(
    instrument: Instrument,
    measured: list[Administration],
    sessions: list[Session],
    annotations: list[tuple[int, str]],
    config: SignalConfig,
) -> Chart:
    rows = [
        Row(
            session_number=services.session_number_for(a, sessions),
            date=f"{timezone.localdate(a.completed_at):%d %b %Y}",
            total=a.total,
            band=a.band,
            source=a.source_label,
        )
        for a in measured
        if a.total is not None
    ]
    rc_band, rc_note = _rc_band(instrument, rows)
    expected, expected_note = _expected_band(instrument, rows, config)
    title = f"{instrument.name}" + (" (alliance)" if instrument.kind == "alliance" else "")
    svg = trajectory_svg(
        [(r.session_number, r.total) for r in rows],
        instrument=instrument,
        bands=instrument.bands,
        rc_band=rc_band,
        annotations=annotations,
        expected=expected,
        title=title,
    )
    note = f"{rc_note} {expected_note}".strip()
    return Chart(instrument=instrument, svg=svg, rows=rows, rc_note=note)


def _expected_band(
    instrument: Instrument, rows: list[Row], config: SignalConfig
) -> tuple[list[tuple[int, float, float]] | None, str]:
    """The service's expected band (25th-75th percentile) for clients who started at this
    intake score, at each session so far; only when the model is in use for signals."""
    model = config.trajectory(instrument.id)
    if model is None or not rows:
        return None, ""
    first = min(rows, key=lambda r: r.session_number)
    last_session = max(max(r.session_number for r in rows), first.session_number + 1)
    band = [
        (session, *model.band(first.total, session))
        for session in range(first.session_number, last_session + 1)
    ]
    fitted = getattr(model, "fitted_on", "")
    note = (
        f"Green band: where the middle half of this service's clients who started near "
        f"{first.total:g} were at each session (expected trajectory fitted on "
        f"{model.n_episodes} completed episodes{f' on {fitted}' if fitted else ''})."
    )
    return band, note


def _rc_band(instrument: Instrument, rows: list[Row]) -> tuple[tuple[float, float] | None, str]:
    """Totals within reliable change of the intake score: movement inside is noise."""
    threshold = instrument.reliable_change.threshold
    if not rows:
        return None, ""
    if threshold is None:
        return (
            None,
            f"No published reliable-change threshold ({instrument.reliable_change.source}).",
        )
    intake = rows[0].total
    low = max(instrument.total_min, intake - threshold)
    high = min(instrument.total_max, intake + threshold)
    note = (
        f"Shaded: within {threshold:g} points of the first score ({intake:g}), "
        f"the reliable-change threshold ({instrument.reliable_change.source})."
    )
    return (low, high), note


def adaptation_annotations(episode: Episode) -> list[tuple[int, str]]:
    """Adaptations recorded after stuck-point reviews, as (session, short label)."""
    found = (
        Adaptation.objects.in_effect().filter(episode=episode).order_by("starts_on_session", "pk")
    )
    return [(a.starts_on_session, _short(a.title)) for a in found]


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
