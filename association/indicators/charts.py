"""Benchmark charts as server-rendered SVG (see association.core.charts): a box plot of the peers with the library
marked, and a line of the library's values over the years. Each has a text alternative; the pages show the numbers
in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from association.core.charts import _svg
from association.indicators.statistics import Distribution

WIDTH = 420
HEIGHT = 70
PAD = 20
LIBRARY_COLOUR = "#d55e00"  # Okabe–Ito vermilion: distinct from the blue box for every common colour vision
BOX_COLOUR = "#0072b2"


def number(value: float | None) -> str:
    """A value as people read it: thousands separated, at most two decimals (— when unavailable)."""
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", "\u202f")
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", "\u202f")


def box_plot(title: str, peers: Distribution, value: float | None, value_label: str) -> Markup:
    """Minimum, quartiles, median and maximum of the peers on one axis, with the library's value as a diamond."""
    low = min(peers.min, value) if value is not None else peers.min
    high = max(peers.max, value) if value is not None else peers.max
    span = (high - low) or 1.0

    def x(v: float) -> float:
        return PAD + (v - low) / span * (WIDTH - 2 * PAD)

    middle = 28
    parts = [
        f'<line x1="{x(peers.min):.1f}" y1="{middle}" x2="{x(peers.max):.1f}" y2="{middle}" stroke="#5b6475" stroke-width="2"/>',
        f'<line x1="{x(peers.min):.1f}" y1="{middle - 8}" x2="{x(peers.min):.1f}" y2="{middle + 8}" stroke="#5b6475" stroke-width="2"/>',
        f'<line x1="{x(peers.max):.1f}" y1="{middle - 8}" x2="{x(peers.max):.1f}" y2="{middle + 8}" stroke="#5b6475" stroke-width="2"/>',
        f'<rect x="{x(peers.q1):.1f}" y="{middle - 12}" width="{max(1.0, x(peers.q3) - x(peers.q1)):.1f}" height="24" '
        f'fill="#cfe3f3" stroke="{BOX_COLOUR}" stroke-width="2"/>',
        f'<line x1="{x(peers.median):.1f}" y1="{middle - 12}" x2="{x(peers.median):.1f}" y2="{middle + 12}" '
        f'stroke="{BOX_COLOUR}" stroke-width="3"/>',
        f'<text x="{PAD}" y="{HEIGHT - 4}" font-size="11" fill="#1d2330">{escape(number(low))}</text>',
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 4}" font-size="11" text-anchor="end" fill="#1d2330">{escape(number(high))}</text>',
    ]
    if value is not None:
        cx = x(value)
        parts.append(f'<path class="library-mark" d="M{cx:.1f} {middle - 11} L{cx + 9:.1f} {middle} L{cx:.1f} {middle + 11} '
                     f'L{cx - 9:.1f} {middle} Z" fill="{LIBRARY_COLOUR}" stroke="#1d2330" stroke-width="1">'
                     f"<title>{escape(value_label)}: {escape(number(value))}</title></path>")
    description = (f"min {number(peers.min)}, q1 {number(peers.q1)}, median {number(peers.median)}, "
                   f"q3 {number(peers.q3)}, max {number(peers.max)}"
                   + (f"; {value_label}: {number(value)}" if value is not None else ""))
    return _svg(WIDTH, HEIGHT, title, description, "".join(parts))


def line_chart(title: str, points: Sequence[tuple[int, float | None]]) -> Markup:
    """The library's value in each year (a gap where it is unavailable)."""
    known = [v for _, v in points if v is not None]
    top = max(known) if known else 1.0
    bottom = min(known + [0.0])
    span = (top - bottom) or 1.0
    step = (WIDTH - 2 * PAD) / max(1, len(points) - 1)
    height = 90

    def y(v: float) -> float:
        return 10 + (1 - (v - bottom) / span) * (height - 35)

    parts = []
    previous: tuple[float, float] | None = None
    for index, (year, value) in enumerate(points):
        px = PAD + index * step
        parts.append(f'<text x="{px:.1f}" y="{height - 4}" font-size="11" text-anchor="middle" fill="#1d2330">{year}</text>')
        if value is None:
            previous = None
            continue
        py = y(value)
        if previous is not None:
            parts.append(f'<line x1="{previous[0]:.1f}" y1="{previous[1]:.1f}" x2="{px:.1f}" y2="{py:.1f}" '
                         f'stroke="{BOX_COLOUR}" stroke-width="2"/>')
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{BOX_COLOUR}"><title>{year}: '
                     f"{escape(number(value))}</title></circle>")
        previous = (px, py)
    description = "; ".join(f"{year}: {number(value)}" for year, value in points)
    return _svg(WIDTH, height, title, description, "".join(parts))
