"""Small charts drawn as inline SVG by our own code: nothing to load, nothing from a CDN, every text escaped."""

from __future__ import annotations

import math
from html import escape

from .formatting import format_percent
from .options import Lang
from .records import Figures
from .schema import ACTIVE_COVERAGE, COVERAGE
from .vocabulary import MONTHS, metric_label, word

COLORS = {COVERAGE: "#0f6b5c", ACTIVE_COVERAGE: "#d95f02"}
TARGET_COLOR = "#b2182b"


def trend_svg(trend: tuple[Figures, ...], target: float, lang: Lang, width: int = 430, height: int = 170) -> str:
    """Registered and active coverage per period as two lines, with the target as a dashed line."""
    points = [f for f in trend if f.period is not None]
    if len(points) < 2:
        return ""
    values = [v for f in points for v in (f.coverage, f.active_coverage) if v is not None]
    low = math.floor(min([*values, target]) * 10) / 10
    high = math.ceil(max([*values, target]) * 10) / 10
    if high - low < 0.1:
        high = low + 0.1
    left, right, top, bottom = 44, 10, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + plot_w * i / (len(points) - 1)

    def y(v: float) -> float:
        return top + plot_h * (high - v) / (high - low)

    parts = [f'<svg class="trend-chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(word("trend", lang))}" xmlns="http://www.w3.org/2000/svg" '
             f'font-family="system-ui, sans-serif" font-size="10">']
    for step in range(round((high - low) * 10) + 1):
        v = low + step / 10
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e3e8ec"/>'
                     f'<text x="{left - 4}" y="{y(v) + 3:.1f}" text-anchor="end" fill="#5b6b78">'
                     f'{escape(format_percent(v, 0, lang))}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
                 f'stroke="{TARGET_COLOR}" stroke-dasharray="5 3"/>')
    for metric in (COVERAGE, ACTIVE_COVERAGE):
        series = [(x(i), getattr(f, metric)) for i, f in enumerate(points) if getattr(f, metric) is not None]
        path = " ".join(f"{'M' if j == 0 else 'L'}{px:.1f},{y(v):.1f}" for j, (px, v) in enumerate(series))
        parts.append(f'<path d="{path}" fill="none" stroke="{COLORS[metric]}" stroke-width="2"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{y(v):.1f}" r="2.5" fill="{COLORS[metric]}">'
                  f'<title>{escape(format_percent(v, 2, lang))}</title></circle>' for px, v in series]
    every = max(1, math.ceil(len(points) / 6))
    labelled = set(range(0, len(points), every))
    if len(points) - 1 - max(labelled) >= max(2, every):  # the last month too, where there is room
        labelled.add(len(points) - 1)
    for i, f in enumerate(points):
        if i in labelled:
            assert f.period is not None
            label = f"{MONTHS[lang][f.period.month - 1][:3]} {f.period.year % 100:02d}"
            anchor = "start" if i == 0 else "end" if i == len(points) - 1 else "middle"  # inside the frame
            parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 14}" text-anchor="{anchor}" fill="#5b6b78">'
                         f'{escape(label)}</text>')
    legend = [(COLORS[COVERAGE], metric_label(COVERAGE, lang)), (COLORS[ACTIVE_COVERAGE], metric_label(
        ACTIVE_COVERAGE, lang)), (TARGET_COLOR, f"{word('target', lang)} {format_percent(target, 0, lang)}")]
    at = float(left)
    for color, text in legend:
        parts.append(f'<rect x="{at}" y="{height - 11}" width="10" height="3" fill="{color}"/>'
                     f'<text x="{at + 13}" y="{height - 7}" fill="#1d2b36">{escape(text)}</text>')
        at += 18 + 5.5 * len(text)
    parts.append("</svg>")
    return "".join(parts)
