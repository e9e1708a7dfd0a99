"""What a unit's tooltip says: its rows (escaped labels, and how the page writes each value) and the numbers
behind them, sent as whole numbers of the digits they are shown with, and written in the page's language there.

A row is [label, kind, ...]: 'name', 'parent' (its kecamatan, or kabupaten), 'code'; 'pct' a percentage,
'int' people, 'km', 'dec' with its digits; 'pair' registered / population; 'intpct' people with their share;
'points' a change with what each segment added; 'tier'; 'segments'; 'desa' (how many desa have figures);
'fktp' (FKTP inside the unit and the supply). geojkn-map.js writes each kind as formatting.py would.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import schema
from ..analysis import marks
from ..formatting import format_percent
from ..options import DEFAULT_ACCESS_KM, Lang
from ..schema import Level, Metric
from ..vocabulary import SEGMENT_NAMES, level_label, metric_label, metric_title, word
from .encoding import varints, zigzag
from .safety import escape_text

Row = list[object]
Column = dict[str, object]  # {"d": decimal digits, "v": the values as five-bit digits (encoding.py)}


def _fixed(digits: int, scale: float = 1.0) -> Callable[[Iterable[object]], Column]:
    """Values rounded as the page shows them, with Python's own rounding (so every view agrees), sent as whole
    numbers of 10^-digits: each zigzag-folded and plus one, 0 for a missing value."""
    def convert(values: Iterable[object]) -> Column:
        numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
        scaled = numbers * scale * 10**digits
        ints = np.rint(scaled)
        # where a value sits within a hair of half a digit, Python's decimal rounding decides (as format_* does)
        close = np.flatnonzero(np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6)
        for i in close:
            ints[i] = int(f"{numbers[i] * scale:.{digits}f}".replace(".", ""))
        present = ~np.isnan(numbers)
        folded = np.zeros(len(numbers), dtype=np.uint64)
        folded[present] = zigzag(ints[present].astype(np.int64)) + np.uint64(1)
        return {"d": digits, "v": varints(folded)}
    return convert


def _folded(value: int) -> int:
    return (-2 * value - 1 if value < 0 else 2 * value) + 1


def flags(values: Iterable[bool]) -> Column:
    """Yes/no per unit as a column (1 yes, 0 no)."""
    return {"d": 0, "v": varints([_folded(int(bool(v))) for v in values])}


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


_ints = _fixed(0)
PERCENT = _fixed(2, 100.0)
POINTS = _fixed(2)
KM = _fixed(1)
SUPPLY = _fixed(2)


def tooltip_spec(units: gpd.GeoDataFrame, level: Level, metric: Metric, lang: Lang, target: float,
                 access_km: float = DEFAULT_ACCESS_KM, parent_label: str | None = None
                 ) -> tuple[list[Row], dict[str, Column]]:
    """The tooltip rows of a map's units and the number columns they read (one value per unit, None missing)."""
    goal = format_percent(target, 0, lang)
    columns: dict[str, Column] = {}

    def column(name: str, convert: Callable[[Iterable[object]], Column], key: str | None = None) -> str:
        key = key or name
        columns[key] = convert(_column(units, name))
        return key

    rows: list[Row] = [[level_label(level, lang), "name"]]
    if parent_label:
        rows.append([parent_label, "parent"])
    rows.append([word("code", lang), "code"])
    rows.append([metric_label(schema.COVERAGE, lang), "pct", column(schema.COVERAGE, PERCENT)])
    rows.append([word("registered_population", lang), "pair", column(schema.REGISTERED, _ints),
                 column(schema.POPULATION, _ints)])
    rows.append([word("active", lang), "intpct", column(schema.ACTIVE, _ints),
                 column(schema.ACTIVE_COVERAGE, PERCENT)])
    if metric == schema.ACTIVITY_RATE:
        rows.append([metric_label(schema.ACTIVITY_RATE, lang), "pct", column(schema.ACTIVITY_RATE, PERCENT)])
    rows.append([metric_title(schema.GAP, lang, goal), "int", column(schema.GAP, _ints)])
    if metric == schema.TO_REACTIVATE:
        rows.append([metric_label(schema.TO_REACTIVATE, lang), "int", column(schema.TO_REACTIVATE, _ints)])
    if metric == schema.CHANGE:
        parts = [[SEGMENT_NAMES[s], column(c, POINTS)] for s, c in zip(schema.SEGMENTS, schema.SEGMENT_CHANGES,
                                                                          strict=True)
                 if _column(units, c).notna().any()]
        rows.append([metric_label(schema.CHANGE, lang), "points", column(schema.CHANGE, POINTS), parts])
    if metric == schema.ACTIVE_CHANGE:
        rows.append([metric_label(schema.ACTIVE_CHANGE, lang), "points", column(schema.ACTIVE_CHANGE, POINTS), []])
    if metric == schema.TIER and schema.TIER in units:
        rows.append([word("tier", lang), "tier", column(schema.TIER, _ints)])
    if metric in schema.ACCESS_METRICS:
        rows += _access_rows(units, level, metric, lang, access_km, column)
    if any(_column(units, segment).notna().any() for segment in schema.SEGMENTS):
        rows.append([word("segments", lang), "segments",
                     [[SEGMENT_NAMES[s], column(s, _ints)] for s in schema.SEGMENTS
                      if _column(units, s).notna().any()]])
    if level != schema.DESA and schema.DESA_TOTAL in units.columns:
        column(schema.DESA_WITH_FIGURES, _ints, "desa_n")
        column(schema.DESA_TOTAL, _ints, "desa_total")
    compared = metric in schema.CHANGE_METRICS and level != schema.DESA and schema.DESA_TOTAL in units.columns
    if compared:
        column(schema.CHANGE_COMPARED if metric == schema.CHANGE else schema.ACTIVE_CHANGE_COMPARED, _ints, "cmp")
    if schema.COMPLETE in units.columns:
        columns["marks"] = {"d": 0, "v": varints([_folded(int(m)) for m in mark_bits(units, metric)])}
        rows.append([word("notes", lang), "marks", "marks", "cmp" if compared else None])
    if level != schema.DESA and schema.DESA_TOTAL in units.columns:
        whole = units[schema.COMPLETE].eq(True) if schema.COMPLETE in units else pd.Series(False, index=units.index)
        columns["complete"] = flags(whole)
        rows.append([word("desa_data", lang), "desa"])
    return [[escape_text(row[0]), *row[1:]] for row in rows], columns


def _access_rows(units: gpd.GeoDataFrame, level: Level, metric: Metric, lang: Lang, access_km: float,
                 column: Callable[..., str]) -> list[Row]:
    """The distances to facilities, the residents far from an FKTP and the FKTP inside the unit."""
    rows: list[Row] = []
    shown = [schema.NEAREST_FKTP_KM] + ([metric] if metric in schema.DISTANCE_METRICS[1:] else [])
    for name in shown:
        mean = "" if level == schema.DESA else f" ({word('mean', lang)})"
        rows.append([metric_label(name, lang) + mean, "km", column(name, KM)])
    if level != schema.DESA:
        far = metric_title(schema.POPULATION_BEYOND, lang, "", access_km=access_km)
        rows.append([far, "int", column(schema.POPULATION_BEYOND, _ints)])
        column(schema.FKTP, _ints)
        column(schema.FKTP_PER_10K, SUPPLY)
        column(schema.REGISTERED_PER_FKTP, _ints)
        rows.append(["FKTP", "fktp"])
    return rows


def mark_bits(units: pd.DataFrame, metric: Metric) -> list[int]:
    """Per unit, what its tooltip notes (analysis/marks.py): 1 the metric's value is partial, 2 the counts cannot be
    true, 4 a desa whose population moved too much to compare (a change map), 8 the active figures are partial."""
    found = (marks.partial(units, metric).astype(int) + 2 * marks.implausible(units).astype(int)
             + 8 * marks.partial(units, schema.ACTIVE_COVERAGE).astype(int))
    if metric in schema.CHANGE_METRICS:
        found += 4 * (marks.breaks(units) > 0).astype(int)
    return [int(v) for v in found]


def tooltip_words(lang: Lang) -> dict[str, str]:
    """The words the page's tooltips put between the numbers (escaped)."""
    keys = ("points", "below_tiers", "desa_of", "partial", "per_10k", "participants_per_fktp", "implausible",
            "data_break", "active_partial_short", "compared_of")
    return {key: escape_text(word(key, lang)) for key in keys}


def _column(units: gpd.GeoDataFrame, name: str) -> pd.Series:
    if name in units.columns:
        return pd.to_numeric(units[name], errors="coerce")
    return pd.Series(float("nan"), index=units.index)
