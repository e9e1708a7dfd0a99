"""Colours: ColorBrewer sequential schemes for classes, Okabe-Ito colours for facilities, the no-data look."""

from __future__ import annotations

# ColorBrewer (Cynthia Brewer, colorbrewer2.org) schemes, both marked colour-blind safe there.
# YlOrRd for rates (reversed so the lowest coverage gets the strongest warning colour) and PuBu for
# counts of people (more people = darker), so the two kinds of map never look alike.
YLORRD = {
    3: ("#ffeda0", "#feb24c", "#f03b20"),
    4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
    5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
    7: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
}
PUBU = {
    3: ("#ece7f2", "#a6bddb", "#2b8cbe"),
    4: ("#f1eef6", "#bdc9e1", "#74a9cf", "#0570b0"),
    5: ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"),
    6: ("#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#2b8cbe", "#045a8d"),
    7: ("#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#3690c0", "#0570b0", "#034e7b"),
}
MAX_CLASSES = 7

# No data: a grey hatch (an SVG pattern on the map, a CSS gradient in the legend) and a dashed
# border, so it can never be mistaken for the palest class colour.
NO_DATA_PATTERN_ID = "geojkn-nodata"
NO_DATA_FILL = f"url(#{NO_DATA_PATTERN_ID})"
NO_DATA_BORDER = "#737373"
NO_DATA_BACKGROUND = "#f0f0f0"
NO_DATA_LINE = "#969696"

# Partial units (not every desa has figures): their class colour striped with white, so they are never read as
# a whole unit's figure; one SVG pattern per class colour.
PARTIAL_PATTERN_ID = "geojkn-partial-{index}"
PARTIAL_STRIPE = "#ffffff"

BORDER = "#636363"
BELOW_TARGET_BORDER = "#67000d"
OUTLINE = "#111111"
MAP_BACKGROUND = "#e8edf1"

# Okabe & Ito's colour-blind-safe qualitative set; none of these is close to a class colour above.
FACILITY_COLORS = {
    "fktp": "#0072B2",
    "rumah_sakit": "#000000",
    "lab": "#009E73",
    "optik": "#CC79A7",
    "apotek": "#56B4E9",
    "non_jkn": "#999999",
}


def sequential(kind: str, n: int) -> tuple[str, ...]:
    """n colours (1..7) for classes from low to high values: 'rate' (red = low) or 'count' (dark = many)."""
    if not 1 <= n <= MAX_CLASSES:
        raise ValueError(f"between 1 and {MAX_CLASSES} classes, not {n}")
    scheme = PUBU if kind == "count" else YLORRD
    if n >= 3:
        colors = scheme[n]
    else:
        three = scheme[3]
        colors = (three[1],) if n == 1 else (three[0], three[2])
    return tuple(reversed(colors)) if kind == "rate" else colors
