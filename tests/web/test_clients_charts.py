"""holdspace.charts: the trajectory SVG is inline-safe under the CSP, says what it shows,
draws user text literally, labels long episodes sparingly and is drawn once per input."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from holdspace import charts
from holdspace.charts import session_ticks, trajectory_svg
from holdspace.instruments import Band, get_instrument

_ARGS = {
    "instrument": get_instrument("phq9"),
    "bands": get_instrument("phq9").bands,
    "rc_band": (12.0, 24.0),
    "annotations": [(3, "Slower pacing")],
    "expected": [(1, 18.0, 18.0), (4, 12.0, 16.0)],
    "title": "PHQ-9 for AB-1",
}


def _chart(**overrides) -> str:
    args = {**_ARGS, **overrides}
    return trajectory_svg([(1, 18), (2, 17), (4, 12)], **args)


def test_the_svg_is_well_formed_and_labelled() -> None:
    svg = _chart()

    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert root.get("role") == "img"
    assert root.get("aria-label") == "PHQ-9 for AB-1"
    assert root.get("viewBox") and root.get("width") is None  # scales with the page


def test_the_svg_has_no_script_and_no_inline_style_so_the_csp_allows_it() -> None:
    svg = _chart()

    assert "<script" not in svg
    assert "<style" not in svg
    assert "style=" not in svg
    assert 'fill="#' in svg  # colours survive as presentation attributes


def test_text_stays_text_bands_and_annotations_are_named() -> None:
    svg = _chart()

    for label in ("Slower pacing", "moderate", "severe", "Session", "PHQ-9 for AB-1"):
        assert label in svg, label


def test_the_svg_carries_no_ids_so_any_number_of_charts_share_a_page() -> None:
    assert 'id="' not in _chart()
    assert 'id="' not in _chart(title="GAD-7", rc_band=None)


def test_an_instrument_id_is_accepted_and_empty_parts_are_optional() -> None:
    svg = trajectory_svg(
        [(2, 45.0)], instrument="waisr", bands=[], rc_band=None, annotations=[], title="WAI-SR"
    )
    assert "WAI-SR" in svg
    assert "higher is better" in svg


TEXTS = [
    "$20 a week, was $30",
    r"Pacing $\frac{a}{b}$ and $x^2$",
    "<script>alert(\"x\")</script> & 'quotes'",
    "]]> <!-- not a comment --> &amp;",
]


def _texts(svg: str) -> list[str]:
    return [
        "".join(t.itertext()) for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
    ]


def test_user_text_is_drawn_exactly_as_typed() -> None:
    for text in TEXTS:
        svg = _chart(title=text, annotations=[(2, text)])

        root = ET.fromstring(svg)  # still well-formed XML
        assert root.get("aria-label") == text
        assert _texts(svg).count(text) == 2, text  # the title and the adaptation label
        assert "<script" not in svg


def test_band_labels_are_escaped_too_and_control_characters_cannot_break_the_svg() -> None:
    band = Band(label="<low> & $calm$", min=0, max=27)
    svg = _chart(bands=[band], annotations=[(2, "tab\there, nul\x00 and bell\x07")])

    assert "<low> & $calm$" in _texts(svg)
    assert "tab\there, nul and bell" in _texts(svg)


def test_a_long_episode_gets_round_session_ticks_not_one_per_session() -> None:
    assert session_ticks(8) == list(range(1, 9))
    assert session_ticks(80) == [1, 10, 20, 30, 40, 50, 60, 70, 80]
    svg = trajectory_svg(
        [(n, 20 - n % 7) for n in range(1, 81)],
        instrument="phq9",
        bands=get_instrument("phq9").bands,
        rc_band=None,
        annotations=[],
        title="PHQ-9",
    )
    labels = _texts(svg)
    assert "80" in labels and "79" not in labels
    assert svg.count("<circle") == 80  # every session is still drawn


def test_a_stored_value_far_out_of_range_does_not_make_a_huge_drawing() -> None:
    svg = _chart(annotations=[(99_999, "From a mistyped session number")])

    assert len(session_ticks(99_999)) <= 12
    assert len(svg) < 20_000


def test_an_administration_without_a_total_is_an_open_marker_at_its_session() -> None:
    svg = trajectory_svg(
        [(1, 18.0), (2, None), (3, 15.0)],
        instrument="phq9",
        bands=[],
        rc_band=None,
        annotations=[],
        title="PHQ-9",
    )

    open_markers = [
        c
        for c in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}circle")
        if c.get("fill") == "#ffffff" and c.get("stroke")
    ]
    assert len(open_markers) == 2  # the marker and its legend entry
    assert "Filled in, no total" in _texts(svg)
    assert 'points="' in svg and svg.count("<polyline") == 1  # the line joins the totals


def test_a_chart_is_drawn_once_per_input_and_again_when_the_data_changes() -> None:
    charts.cache_clear()
    first = _chart()
    again = _chart()
    changed = trajectory_svg([(1, 18), (2, 16), (4, 12)], **_ARGS)

    assert again is first  # served from the cache, not redrawn
    assert changed != first
    info = charts._draw.cache_info()
    assert (info.hits, info.misses) == (1, 2)
