"""The client's progress in plain words: their own chart per measure, the bands, what the
numbers mean and what they do not mean.

The words come from the progress report's client version (one place for the plain names
and the change sentences); the chart is the same drawing as the clinician's, titled with
the plain name, and without the service's expected band (a comparison with other
clients) unless the clinician chose to share it.
"""

from __future__ import annotations

from dataclasses import dataclass

from holdspace.charts import trajectory_svg
from holdspace.instruments import Band, Instrument
from holdspace.web.clients.presenters import Chart, Row, _expected_band, episode_page
from holdspace.web.clients.services import signal_config
from holdspace.web.reports.build import reading_note, story
from holdspace.web.space.models import ClientSpace
from holdspace.web.space.services import current_episode


@dataclass(frozen=True)
class ClientMeasure:
    instrument: Instrument
    plain_name: str
    svg: str
    rows: list[Row]
    reading_note: str
    story: str
    bands: list[Band]
    latest_band: str
    comparison_note: str


def client_progress(space: ClientSpace) -> list[ClientMeasure]:
    episode = current_episode(space.client)
    if episode is None:
        return []
    charts: list[Chart] = episode_page(episode)["charts"]
    return [_measure(chart, share_comparison=space.share_comparison) for chart in charts]


def _measure(chart: Chart, *, share_comparison: bool) -> ClientMeasure:
    instrument = chart.instrument
    plain = instrument.plain_name
    expected = None
    note = ""
    if share_comparison:
        # The same band the clinician's chart shows, from the service's trajectory model.
        expected, _clinician_note = _expected_band(instrument, chart.rows, signal_config())
    if expected:
        note = (
            "The green band shows where the middle half of this service's clients who "
            "started near your first score were at each session. Your therapist chose to "
            "share it; it is a rough guide, and everyone's path is different."
        )
    svg = trajectory_svg(
        [(r.session_number, r.total) for r in chart.table],
        instrument=instrument,
        bands=instrument.bands,
        rc_band=None,
        annotations=[],
        expected=expected,
        title=plain,
    )
    return ClientMeasure(
        instrument=instrument,
        plain_name=plain,
        svg=svg,
        rows=chart.rows,
        reading_note=reading_note(instrument),
        story=story(instrument, chart),
        bands=instrument.bands,
        latest_band=chart.rows[-1].band if chart.rows else "",
        comparison_note=note,
    )
