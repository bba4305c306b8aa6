"""Server-side SVG charts: one client's trajectory on one instrument.

The same function draws the chart on the client page and in the PDF report. The SVG is
made safe to inline under a strict Content-Security-Policy: no script, no <style>
element and no style attributes (they become SVG presentation attributes), and every id
gets a per-chart prefix so several charts can share one page.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from typing import Any, Protocol

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from holdspace.instruments import Instrument, get_instrument  # noqa: E402

INK = "#1d2730"
CALM = "#2f6f73"
MUTED = "#55636f"
# Band shades go from pale to a little darker with severity; text stays readable on all.
BAND_SHADES = ("#eef3f3", "#e2ebeb", "#d3e0e0", "#c4d4d5", "#b5c9ca", "#a6bebf")
EXPECTED = "#7fb58a"
RC_SHADE = "#f1e4c3"


class BandLike(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def min(self) -> float: ...
    @property
    def max(self) -> float: ...


def trajectory_svg(
    points: Sequence[tuple[int, float]],
    *,
    instrument: Instrument | str,
    bands: Sequence[BandLike],
    rc_band: tuple[float, float] | None,
    annotations: Sequence[tuple[int, str]],
    expected: Sequence[tuple[int, float, float]] | None = None,
    title: str,
) -> str:
    """An inline-safe SVG of totals by session number.

    points: (session number, total); bands: severity bands (label, min, max inclusive);
    rc_band: totals within reliable change of the intake score (low, high);
    annotations: (session number, label), e.g. adaptations, drawn as dashed lines;
    expected: (session number, low, high) for an expected-trajectory band.
    """
    inst = get_instrument(instrument) if isinstance(instrument, str) else instrument
    fig = _draw(sorted(points), inst, bands, rc_band, annotations, expected or [], title)
    try:
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    return _inline_safe(buffer.getvalue(), title)


def _draw(
    points: Sequence[tuple[int, float]],
    inst: Instrument,
    bands: Sequence[BandLike],
    rc_band: tuple[float, float] | None,
    annotations: Sequence[tuple[int, str]],
    expected: Sequence[tuple[int, float, float]],
    title: str,
) -> Figure:
    with plt.rc_context(_RC):  # type: ignore[arg-type]  # keys are valid rcParams
        fig, ax = plt.subplots(figsize=(7.2, 3.3))
        last_session = max([p[0] for p in points] + [a[0] for a in annotations] + [2])
        ax.set_xlim(0.5, last_session + 0.5)
        ax.set_ylim(inst.total_min, inst.total_max)
        for i, band in enumerate(bands):
            # Integer totals: each band covers its whole numbers, so the shades meet.
            low = max(inst.total_min, band.min - 0.5)
            high = min(inst.total_max, band.max + 0.5)
            ax.axhspan(low, high, color=BAND_SHADES[i % len(BAND_SHADES)], lw=0)
            ax.text(last_session + 0.45, (low + high) / 2, band.label, ha="right",
                    va="center", fontsize=7, color=MUTED)  # fmt: skip
        if rc_band is not None:
            ax.axhspan(*rc_band, facecolor=RC_SHADE, alpha=0.45, lw=0)
            for edge in rc_band:
                ax.axhline(edge, color="#b7791f", ls=":", lw=1)
            ax.plot([], [], color="#b7791f", ls=":", label="Within reliable change of the first")
        if expected:
            xs, lows, highs = zip(*sorted(expected), strict=True)
            ax.fill_between(xs, lows, highs, color=EXPECTED, alpha=0.3, lw=0, label="Expected")
        for session, label in annotations:
            ax.axvline(session, color=MUTED, ls="--", lw=1)
            ax.text(session, inst.total_max, f" {label}", va="top", fontsize=7, color=INK)
        if points:
            xs_p, ys_p = zip(*points, strict=True)
            ax.plot(xs_p, ys_p, color=CALM, marker="o", lw=2, label="Score")
        better = "lower is better" if inst.direction == "higher_is_worse" else "higher is better"
        ax.set_ylabel(f"Total ({better})")
        ax.set_xlabel("Session")
        ax.set_xticks(range(1, last_session + 1))
        ax.set_title(title, loc="left")
        if rc_band is not None or expected:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=7,
                      frameon=False)  # fmt: skip
        fig.tight_layout()
    return fig


_RC: dict[str, Any] = {
    "svg.fonttype": "none",  # real text: selectable, readable by assistive technology
    "svg.hashsalt": "holdspace",  # stable ids, so golden tests and caches stay stable
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

_STYLE_ATTR = re.compile(r'style="([^"]*)"')
_ID = re.compile(r'\bid="([^"]+)"')


def _inline_safe(svg: str, title: str) -> str:
    svg = svg[svg.index("<svg") :]
    # Drop the fixed size: the viewBox lets CSS scale the chart to the page.
    svg = re.sub(r'^<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = _STYLE_ATTR.sub(lambda m: _presentation_attrs(m.group(1)), svg)
    svg = svg.replace(' style=""', "")
    prefix = "c" + hashlib.sha1(svg.encode()).hexdigest()[:8] + "-"
    for old in set(_ID.findall(svg)):
        svg = svg.replace(f'id="{old}"', f'id="{prefix}{old}"')
        svg = svg.replace(f"#{old})", f"#{prefix}{old})").replace(f'"#{old}"', f'"#{prefix}{old}"')
    # Matplotlib's default line joins, kept as attributes on the root element.
    head = (
        f'<svg role="img" aria-label="{_escape(title)}" class="chart" '
        'stroke-linejoin="round" stroke-linecap="butt" '
    )
    return head + svg[len("<svg ") :]


def _presentation_attrs(style: str) -> str:
    attrs = []
    for declaration in style.split(";"):
        if ":" not in declaration:
            continue
        name, value = (part.strip() for part in declaration.split(":", 1))
        attrs.append(f'{name}="{value}"')
    return " ".join(attrs)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
