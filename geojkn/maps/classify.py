"""Put units into classes for a choropleth: policy bands around the target, quantiles or natural breaks.

Policy bands for rates: the two largest multiples of 10 % strictly below the target, then the target:
target 95 % -> < 80, 80-90, 90-95, >= 95; target 98 % -> < 80, 80-90, 90-98, >= 98; target 90 % ->
< 70, 70-80, 80-90, >= 90. Bands are closed on the left ([80 %, 90 %)), so a unit exactly at the
target counts as reaching it, and coverage above 100 % (stale population) falls in the top band.

Policy bands for counts of people: 0 (nothing left to do), then three round 1-2-5 numbers
(..., 50, 100, 200, 500, 1000, ...): the largest one not above the 90th percentile of the positive
values and the two before it, e.g. 0 | 1-99 | 100-199 | 200-499 | >= 500. The scale follows the data
because a kecamatan holds ~15 desa; the numbers stay round so planners can quote them.

Policy bands for distances to the nearest facility: < 1 km, 1-2.5 km, 2.5 km to the access distance (5 km
unless set), then to twice it, then beyond. Policy bands for FKTP per 10.000 residents: < 0.5, 0.5-1, 1-2, >= 2.

Policy bands for a change in coverage (percentage points): < −2, −2 to −0.5, −0.5 to 0.5 (about steady),
0.5 to 2, >= 2, coloured on a diverging scale centred on zero (red falls, blue rises). A point a month is a
large move for a desa; half a point is within what a corrected register moves.

Quantiles and natural breaks (Fisher-Jenks, deterministic) come from mapclassify; their classes are
closed on the right, like mapclassify's. With fewer distinct values than classes there are fewer classes.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError
from ..formatting import format_decimal, format_int, format_points
from ..options import (
    CLASSES,
    DEFAULT_ACCESS_KM,
    DEFAULT_TARGET,
    METRIC,
    PRESET_TIERS,
    TARGET,
    Classes,
    Lang,
    Tier,
)
from ..schema import Metric
from ..vocabulary import word
from .palettes import MAX_CLASSES, diverging, sequential

SCHEMES = tuple(Classes)
NO_DATA = -1
# Fisher-Jenks is quadratic in pure Python: above this many values it runs on evenly spaced order
# statistics (deterministic, unlike mapclassify's random sample), which keeps the breaks close.
JENKS_SAMPLE = 600
_LADDER = tuple(m * 10**e for e in range(1, 8) for m in (1, 2, 5))
CHANGE_EDGES = (-2.0, -0.5, 0.5, 2.0)  # percentage points
DISTANCE_EDGES = (1.0, 2.5)  # km, with the access distance and twice it
SUPPLY_EDGES = (0.5, 1.0, 2.0)  # FKTP per 10.000 residents


@dataclass(frozen=True)
class Classification:
    """Class per unit (-1 = no data) with each class's range, colour and unit count."""

    metric: Metric
    scheme: Classes
    kind: str  # Metric.kind: 'rate', 'count', 'change' (percentage points), 'distance' (km), 'supply'
    index: tuple[int, ...]
    lower: tuple[float, ...]  # nan = open below
    upper: tuple[float, ...]  # nan = open above
    closed: str  # 'left' for policy bands, 'right' for mapclassify classes
    colors: tuple[str, ...]
    names: tuple[str, ...] = ()  # the classes' own names (award tiers, lowest first) instead of ranges

    @property
    def counts(self) -> tuple[int, ...]:
        """Number of units in each class."""
        return tuple(self.index.count(i) for i in range(len(self.colors)))

    @property
    def no_data(self) -> int:
        """Number of units without figures."""
        return self.index.count(NO_DATA)

    def color_of(self, cls: int) -> str | None:
        """Fill colour of a class, None for no data."""
        return None if cls == NO_DATA else self.colors[cls]


def classify(values: pd.Series, metric: str, scheme: str = Classes.POLICY, target: float = DEFAULT_TARGET,
             k: int = 5, access_km: float = DEFAULT_ACCESS_KM, tiers: Sequence[Tier] = PRESET_TIERS["uhc"],
             lang: Lang = Lang.ID) -> Classification:
    """Classify one metric's values (NaN = no data) with the chosen scheme (text or typed, as options.py reads).
    Award tiers are their own classes whatever the scheme: below every tier, then each tier from the lowest."""
    metric, scheme = _check(metric, scheme, target, k)
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, copy=True)
    kind = metric.kind
    if kind == "tier":
        steps = tuple(float(step) for step in range(len(tiers) + 1))
        names = (word("below_tiers", lang), *(tier.name for tier in reversed(tiers)))
        return Classification(metric, scheme, kind, _assign(numbers, steps, "right"), steps, steps, "right",
                              sequential("supply", len(steps)), names)
    fixed = {"change": CHANGE_EDGES, "supply": SUPPLY_EDGES,
             "distance": tuple(sorted({*DISTANCE_EDGES, access_km, 2 * access_km}))}
    if scheme == "policy" and kind == "rate":
        lower, upper = _rate_bands(target)
        closed = "left"
    elif scheme == "policy" and kind in fixed:
        edges = fixed[kind]
        lower, upper = (math.nan, *edges), (*edges, math.nan)
        closed = "left"
    elif scheme == "policy":
        lower, upper = _count_bands(numbers)
        closed = "left"
    else:
        lower, upper = _mapclassify_bands(numbers, scheme, k)
        closed = "right"
    index = _assign(numbers, upper, closed)
    if kind == "change":
        colors = diverging(tuple(_side(lo, hi, closed) for lo, hi in zip(lower, upper, strict=True)))
    else:
        colors = sequential(kind, len(upper)) if upper else ()
    return Classification(metric, scheme, kind, index, lower, upper, closed, colors)


def _side(lower: float, upper: float, closed: str) -> int:
    """Which side of zero a class of changes lies on: -1 (falls), +1 (rises), 0 (around zero); nan = open."""
    lo = -math.inf if math.isnan(lower) else lower
    hi = math.inf if math.isnan(upper) else upper
    if hi < 0 or (closed == "left" and hi <= 0 < hi - lo):
        return -1
    if lo > 0 or (closed == "right" and lo == 0 < hi):
        return 1
    return 0


def _check(metric: str, scheme: str, target: float, k: int) -> tuple[Metric, Classes]:
    """The same rules as everywhere else (options.py), and a class count the palettes have."""
    TARGET.read(target)
    if not 2 <= k <= MAX_CLASSES:
        raise DataError(f"The number of classes must be between 2 and {MAX_CLASSES}, not {k}.")
    return METRIC.read(metric), CLASSES.read(scheme)


def _rate_bands(target: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    # Work in whole tenths of a percent so 0.95 does not become 0.9499999.
    tenths = round(target * 1000)
    top_ten = (math.ceil(tenths / 100) - 1) * 100  # largest multiple of 10 % strictly below
    edges = ((top_ten - 100) / 1000, top_ten / 1000, tenths / 1000)
    return (math.nan,) + edges, edges + (math.nan,)


def _count_bands(numbers: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    positive = numbers[np.isfinite(numbers) & (numbers > 0)]
    p90 = float(np.percentile(positive, 90)) if positive.size else 0.0
    top = max(2, max((i for i, v in enumerate(_LADDER) if v <= p90), default=0))
    e1, e2, e3 = (float(v) for v in _LADDER[top - 2 : top + 1])
    # Class 0 holds exactly zero (and negatives, which only arise from inconsistent figures).
    return (math.nan, 0.0, e1, e2, e3), (0.0, e1, e2, e3, math.nan)


def _mapclassify():
    """mapclassify, imported when first needed: it loads scipy, which adds seconds to every start-up."""
    import mapclassify

    return mapclassify


def _mapclassify_bands(numbers: np.ndarray, scheme: str,
                       k: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    valid = numbers[np.isfinite(numbers)]
    distinct = np.unique(valid)
    if distinct.size == 0:
        return (), ()
    if distinct.size <= k:
        # Too few values to split: one class per distinct value.
        single = tuple(float(v) for v in distinct)
        return single, single
    if scheme == "quantiles":
        bins = np.unique(_mapclassify().Quantiles(valid, k=k).bins)
    else:
        bins = _jenks_bins(valid, k)
    lower = (float(distinct[0]),) + tuple(float(b) for b in bins[:-1])
    return lower, tuple(float(b) for b in bins)


def _jenks_bins(valid: np.ndarray, k: int) -> np.ndarray:
    sample = np.sort(valid)
    if sample.size > JENKS_SAMPLE:
        sample = sample[np.linspace(0, sample.size - 1, JENKS_SAMPLE).round().astype(int)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed")
        bins = _mapclassify().FisherJenks(sample, k=k).bins
    return np.unique(bins)


def _assign(numbers: np.ndarray, upper: tuple[float, ...], closed: str) -> tuple[int, ...]:
    if not upper:
        return tuple(NO_DATA for _ in numbers)
    edges = np.array(upper[:-1], dtype=float)
    # Left-closed bands: a value on an edge goes up; right-closed classes: it stays below.
    side: Literal["left", "right"] = "right" if closed == "left" else "left"
    found = np.searchsorted(edges, np.where(np.isfinite(numbers), numbers, 0.0), side=side)
    if closed == "left":
        found = np.where(numbers <= upper[0], 0, found) if upper[0] == 0.0 else found
    return tuple(int(c) if np.isfinite(v) else NO_DATA for c, v in zip(found, numbers, strict=True))


def class_labels(classification: Classification, lang: Lang = Lang.ID) -> list[str]:
    """Each class's range written in the language's number format ('80,00 – 90,00 %', '1.234')."""
    if classification.names:
        return list(classification.names)
    fmt = {"rate": _rate_text, "change": _points_text, "distance": _km_text,
           "supply": _supply_text}.get(classification.kind, _count_text)
    labels = []
    for lo, hi in zip(classification.lower, classification.upper, strict=True):
        labels.append(fmt(lo, hi, classification.closed, lang))
    return labels


def _range_text(lo: float, hi: float, number: Callable[[float], str], unit: str) -> str:
    """'< 80,00 %', '80,00 – 90,00 %', '≥ 95,00 %' (nan = open), or one value: a class's range with its unit."""
    if math.isnan(lo):
        text = f"< {number(hi)}"
    elif math.isnan(hi):
        text = f"≥ {number(lo)}"
    elif lo == hi:
        text = number(lo)
    else:
        text = f"{number(lo)} – {number(hi)}"
    return f"{text} {unit}" if unit else text


def _rate_text(lo: float, hi: float, closed: str, lang: Lang) -> str:
    return _range_text(lo, hi, lambda x: format_decimal(x * 100, 2, lang), "%")


def _points_text(lo: float, hi: float, closed: str, lang: Lang) -> str:
    return _range_text(lo, hi, lambda x: format_points(x, 1, lang), word("points", lang))


def _km_text(lo: float, hi: float, closed: str, lang: Lang) -> str:
    return _range_text(lo, hi, lambda x: format_decimal(x, 1, lang), "km")


def _supply_text(lo: float, hi: float, closed: str, lang: Lang) -> str:
    return _range_text(lo, hi, lambda x: format_decimal(x, 2, lang), "")


def _count_text(lo: float, hi: float, closed: str, lang: Lang) -> str:
    if closed == "right":
        same = lo == hi
        return format_int(lo, lang) if same else f"{format_int(lo, lang)} – {format_int(hi, lang)}"
    if math.isnan(lo):
        return format_int(hi, lang)  # the zero class
    if math.isnan(hi):
        return f"≥ {format_int(lo, lang)}"
    return f"{format_int(max(lo, 1), lang)} – {format_int(hi - 1, lang)}"
