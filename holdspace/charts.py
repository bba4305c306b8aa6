"""Server-side SVG charts: one client's trajectory on one instrument.

The same function draws the chart on the client page, the client's own space and the PDF
report. The SVG is built from a few string templates (rectangles, lines, one polyline,
circles and text), so it is cheap to draw and for WeasyPrint to render, and it is safe to
inline under a strict Content-Security-Policy: no script, no <style> element, no style
attribute and no ids (so any number of charts can share a page).

Every text that reaches the drawing (titles, band labels, adaptation labels typed by a
clinician) goes through `_text`, which escapes it for XML: `$20 a week, was $30` or
`<b>` is drawn exactly as typed, never interpreted.

A chart is a pure function of its inputs, so drawings are kept in a per-process LRU cache
keyed on those inputs (the series, bands, labels and title): a page viewed again after no
change draws nothing, and any change to the data is a different key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple, Protocol

from holdspace.instruments import Instrument, get_instrument

INK = "#1d2730"
CALM = "#2f6f73"
MUTED = "#55636f"
# Band shades go from pale to a little darker with severity; text stays readable on all.
BAND_SHADES = ("#eef3f3", "#e2ebeb", "#d3e0e0", "#c4d4d5", "#b5c9ca", "#a6bebf")
EXPECTED = "#7fb58a"
RC_SHADE = "#f1e4c3"
RC_EDGE = "#b7791f"

# Geometry in viewBox units; CSS scales the whole drawing to the page.
WIDTH = 720
LEFT, RIGHT, TOP = 62, 14, 40
PLOT_HEIGHT = 220
MAX_X_TICKS = 12
MAX_Y_TICKS = 8
CACHE_SIZE = 512


class BandLike(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def min(self) -> float: ...
    @property
    def max(self) -> float: ...


class _Scale(NamedTuple):
    """The instrument's part of the key: what the axes need, not the whole definition."""

    total_min: float
    total_max: float
    higher_is_worse: bool


def trajectory_svg(
    points: Sequence[tuple[int, float | None]],
    *,
    instrument: Instrument | str,
    bands: Sequence[BandLike],
    rc_band: tuple[float, float] | None,
    annotations: Sequence[tuple[int, str]],
    expected: Sequence[tuple[int, float, float]] | None = None,
    title: str,
) -> str:
    """An inline-safe SVG of totals by session number.

    points: (session number, total), a total of None being a questionnaire filled in
    without a total (drawn as an open marker on the session axis); bands: severity bands
    (label, min, max inclusive); rc_band: totals within reliable change of the intake
    score (low, high); annotations: (session number, label), e.g. adaptations, drawn as
    dashed lines; expected: (session number, low, high) for an expected-trajectory band.
    """
    inst = get_instrument(instrument) if isinstance(instrument, str) else instrument
    return _draw(
        tuple(sorted(points, key=lambda p: p[0])),
        _Scale(float(inst.total_min), float(inst.total_max), inst.direction == "higher_is_worse"),
        tuple((b.label, float(b.min), float(b.max)) for b in bands),
        None if rc_band is None else (float(rc_band[0]), float(rc_band[1])),
        tuple((int(s), label) for s, label in annotations),
        tuple(sorted(expected or ())),
        title,
    )


def cache_clear() -> None:
    _draw.cache_clear()


@lru_cache(maxsize=CACHE_SIZE)
def _draw(
    points: tuple[tuple[int, float | None], ...],
    scale: _Scale,
    bands: tuple[tuple[str, float, float], ...],
    rc_band: tuple[float, float] | None,
    annotations: tuple[tuple[int, str], ...],
    expected: tuple[tuple[int, float, float], ...],
    title: str,
) -> str:
    scored = [(s, t) for s, t in points if t is not None]
    unscored = [s for s, t in points if t is None]
    last = max([s for s, _ in points] + [s for s, _ in annotations] + [2])
    lo, hi = scale.total_min, scale.total_max
    if hi <= lo:
        hi = lo + 1
    plot_w = WIDTH - LEFT - RIGHT
    bottom = TOP + PLOT_HEIGHT

    def x(session: float) -> float:
        return LEFT + (session - 0.5) / last * plot_w

    def y(total: float) -> float:
        clamped = min(max(total, lo), hi)
        return bottom - (clamped - lo) / (hi - lo) * PLOT_HEIGHT

    out: list[str] = []
    out += _bands(bands, lo, hi, y, right=LEFT + plot_w)
    if rc_band is not None:
        top_y, low_y = y(max(rc_band)), y(min(rc_band))
        out.append(_rect(LEFT, top_y, plot_w, low_y - top_y, RC_SHADE, opacity=0.45))
        for edge in (top_y, low_y):
            out.append(_hline(LEFT, LEFT + plot_w, edge, RC_EDGE, dash="1.5 3"))
    if expected:
        upper = " ".join(f"{x(s):.1f},{y(h):.1f}" for s, _, h in expected)
        lower = " ".join(f"{x(s):.1f},{y(low):.1f}" for s, low, _ in reversed(expected))
        out.append(f'<polygon points="{upper} {lower}" fill="{EXPECTED}" fill-opacity="0.3"/>')
    out += _annotations(annotations, x, top=TOP, bottom=bottom, right=LEFT + plot_w)
    out += _axes(
        last, lo, hi, x, y, bottom=bottom, right=LEFT + plot_w, worse=scale.higher_is_worse
    )
    if scored:
        line = " ".join(f"{x(s):.1f},{y(t):.1f}" for s, t in scored)
        if len(scored) > 1:
            out.append(
                f'<polyline points="{line}" fill="none" stroke="{CALM}" stroke-width="2.5"/>'
            )
        out += [f'<circle cx="{x(s):.1f}" cy="{y(t):.1f}" r="4" fill="{CALM}"/>' for s, t in scored]
    out += [
        f'<circle cx="{x(s):.1f}" cy="{bottom:.1f}" r="4.5" fill="#ffffff" stroke="{CALM}" '
        'stroke-width="2"/>'
        for s in unscored
    ]
    legend = _legend(rc_band is not None, bool(expected), bool(unscored), top=bottom + 50)
    height = bottom + (74 if legend else 50)
    out.append(_label(LEFT - 50, 22, title, size=15, anchor="start", fill=INK, weight="600"))
    head = (
        f'<svg role="img" aria-label="{_text(title)}" class="chart" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        'font-family="DejaVu Sans, sans-serif">'
    )
    return head + "".join(out + legend) + "</svg>"


def _bands(
    bands: tuple[tuple[str, float, float], ...],
    lo: float,
    hi: float,
    y: _Fn,
    *,
    right: float,
) -> list[str]:
    """Shaded bands meeting halfway between one band's max and the next one's min, so
    integer totals each sit inside their own band."""
    out: list[str] = []
    ordered = sorted(bands, key=lambda b: b[1])
    for i, (label, bmin, bmax) in enumerate(ordered):
        low = lo if i == 0 else (ordered[i - 1][2] + bmin) / 2
        high = hi if i == len(ordered) - 1 else (bmax + ordered[i + 1][1]) / 2
        low, high = max(low, lo), min(high, hi)
        if high <= low:
            continue
        top_y, low_y = y(high), y(low)
        out.append(
            _rect(LEFT, top_y, right - LEFT, low_y - top_y, BAND_SHADES[i % len(BAND_SHADES)])
        )
        if low_y - top_y >= 9:  # a label only where the band is tall enough to hold it
            out.append(_label(right - 4, (top_y + low_y) / 2 + 3.5, label, size=10, anchor="end"))
    return out


def _annotations(
    annotations: tuple[tuple[int, str], ...], x: _Fn, *, top: float, bottom: float, right: float
) -> list[str]:
    """Dashed lines with their labels at the top, stepped down a row where a label would
    run into the previous one."""
    out: list[str] = []
    row_ends = [-math.inf, -math.inf, -math.inf]
    for i, (session, label) in enumerate(annotations):
        at = x(session)
        out.append(_line(at, top, at, bottom, MUTED, dash="5 3"))
        width = 6.2 * len(label)
        start, anchor = at + 3, "start"
        if start + width > right:
            start, anchor = at - 3, "end"
        span = (start, start + width) if anchor == "start" else (start - width, start)
        row = next((r for r, end in enumerate(row_ends) if span[0] > end + 4), i % len(row_ends))
        row_ends[row] = span[1]
        out.append(_label(start, top + 12 + 13 * row, label, size=11, anchor=anchor, fill=INK))
    return out


def _axes(
    last: int, lo: float, hi: float, x: _Fn, y: _Fn, *, bottom: float, right: float, worse: bool
) -> list[str]:
    out = [
        _hline(LEFT, right, bottom, MUTED),
        _line(LEFT, TOP, LEFT, bottom, MUTED),
    ]
    for session in session_ticks(last):
        at = x(session)
        out.append(_line(at, bottom, at, bottom + 4, MUTED))
        out.append(_label(at, bottom + 17, f"{session}", size=11, anchor="middle"))
    for total in total_ticks(lo, hi):
        at = y(total)
        out.append(_hline(LEFT - 4, LEFT, at, MUTED))
        out.append(_label(LEFT - 7, at + 4, f"{total:g}", size=11, anchor="end"))
    out.append(
        _label((LEFT + right) / 2, bottom + 36, "Session", size=12, anchor="middle", fill=INK)
    )
    better = "lower is better" if worse else "higher is better"
    mid = (TOP + bottom) / 2
    out.append(
        f'<text x="0" y="0" transform="translate({LEFT - 40} {mid:.1f}) rotate(-90)" '
        f'font-size="12" text-anchor="middle" fill="{INK}">{_text(f"Total ({better})")}</text>'
    )
    return out


def _legend(rc: bool, expected: bool, unscored: bool, *, top: float) -> list[str]:
    if not (rc or expected or unscored):
        return []
    entries: list[tuple[str, str]] = [
        (
            f'<line x1="0" y1="0" x2="22" y2="0" stroke="{CALM}" stroke-width="2.5"/>'
            f'<circle cx="11" cy="0" r="4" fill="{CALM}"/>',
            "Score",
        )
    ]
    if rc:
        line = f'<line x1="0" y1="0" x2="22" y2="0" stroke="{RC_EDGE}" stroke-dasharray="1.5 3"/>'
        entries.append((line, "Within reliable change of the first"))
    if expected:
        swatch = f'<rect x="0" y="-6" width="22" height="12" fill="{EXPECTED}" fill-opacity="0.3"/>'
        entries.append((swatch, "Expected"))
    if unscored:
        marker = f'<circle cx="11" cy="0" r="4.5" fill="#ffffff" stroke="{CALM}" stroke-width="2"/>'
        entries.append((marker, "Filled in, no total"))
    widths = [30 + 6.4 * len(text) + 24 for _, text in entries]
    at = (WIDTH - sum(widths)) / 2
    out = []
    for (mark, text), width in zip(entries, widths, strict=True):
        out.append(f'<g transform="translate({at:.1f} {top:.1f})">{mark}</g>')
        out.append(_label(at + 30, top + 4, text, size=11, anchor="start", fill=INK))
        at += width
    return out


def session_ticks(last: int) -> list[int]:
    """Session numbers to label: every session for short episodes, then a round step
    (2, 5, 10, 20, 50…) so a long episode gets at most about a dozen labels."""
    step = int(_nice_step(last, MAX_X_TICKS, multiples=(1, 2, 5, 10)))
    if step <= 1:
        return list(range(1, last + 1))
    return [1] + [n for n in range(step, last + 1, step) if n - 1 >= step / 2]


def total_ticks(lo: float, hi: float) -> list[float]:
    step = _nice_step(hi - lo, MAX_Y_TICKS)
    first = math.ceil(lo / step) * step
    count = int(math.floor((hi - first) / step + 1e-9)) + 1
    return [round(first + i * step, 6) for i in range(count)]


def _nice_step(
    span: float, max_ticks: int, multiples: tuple[float, ...] = (1, 2, 2.5, 5, 10)
) -> float:
    """The smallest round step (a multiple times a power of ten) giving at most max_ticks."""
    if span <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(span / max_ticks)) if span > max_ticks else 1
    for multiple in multiples:
        step = multiple * magnitude
        if span / step <= max_ticks:
            return step
    return 10 * magnitude


# Characters XML 1.0 does not allow at all; a stray one would make the whole SVG invalid.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(text: str) -> str:
    """User text as XML character data or an attribute value: drawn literally."""
    text = _NOT_XML.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _label(
    at_x: float,
    at_y: float,
    text: str,
    *,
    size: int,
    anchor: str,
    fill: str = MUTED,
    weight: str | None = None,
) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{at_x:.1f}" y="{at_y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}"{bold}>{_text(text)}</text>'
    )


def _rect(at_x: float, at_y: float, w: float, h: float, fill: str, *, opacity: float = 1) -> str:
    alpha = f' fill-opacity="{opacity:g}"' if opacity != 1 else ""
    box = f'x="{at_x:.1f}" y="{at_y:.1f}" width="{w:.1f}" height="{h:.1f}"'
    return f'<rect {box} fill="{fill}"{alpha}/>'


def _hline(x1: float, x2: float, at_y: float, stroke: str, *, dash: str | None = None) -> str:
    return _line(x1, at_y, x2, at_y, stroke, dash=dash)


def _line(
    x1: float, y1: float, x2: float, y2: float, stroke: str, *, dash: str | None = None
) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    ends = f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
    return f'<line {ends} stroke="{stroke}"{dashes}/>'


class _Fn(Protocol):
    def __call__(self, value: float, /) -> float: ...
