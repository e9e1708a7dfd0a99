"""What the CLI and the web ask: a region's units with metrics, its summary, its ranking, its facilities."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from .analysis.facilities import count_by_type, place_facilities, within_region
from .analysis.metrics import N_DESA, add_metrics, rollup
from .analysis.ranking import check_metric, rank_units
from .analysis.regions import resolve_region
from .errors import DataError
from .schema import (ACTIVE, CODE, COUNTS, COVERAGE, DEFAULT_TARGET, DESA, KABUPATEN, KECAMATAN, PROVINSI, LEVEL, LEVEL_PARTS, LEVELS,
                     METRICS, NAME, PARENT, PERIOD, POPULATION, REGISTERED)
from .serialize import plain
from .store import Store

PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def region(store: Store, query: str) -> dict:
    """The region a query names (code, name, level)."""
    if not store.exists():
        raise DataError(f"The store {store.location} holds no boundaries yet: run `geojkn import-boundaries FILE` first.")
    return resolve_region(query, store.unit_index())


def check_target(target: float) -> float:
    """The target share, or a DataError saying what is allowed."""
    if not (isinstance(target, (int, float)) and 0 < target <= 1):
        raise DataError(f"The target must be a share between 0 and 1 such as 0.95 (got {target}).")
    return float(target)


def check_level(level: str, region_level: str | None = None) -> str:
    """A level that can be mapped and ranked inside the region."""
    if level not in LEVELS:
        raise DataError(f"Unknown level '{level}'. Use one of: {', '.join(LEVELS)}.")
    if region_level and LEVEL_PARTS[level] < LEVEL_PARTS[region_level]:
        raise DataError(f"A {region_level} has no {level} units inside it; choose a level below {region_level}.")
    return level


def overview(store: Store, target: float = DEFAULT_TARGET) -> pd.DataFrame:
    """The regions a planner picks from: each province with several kabupaten/kota in the store, then the
    kabupaten/kota (else the top level present), each at its latest period."""
    index = store.unit_index()
    present = [lv for lv in (KABUPATEN, KECAMATAN, DESA) if (index[LEVEL] == lv).any()]
    if not present:
        return pd.DataFrame(columns=[CODE, NAME, LEVEL, PERIOD])
    top = index[index[LEVEL] == present[0]].sort_values(CODE)
    names = index.set_index(CODE)[NAME]
    provinces = top[CODE].str[:2].value_counts()
    figures = store.figures()
    rows = []
    for code in sorted(provinces[provinces > 1].index):
        rows.append(_latest_counts(figures, code, names.get(code, f"Provinsi {code}"), PROVINSI))
    rows += [_latest_counts(figures, unit.code, unit.name, unit.level) for unit in top.itertuples()]
    table = pd.DataFrame(rows).reindex(columns=[CODE, NAME, LEVEL, PERIOD, POPULATION, REGISTERED, ACTIVE])
    return add_metrics(table.sort_values(CODE, kind="stable"), target).reset_index(drop=True)


def _latest_counts(figures: pd.DataFrame, code: str, name: str, level: str) -> dict:
    """A region's counts at the latest period it has figures for."""
    mine = figures[figures[CODE].str.startswith(code + ".") | (figures[CODE] == code)]
    period = mine[PERIOD].max() if len(mine) else None
    row = {CODE: code, NAME: name, LEVEL: level, PERIOD: period}
    if period:
        counts = rollup(mine[mine[PERIOD] == period]).set_index(CODE)
        if code in counts.index:
            row.update(counts.loc[code, [POPULATION, REGISTERED, ACTIVE]].to_dict())
    return row


def choose_period(store: Store, code: str, period: str | None) -> str | None:
    """The period asked for (checked), else the latest one with figures for the region; None if there are none."""
    available = sorted(store.figures(within=code)[PERIOD].unique())
    if period is None:
        return available[-1] if available else None
    if not PERIOD_RE.match(str(period)):
        raise DataError(f"Period '{period}' is not of the form YYYY-MM (e.g. 2022-01).")
    if period not in available:
        listed = ", ".join(available) or "none yet"
        raise DataError(f"No figures for period {period} in this region. Periods with figures: {listed}.")
    return period


def unit_metrics(store: Store, code: str, level: str, period: str | None, target: float = DEFAULT_TARGET) -> gpd.GeoDataFrame:
    """Units of `level` inside region `code`, with their counts (own or summed from desa) and metrics."""
    units = store.units(level, within=code)
    figures = store.figures(period, within=code) if period else store.figures().iloc[:0]
    counts = rollup(figures).drop(columns=[LEVEL])
    table = units.merge(counts, on=CODE, how="left")
    table[N_DESA] = table[N_DESA].fillna(0).astype("int64")
    table = add_metrics(table, target)
    names = store.unit_index().set_index(CODE)[NAME]
    table["kecamatan_name"] = table[PARENT].map(names).where(table[LEVEL] == DESA, None) if len(table) else None
    return gpd.GeoDataFrame(table, geometry="geometry", crs=units.crs)


_PLACED: dict[tuple[str, str], gpd.GeoDataFrame] = {}


def placed_facilities(store: Store) -> gpd.GeoDataFrame:
    """Every facility placed in the smallest unit containing it, computed once per store version."""
    key = (store.location, store.version())
    if key not in _PLACED:
        if len(_PLACED) > 8:
            _PLACED.clear()
        units = {level: store.units(level) for level in LEVELS}
        _PLACED[key] = place_facilities(store.facilities(), units)
    return _PLACED[key]


def facilities(store: Store, code: str) -> gpd.GeoDataFrame:
    """Facility points inside a region (with the unit they lie in)."""
    return within_region(placed_facilities(store), code).copy()


def _region_row(store: Store, code: str, period: str | None, target: float) -> pd.Series:
    """A region's own counts and metrics for one period (summed from its units); empty without figures."""
    figures = store.figures(period, within=code) if period else store.figures().iloc[:0]
    own = add_metrics(rollup(figures), target)
    own = own[own[CODE] == code]
    return own.iloc[0] if len(own) else pd.Series(dtype=object)


def _previous(store: Store, code: str, period: str | None, periods: list[str], target: float) -> dict | None:
    """The same figures one period earlier, for the change since then; None for the first period."""
    earlier = [p for p in periods if period and p < period]
    if not earlier:
        return None
    row = _region_row(store, code, earlier[-1], target)
    return {PERIOD: earlier[-1], **{c: plain(row.get(c)) for c in (POPULATION, REGISTERED, ACTIVE) + METRICS}}


def trend(store: Store, code: str, target: float = DEFAULT_TARGET) -> list[dict]:
    """The region's counts and rates for every period it has figures for, oldest first."""
    periods = sorted(store.figures(within=code)[PERIOD].unique())
    rows = [_region_row(store, code, period, target) for period in periods]
    keep = (POPULATION, REGISTERED, ACTIVE) + METRICS
    return [{PERIOD: p, **{c: plain(row.get(c)) for c in keep}} for p, row in zip(periods, rows)]


def summary(store: Store, query: str, period: str | None = None, target: float = DEFAULT_TARGET) -> dict:
    """The figures of one region as one JSON-ready object (the shape of `geojkn summary --json`)."""
    target = check_target(target)
    reg = region(store, query)
    period = choose_period(store, reg[CODE], period)
    row = _region_row(store, reg[CODE], period, target)
    desa = unit_metrics(store, reg[CODE], DESA, period, target)
    at_target = desa[desa[COVERAGE] >= target]
    periods = sorted(store.figures(within=reg[CODE])[PERIOD].unique().tolist())
    out = {CODE: reg[CODE], NAME: reg[NAME], LEVEL: reg[LEVEL], PERIOD: period}
    out.update({c: plain(row.get(c)) for c in (POPULATION, REGISTERED, ACTIVE) + METRICS[:3]})
    out["target"] = target
    out.update({c: plain(row.get(c)) for c in METRICS[3:]})
    out.update({
        "desa": int(len(desa)),
        "desa_with_figures": int(desa[POPULATION].notna().sum()),
        "desa_at_target": int(len(at_target)),
        "kecamatan": int(len(store.units(KECAMATAN, within=reg[CODE]))),
        "kecamatan_with_desa_at_target": int(at_target[PARENT].nunique()),
        "segments": {c: plain(row.get(c)) for c in COUNTS[3:]},
        "facilities": count_by_type(facilities(store, reg[CODE])),
        "periods": periods,
        "previous": _previous(store, reg[CODE], period, periods, target),
    })
    return out


def ranking(store: Store, query: str, level: str = KECAMATAN, metric: str = COVERAGE, below: float | None = None,
            period: str | None = None, target: float = DEFAULT_TARGET) -> tuple[dict, str | None, pd.DataFrame]:
    """The units of a level inside a region, worst first: (region, period, table)."""
    target = check_target(target)
    reg = region(store, query)
    check_level(level, reg[LEVEL])
    check_metric(metric)
    period = choose_period(store, reg[CODE], period)
    table = unit_metrics(store, reg[CODE], level, period, target)
    return reg, period, rank_units(pd.DataFrame(table.drop(columns="geometry")), metric, below)
