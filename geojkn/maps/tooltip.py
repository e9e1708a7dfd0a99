"""What a unit's tooltip says: figures formatted for the language, every value HTML-escaped."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from .. import schema
from ..formatting import MISSING, format_int, format_metric, format_percent, format_points
from ..options import DEFAULT_ACCESS_KM, Lang
from ..schema import Level, Metric
from ..vocabulary import SEGMENT_NAMES, level_label, metric_label, metric_title, word
from .safety import escape_text

KEC_NAME = schema.KECAMATAN_NAME


def tooltip_table(units: gpd.GeoDataFrame, level: Level, metric: Metric, lang: Lang, target: float,
                  access_km: float = DEFAULT_ACCESS_KM) -> tuple[pd.DataFrame, list[str]]:
    """Escaped display strings per unit (one column per tooltip row) and their escaped labels."""
    goal = format_percent(target, 0, lang)
    rows: dict[str, tuple[str, pd.Series]] = {}
    rows["t_name"] = (level_label(level, lang), units[schema.NAME])
    if level == schema.DESA and KEC_NAME in units.columns:
        rows["t_kec"] = (level_label(schema.KECAMATAN, lang), units[KEC_NAME])
    rows["t_code"] = (word("code", lang), units[schema.CODE])
    rows["t_cov"] = (metric_label(schema.COVERAGE, lang), _percents(units, schema.COVERAGE, lang))
    rows["t_reg"] = (word("registered_population", lang), _pairs(units, lang))
    rows["t_act"] = (word("active", lang), _active(units, lang))
    if metric == schema.ACTIVITY_RATE:
        rows["t_rate"] = (metric_label(schema.ACTIVITY_RATE, lang), _percents(units, schema.ACTIVITY_RATE, lang))
    rows["t_gap"] = (metric_title(schema.GAP, lang, goal), _ints(units, schema.GAP, lang))
    if metric == schema.TO_REACTIVATE:
        rows["t_rea"] = (metric_label(schema.TO_REACTIVATE, lang), _ints(units, schema.TO_REACTIVATE, lang))
    if metric == schema.CHANGE:
        rows["t_chg"] = (metric_label(schema.CHANGE, lang), _change(units, lang))
    if metric == schema.ACTIVE_CHANGE:
        rows["t_achg"] = (metric_label(schema.ACTIVE_CHANGE, lang), _points(units, schema.ACTIVE_CHANGE, lang))
    if metric == schema.TIER and schema.TIER_NAME in units:
        names = units[schema.TIER_NAME].where(units[schema.TIER_NAME].notna(), word("below_tiers", lang))
        rows["t_tier"] = (word("tier", lang), names.where(_column(units, schema.TIER).notna(), MISSING))
    if metric in schema.ACCESS_METRICS:
        rows.update(_access_rows(units, level, metric, lang, access_km))
    if any(_column(units, segment).notna().any() for segment in schema.SEGMENTS):
        rows["t_seg"] = (word("segments", lang), _segments(units, lang))
    if level != schema.DESA and schema.DESA_TOTAL in units.columns:
        rows["t_desa"] = (word("desa_data", lang), _coverage_of_desa(units, lang))
    table = pd.DataFrame({key: values.map(escape_text).to_numpy() for key, (_, values) in rows.items()},
                         index=units.index)
    return table, [escape_text(label) for label, _ in rows.values()]


def _coverage_of_desa(units: gpd.GeoDataFrame, lang: Lang) -> pd.Series:
    """'12 dari 14 (sebagian)': how many of a unit's desa its figures cover, marked when they are partial."""
    with_figures, total = _column(units, schema.DESA_WITH_FIGURES), _column(units, schema.DESA_TOTAL)
    whole = (units[schema.COMPLETE].eq(True) if schema.COMPLETE in units
             else pd.Series(False, index=units.index))
    has_value = _column(units, schema.POPULATION).notna()
    texts = []
    for n, total_n, complete, value in zip(with_figures, total, whole, has_value, strict=True):
        text = word("desa_of", lang, n=format_int(n, lang), total=format_int(total_n, lang))
        texts.append(text + (f" ({word('partial', lang)})" if value and not complete else ""))
    return pd.Series(texts, index=units.index)


def _column(units: gpd.GeoDataFrame, name: str) -> pd.Series:
    if name in units.columns:
        return pd.to_numeric(units[name], errors="coerce")
    return pd.Series(float("nan"), index=units.index)


def _percents(units: gpd.GeoDataFrame, name: str, lang: Lang) -> pd.Series:
    return _column(units, name).map(lambda v: format_percent(v, 2, lang))


def _ints(units: gpd.GeoDataFrame, name: str, lang: Lang) -> pd.Series:
    return _column(units, name).map(lambda v: format_int(v, lang))


def _pairs(units: gpd.GeoDataFrame, lang: Lang) -> pd.Series:
    registered = _column(units, schema.REGISTERED)
    population = _column(units, schema.POPULATION)
    return pd.Series([f"{format_int(r, lang)} / {format_int(p, lang)}"
                      for r, p in zip(registered, population, strict=True)], index=units.index)


def _active(units: gpd.GeoDataFrame, lang: Lang) -> pd.Series:
    active = _column(units, schema.ACTIVE)
    share = _column(units, schema.ACTIVE_COVERAGE)
    texts = []
    for a, s in zip(active, share, strict=True):
        pct = format_percent(s, 2, lang)
        texts.append(format_int(a, lang) + ("" if pct == MISSING else f" ({pct})"))
    return pd.Series(texts, index=units.index)


def _points(units: gpd.GeoDataFrame, name: str, lang: Lang) -> pd.Series:
    unit = word("points", lang)
    return _column(units, name).map(lambda v: f"{format_points(v, 2, lang)} {unit}" if pd.notna(v) else MISSING)


def _change(units: gpd.GeoDataFrame, lang: Lang) -> pd.Series:
    """'−4,00 poin (PBI JK −3,10; PPU −0,90)': the change in coverage and what each segment added to it."""
    totals = _points(units, schema.CHANGE, lang)
    parts = {SEGMENT_NAMES[s]: _column(units, c) for s, c in zip(schema.SEGMENTS, schema.SEGMENT_CHANGES, strict=True)}
    texts = []
    for i, total in enumerate(totals):
        shares = [f"{name} {format_points(values.iloc[i], 2, lang)}" for name, values in parts.items()
                  if pd.notna(values.iloc[i])]
        texts.append(total + (f" ({'; '.join(shares)})" if shares and total != MISSING else ""))
    return pd.Series(texts, index=units.index)


def _segments(units: gpd.GeoDataFrame, lang: Lang) -> pd.Series:
    """'PBI JK 1.887 · PPU 526 · …': registered participants by segment, where the figures give them."""
    columns = {SEGMENT_NAMES[s]: _column(units, s) for s in schema.SEGMENTS}
    texts = []
    for i in range(len(units)):
        given = [f"{name} {format_int(values.iloc[i], lang)}" for name, values in columns.items()
                 if pd.notna(values.iloc[i])]
        texts.append(" · ".join(given) or MISSING)
    return pd.Series(texts, index=units.index)


def _access_rows(units: gpd.GeoDataFrame, level: Level, metric: Metric, lang: Lang,
                 access_km: float) -> dict[str, tuple[str, pd.Series]]:
    """The distances to facilities, the residents far from an FKTP and the FKTP inside the unit."""
    rows: dict[str, tuple[str, pd.Series]] = {}
    shown = [schema.NEAREST_FKTP_KM] + ([metric] if metric in schema.DISTANCE_METRICS[1:] else [])
    for i, name in enumerate(shown):
        values = _column(units, name).map(lambda v, m=name: format_metric(m, v, lang))
        rows[f"t_km{i}"] = (metric_label(name, lang) + ("" if level == schema.DESA else f" ({word('mean', lang)})"),
                            values)
    if level != schema.DESA:
        far = metric_title(schema.POPULATION_BEYOND, lang, "", access_km=access_km)
        rows["t_far"] = (far, _ints(units, schema.POPULATION_BEYOND, lang))
        per = [f"{format_int(n, lang)} ({format_metric(schema.FKTP_PER_10K, a, lang)} {word('per_10k', lang)}; "
               f"{format_int(b, lang)} {word('participants_per_fktp', lang)})"
               for n, a, b in zip(_column(units, schema.FKTP), _column(units, schema.FKTP_PER_10K),
                                  _column(units, schema.REGISTERED_PER_FKTP), strict=True)]
        rows["t_fktp"] = ("FKTP", pd.Series(per, index=units.index))
    return rows
