"""What the client page shows for one episode: signals, charts with data tables, sessions.

Reads only; a fixed number of queries whatever the length of the episode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from holdspace.charts import trajectory_svg
from holdspace.instruments import SKIP, Instrument, UnknownInstrumentError, get_instrument
from holdspace.signals import SignalConfig
from holdspace.web.clients import services
from holdspace.web.clients.models import Administration, Episode, EpisodeStatus, PlanItem, Session
from holdspace.web.reviews.models import Adaptation
from holdspace.web.wording.checks import client_text


@dataclass(frozen=True)
class Row:
    session_number: int
    date: str
    total: float
    band: str
    source: str
    pk: int = 0


@dataclass(frozen=True)
class NoTotalRow:
    """An administration without a total: still shown, with why (never left out)."""

    session_number: int
    date: str
    source: str
    pk: int
    reason: str
    skipped: list[str]
    total: None = None
    band: str = ""


@dataclass(frozen=True)
class Chart:
    instrument: Instrument
    svg: str
    rows: list[Row]
    rc_note: str
    # Every administration in order, with or without a total: the table under the chart.
    table: list[Row | NoTotalRow] = field(default_factory=list)


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
        # A risk answer stays at the top even when a correction superseded its administration.
        "unacknowledged": [
            (a, _name(a.instrument_id))
            for a in Administration.with_history.filter(episode=episode, has_risk=True)
            .annotate(acknowledged=services.acknowledged_annotation())
            .filter(acknowledged=False)
            .select_related("session")
            .order_by("completed_at", "pk")
        ],
        "charts": _charts(data.plan, administrations, sessions, annotations, config),
        "sessions": sessions,
        "plan": [(item, _name(item.instrument_id)) for item in plan],
        "due_now": due_now(episode, plan, sessions, administrations),
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


def due_now(
    episode: Episode,
    plan: list[PlanItem],
    sessions: list[Session],
    administrations: Sequence[Administration],
) -> list[tuple[str, str]]:
    """What the plan asks for at the latest session and is not yet recorded for it; nothing
    on a closed episode."""
    if episode.status != EpisodeStatus.OPEN:
        return []
    latest = sessions[-1] if sessions else None
    recorded = {a.instrument_id for a in administrations if latest and a.session_id == latest.pk}
    return [
        (i.instrument_id, _name(i.instrument_id))
        for i in services.plan_due(plan, latest.number if latest else 1)
        if i.instrument_id not in recorded
    ]


def _known(instrument_id: str) -> Instrument | None:
    """The definition, or None where it is no longer installed (old rows stay readable)."""
    try:
        return get_instrument(instrument_id)
    except UnknownInstrumentError:
        return None


def _name(instrument_id: str) -> str:
    instrument = _known(instrument_id)
    return instrument.name if instrument is not None else instrument_id


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
        instrument = _known(instrument_id)
        if instrument is None:
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
    table = [_row(instrument, a, sessions) for a in measured]
    rows = [r for r in table if isinstance(r, Row)]
    rc_band, rc_note = _rc_band(instrument, rows)
    expected, expected_note = _expected_band(instrument, rows, config)
    title = f"{instrument.name}" + (" (alliance)" if instrument.kind == "alliance" else "")
    svg = trajectory_svg(
        # A questionnaire with no total is still drawn: an open marker at its session.
        [(r.session_number, r.total) for r in table],
        instrument=instrument,
        bands=instrument.bands,
        rc_band=rc_band,
        annotations=annotations,
        expected=expected,
        title=title,
    )
    note = f"{rc_note} {expected_note}".strip()
    return Chart(instrument=instrument, svg=svg, rows=rows, rc_note=note, table=table)


def _row(instrument: Instrument, a: Administration, sessions: list[Session]) -> Row | NoTotalRow:
    number = services.session_number_for(a, sessions)
    date = f"{timezone.localdate(a.completed_at):%d %b %Y}"
    if a.total is not None:
        return Row(number, date, a.total, a.band, a.source_label, a.pk)
    declined = instrument.declined(a.answers)  # the whole questionnaire, "not today"
    return NoTotalRow(
        session_number=number,
        date=date,
        source=a.source_label,
        pk=a.pk,
        reason="Chose to skip today." if declined else instrument.why_no_total(a.answers),
        skipped=[] if declined else instrument.skipped_labels(a.answers),
    )


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
    """Adaptations recorded after stuck-point reviews, as (session, short label).

    The chart is the same on the clinician's page, the client's report and its PDF, so a
    description holding a label that was not kept is left out: the kind alone is drawn."""
    return [(session, _short(label)) for session, label in adaptation_labels(episode)]


def adaptation_labels(episode: Episode) -> list[tuple[int, str]]:
    """The same labels in full, for the text beside the chart."""
    found = (
        Adaptation.objects.in_effect().filter(episode=episode).order_by("starts_on_session", "pk")
    )
    return [(a.starts_on_session, _chart_label(a)) for a in found]


def _chart_label(adaptation: Adaptation) -> str:
    description = client_text(adaptation, "description")
    kind = adaptation.get_kind_display()
    return f"{kind}: {description}" if description else kind


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class ItemAnswer:
    number: int
    text: str
    answer: str
    skipped: bool
    risk: bool


def administration_page(administration: Administration) -> dict[str, Any]:
    """Every item of one administration with the answer chosen, in the instrument's words."""
    episode = administration.episode
    instrument = _known(administration.instrument_id)
    items: list[ItemAnswer] = []
    reason = ""
    if instrument is not None:
        risky = set(instrument.risk_items)
        padded = instrument.padded(administration.answers)
        for item, answer in zip(instrument.items, padded, strict=True):
            items.append(
                ItemAnswer(
                    number=item.number,
                    text=item.text or item.short_label,
                    answer=_answer_label(item.options, answer),
                    skipped=answer == SKIP,
                    risk=item.id in risky,
                )
            )
        if administration.total is None:
            reason = instrument.why_no_total(administration.answers)
    sessions = list(episode.sessions.order_by("number"))
    return {
        "administration": administration,
        "episode": episode,
        "client": episode.client,
        "name": _name(administration.instrument_id),
        "instrument": instrument,
        "items": items,
        "reason": reason,
        "session_number": services.session_number_for(administration, sessions),
        # Its history: what replaced it, and what it replaced (kept, never dropped).
        "replaced_by": administration.superseded_by,
        "replaces": list(
            Administration.with_history.filter(superseded_by=administration).order_by(
                "completed_at", "pk"
            )
        ),
    }


def _answer_label(options: Sequence[Any], answer: object) -> str:
    if answer == SKIP:
        return "Skipped by choice (not today)"
    if answer is None:
        return "Not answered"
    for option in options:
        if option.value == answer:
            return f"{option.label} ({option.value})"
    return str(answer)


def in_brief(administration: Administration) -> str:
    """One line for a list: the total and band, or that the client chose to skip the
    whole questionnaire, or that there is no total and what was skipped."""
    name = _name(administration.instrument_id)
    if administration.total is not None:
        band = f" ({administration.band})" if administration.band else ""
        return f"{name} {administration.total:g}{band}"
    instrument = _known(administration.instrument_id)
    if instrument is None:
        return f"{name}: no total"
    if instrument.declined(administration.answers):
        return f"{name}: chose to skip today"
    skipped = instrument.skipped_labels(administration.answers)
    return f"{name}: no total" + (f", skipped by choice: {', '.join(skipped)}" if skipped else "")


def saved_message(administration: Administration, replaced: Administration | None = None) -> str:
    """What was saved, said plainly: the total, or that there is none and why."""
    name = _name(administration.instrument_id)
    where = f" for session {administration.session.number}" if administration.session else ""
    if administration.total is not None:
        band = f" ({administration.band})" if administration.band else ""
        what = f"{name} saved{where}: total {administration.total:g}{band}."
    else:
        instrument = _known(administration.instrument_id)
        summary = (
            instrument.no_total_summary(administration.answers)
            if instrument is not None
            else "No total."
        )
        what = f"{name} saved{where} with no total. {summary}"
    if replaced is not None and replaced.pk != administration.pk:
        day = f"{timezone.localdate(replaced.completed_at):%d %b %Y}"
        what += f" It replaces the earlier one of {day}, which is kept in its history."
    return what
