"""What a unit's tooltip says: figures formatted for the language, every value HTML-escaped."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from .. import schema
from ..formatting import MISSING, format_int, format_percent
from ..options import Lang
from ..schema import Level, Metric
from ..vocabulary import level_label, metric_label, metric_title, word
from .safety import escape_text

KEC_NAME = schema.KECAMATAN_NAME


def tooltip_table(units: gpd.GeoDataFrame, level: Level, metric: Metric, lang: Lang,
                  target: float) -> tuple[pd.DataFrame, list[str]]:
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
