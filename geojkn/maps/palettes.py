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
# RdBu (11 classes) for changes: red for a fall, blue for a rise, near-white for little change; each side from
# the strongest colour to the lightest.
FALLS = ("#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7")
RISES = ("#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0")
STEADY = "#f7f7f7"
_PICKS = {1: (2,), 2: (1, 3), 3: (1, 2, 3), 4: (0, 1, 2, 3), 5: (0, 1, 2, 3, 4)}

# No data: a grey hatch (a canvas pattern on the map, a CSS gradient in the legend) and a dashed
# border, so it can never be mistaken for the palest class colour.
NO_DATA_BORDER = "#737373"
NO_DATA_BACKGROUND = "#f0f0f0"
NO_DATA_LINE = "#969696"

# Partial units (not every desa has figures): their class colour striped with white (geojkn-map.js), so they are
# never read as a whole unit's figure.

BORDER = "#636363"
BELOW_TARGET_BORDER = "#67000d"
IMPLAUSIBLE_BORDER = "#7b3294"  # a unit whose counts cannot be true: hatched as without data, a purple dash
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


# RdPu for distances (far = dark) and YlGn for FKTP supply (more = dark green), seven classes each; fewer
# classes take evenly spaced colours from these.
RDPU = ("#feebe2", "#fcc5c0", "#fa9fb5", "#f768a1", "#dd3497", "#ae017e", "#7a0177")
YLGN = ("#ffffcc", "#d9f0a3", "#addd8e", "#78c679", "#41ab5d", "#238443", "#005a32")


def sequential(kind: str, n: int) -> tuple[str, ...]:
    """n colours (1..7) for classes from low to high values: 'rate' (red = low), 'count' (dark = many),
    'distance' (dark = far) or 'supply' (dark green = many FKTP)."""
    if not 1 <= n <= MAX_CLASSES:
        raise ValueError(f"between 1 and {MAX_CLASSES} classes, not {n}")
    if kind in ("distance", "supply"):
        seven = RDPU if kind == "distance" else YLGN
        return (seven[3],) if n == 1 else tuple(seven[round(i * 6 / (n - 1))] for i in range(n))
    scheme = PUBU if kind == "count" else YLORRD
    if n >= 3:
        colors = scheme[n]
    else:
        three = scheme[3]
        colors = (three[1],) if n == 1 else (three[0], three[2])
    return tuple(reversed(colors)) if kind == "rate" else colors


def diverging(signs: tuple[int, ...]) -> tuple[str, ...]:
    """Colours for classes of a change, given each class's side (-1 all falls, 0 around zero, +1 all rises, in
    order from low to high): falls in reds, strongest first, rises in blues, strongest last, the rest near-white."""
    falls, rises = signs.count(-1), signs.count(1)
    reds = _side(FALLS, falls)
    blues = tuple(reversed(_side(RISES, rises)))
    colors, r, b = [], iter(reds), iter(blues)
    for sign in signs:
        colors.append(next(r) if sign < 0 else next(b) if sign > 0 else STEADY)
    return tuple(colors)


def _side(ramp: tuple[str, ...], n: int) -> tuple[str, ...]:
    """n colours of one side, strongest first: ColorBrewer's own up to five, evenly blended beyond."""
    if n <= len(ramp):
        return tuple(ramp[i] for i in _PICKS.get(n, ()))
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in ramp]
    out = []
    for k in range(n):
        t = k * (len(ramp) - 1) / (n - 1)
        i = min(int(t), len(ramp) - 2)
        f = t - i
        mixed = (round(a + (b - a) * f) for a, b in zip(rgb[i], rgb[i + 1], strict=True))
        out.append("#" + "".join(f"{v:02x}" for v in mixed))
    return tuple(out)
