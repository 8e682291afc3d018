"""Charts as server-rendered SVG: readable without JavaScript, styled by the app's stylesheet, with a text
alternative (<title> and <desc>) — and every chart's page shows the same numbers in a table as well."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220
BAR_WIDTH = 360
VALUE_WIDTH = 60

# One colour per task status, the same in every chart (and distinguishable in greyscale by order and label).
STATUS_COLOURS = {
    "planned": "#9aa3b2",
    "in_progress": "#0b5394",
    "blocked": "#d97706",
    "done": "#1e7b34",
    "cancelled": "#5b6475",
}


def _svg(width: int, height: int, title: str, description: str, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>{body}</svg>"
    )


def bar_chart(title: str, rows: Sequence[tuple[str, float]], maximum: float | None = None, unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value)."""
    top = maximum if maximum is not None else max([value for _, value in rows] + [1])
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = []
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = 0 if top == 0 else max(0.0, min(1.0, value / top)) * BAR_WIDTH
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT * 0.7}" text-anchor="end" class="chart-label" font-size="13" fill="#1d2330">'
            f"{escape(_shorten(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" class="chart-track" fill="#eef1f6"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" class="chart-bar" fill="#0b5394"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + BAR_HEIGHT * 0.7}" class="chart-value" font-size="13" fill="#1d2330">'
            f"{_number(value)}{escape(unit)}</text>"
        )
    description = "; ".join(f"{label}: {_number(value)}{unit}" for label, value in rows)
    return _svg(LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH, height, title, description, "".join(parts))


def stacked_chart(title: str, rows: Sequence[tuple[str, dict[str, int]]], labels: dict[str, str]) -> Markup:
    """One horizontal bar per row, split into coloured segments (e.g. tasks by status per committee)."""
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP + 28
    parts = []
    for index, (label, counts) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        total = sum(counts.values()) or 1
        x = float(LABEL_WIDTH)
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT * 0.7}" text-anchor="end" class="chart-label" font-size="13" fill="#1d2330">'
                     f"{escape(_shorten(label))}</text>")
        for key, count in counts.items():
            width = count / total * BAR_WIDTH
            if width:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                             f'fill="{STATUS_COLOURS.get(key, "#888")}"><title>{escape(labels.get(key, key))}: '
                             f"{count}</title></rect>")
            x += width
        parts.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + BAR_HEIGHT * 0.7}" class="chart-value" font-size="13" fill="#1d2330">'
                     f"{sum(counts.values())}</text>")
    legend_y = height - 14
    x = LABEL_WIDTH
    for key, text in labels.items():
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{STATUS_COLOURS.get(key, "#888")}"/>'
                     f'<text x="{x + 16}" y="{legend_y}" class="chart-legend" font-size="13" fill="#1d2330">{escape(str(text))}</text>')
        x += 16 + 8 * len(str(text)) + 14
    description = "; ".join(
        f"{label}: " + ", ".join(f"{labels.get(k, k)} {v}" for k, v in counts.items()) for label, counts in rows
    )
    return _svg(max(LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH, x), height, title, description, "".join(parts))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
