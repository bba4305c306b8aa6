"""holdspace.charts: the trajectory SVG is inline-safe under the CSP and says what it shows."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from holdspace.charts import trajectory_svg
from holdspace.instruments import get_instrument


def _chart(**overrides) -> str:
    phq9 = get_instrument("phq9")
    args = {
        "instrument": phq9,
        "bands": phq9.bands,
        "rc_band": (12.0, 24.0),
        "annotations": [(3, "Slower pacing")],
        "expected": [(1, 18.0, 18.0), (4, 12.0, 16.0)],
        "title": "PHQ-9 for AB-1",
    }
    args.update(overrides)
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


def test_two_charts_on_one_page_do_not_share_ids() -> None:
    first = set(re.findall(r'id="([^"]+)"', _chart()))
    second = set(re.findall(r'id="([^"]+)"', _chart(title="GAD-7", rc_band=None)))

    assert first and second and not first & second


def test_an_instrument_id_is_accepted_and_empty_parts_are_optional() -> None:
    svg = trajectory_svg(
        [(2, 45.0)], instrument="waisr", bands=[], rc_band=None, annotations=[], title="WAI-SR"
    )
    assert "WAI-SR" in svg
    assert "higher is better" in svg
