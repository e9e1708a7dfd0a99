"""A region's data, loaded once, and every view of it as a pure function.

RegionData holds what any page or command needs about one region: its units per level, its figures for every
period rolled up to every level, and its facilities (placed at import). Summary, ranking, trend and the unit
tables behind maps and the API are computed from it here, without I/O; workspace.py loads and caches it.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import shapely

from ..errors import DataError
from ..options import Question
from ..period import Period
from ..records import Access, Change, DesaJkn, FacilityCounts, Figures, Ranking, Region, Status, Summary
from ..schema import (
    ACTIVE_CHANGE_COMPARED,
    ACTIVE_COMPLETE,
    ACTIVE_COVERAGE,
    APPROXIMATE,
    CHANGE_COMPARED,
    CODE,
    COMPLETE,
    COVERAGE,
    CRS,
    DATA_BREAKS,
    DESA,
    DESA_TOTAL,
    DESA_WITH_ACTIVE,
    DESA_WITH_FIGURES,
    FACILITY_TYPE,
    FKTP,
    FKTP_PER_10K,
    FKTP_TYPES,
    IMPLAUSIBLE,
    KECAMATAN,
    LEVEL,
    NAME,
    NEAREST_FKTP_KM,
    PARENT,
    PERIOD,
    POPULATION,
    PROVINSI,
    REGISTERED,
    REGISTERED_PER_FKTP,
    TIER,
    TIER_NAME,
    UNIT_CODE,
    Level,
    Metric,
)
from .access import NEAREST_TYPES, unit_access
from .change import compare as compare_months
from .change import unit_changes
from .metrics import add_metrics, tier_steps
from .ranking import check_metric, rank_units
from .rollup import unit_tree

UNIT_COLUMNS = (CODE, NAME, PARENT, LEVEL)
MEMO_SIZE = 24  # unit tables a region's data keeps (levels x recent choices)
Q = TypeVar("Q", bound=Question)


def empty_units(level: Level) -> gpd.GeoDataFrame:
    """A units table with no rows."""
    frame = {c: pd.Series(dtype=object) for c in UNIT_COLUMNS}
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CRS)).assign(**{LEVEL: str(level)})


@dataclass(frozen=True, eq=False)
class RegionData:
    """Everything about one region: units per level (its own level and below), rolled-up figures, facilities."""

    region: Region
    parents: tuple[Region, ...]
    units: Mapping[Level, gpd.GeoDataFrame]
    figures: pd.DataFrame  # analysis.rollup.rollup: period, code, level, counts, desa_with_figures, complete
    facilities: gpd.GeoDataFrame
    sources: Mapping[Period, tuple[str, ...]] = field(default_factory=dict)  # where each month's figures come from
    access: pd.DataFrame = field(default_factory=pd.DataFrame)  # per desa code: km to the nearest FKTP, ... (access.py)
    # unit tables already made from this data (unit_table), the most recent last
    memo: OrderedDict[tuple[object, ...], gpd.GeoDataFrame] = field(default_factory=OrderedDict, repr=False)
    memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def fktp_places(self) -> pd.Series:
        """The unit codes the region's FKTP were placed in."""
        if UNIT_CODE not in self.facilities:
            return pd.Series([], dtype=object)
        fktp = self.facilities[self.facilities[FACILITY_TYPE].isin(FKTP_TYPES)]
        return fktp[UNIT_CODE].dropna().astype(str)

    @cached_property
    def desa_totals(self) -> dict[str, int]:
        """How many desa each unit of the region holds (stored boundaries)."""
        codes = pd.Series([code for frame in self.units.values() for code in frame[CODE].tolist()],
                          dtype=object).astype(str)
        if not codes.str.len().isin((2, 5, 8, 13)).all():  # codes of another form: the general count
            tree = unit_tree(codes)
            return dict(zip(tree[CODE], tree[DESA_TOTAL].astype(int), strict=True))
        desa = codes[codes.str.len() == 13]
        totals = dict.fromkeys(codes.tolist(), 0)
        for width in (2, 5, 8):
            totals.update({str(k): int(v) for k, v in desa.str[:width].value_counts().items()})
        totals.update(dict.fromkeys(desa.tolist(), 1))
        return totals

    @cached_property
    def periods(self) -> tuple[Period, ...]:
        """Periods with figures in the region, oldest first."""
        return tuple(sorted(Period.parse(p) for p in self.figures[PERIOD].unique()))

    @cached_property
    def _by_period(self) -> dict[Period, pd.DataFrame]:
        return {Period.parse(p): rows.drop(columns=PERIOD) for p, rows in self.figures.groupby(PERIOD, sort=True)}

    def weight(self) -> int:
        """About how many bytes the region's data holds in memory (the bound of the cache that keeps it)."""
        frames = [*self.units.values(), self.figures, self.facilities, self.access]
        table = sum(int(frame.memory_usage(index=True, deep=False).sum()) for frame in frames)
        shapes = sum(int(shapely.get_num_coordinates(frame.geometry.values).sum()) * 16 + 100 * len(frame)
                     for frame in (*self.units.values(), self.facilities) if isinstance(frame, gpd.GeoDataFrame))
        return table + shapes

    def units_of(self, level: Level) -> gpd.GeoDataFrame:
        """The units of one level inside the region (empty if none are stored)."""
        found = self.units.get(level)
        return empty_units(level) if found is None else found

    def figures_of(self, period: Period | None) -> pd.DataFrame:
        """The rolled-up counts of one period (no rows for None or a period without figures)."""
        if period is None or period not in self._by_period:
            return self.figures.iloc[:0].drop(columns=PERIOD)
        return self._by_period[period]


def view_levels(data: RegionData) -> tuple[Level, ...]:
    """The levels a region can be mapped and ranked at: those below it with stored units; else its own."""
    below = tuple(level for level in data.region.level.below() if len(data.units_of(level)))
    return below or (data.region.level,)


def check_level(data: RegionData, level: Level) -> Level:
    """The level, if the region can be shown at it; else a DataError naming the levels it can."""
    allowed = view_levels(data)
    if level not in allowed:
        raise DataError(f"{data.region.name} ({data.region.level}) has no {level} units inside it in the store; "
                        f"choose one of: {', '.join(allowed)}.")
    return level


def map_level(data: RegionData, asked: Level | None) -> Level:
    """The level a map shows: the one asked for, else desa (kecamatan for a province: thousands of desa make a
    slow first view), else the nearest level below with units."""
    if asked is not None:
        return check_level(data, asked)
    allowed = view_levels(data)
    usual = KECAMATAN if data.region.level == PROVINSI else DESA
    return usual if usual in allowed else allowed[0]


def rank_level(data: RegionData, asked: Level | None) -> Level:
    """The level a ranking lists: the one asked for, else the nearest level below the region with units."""
    return check_level(data, asked) if asked is not None else view_levels(data)[0]


def choose_period(data: RegionData, asked: Period | None) -> Period | None:
    """The period asked for, else the latest with figures (None when there are none)."""
    if asked is None:
        return data.periods[-1] if data.periods else None
    if asked not in data.periods:
        listed = ", ".join(str(p) for p in data.periods) or "none yet"
        raise DataError(f"No figures for period {asked} in {data.region.name}. Periods with figures: {listed}.")
    return asked


def choose_periods(data: RegionData, period: Period | None,
                   since: Period | None) -> tuple[Period | None, Period | None]:
    """The period shown and the one changes are measured from, both checked (see choose_period, choose_since)."""
    shown = choose_period(data, period)
    return shown, choose_since(data, shown, since)


def settle(data: RegionData, question: Q) -> Q:
    """The question with its month and the month of comparison settled for this region (both checked): what
    every view below is asked with."""
    period, since = choose_periods(data, question.period, question.since)
    return replace(question, period=period, since=since)


def resolve(data: RegionData, question: Q) -> Q:
    """The question settled for a map or a document of the region: its months (settle) and its level (map_level),
    both checked."""
    return replace(settle(data, question), level=map_level(data, question.level))


def previous_period(data: RegionData, period: Period | None) -> Period | None:
    """The latest period with figures before `period` (None when there is none)."""
    earlier = [p for p in data.periods if period is not None and p < period]
    return earlier[-1] if earlier else None


def choose_since(data: RegionData, period: Period | None, asked: Period | None) -> Period | None:
    """The period a change is measured from: the one asked for (with figures, before `period`), else the period
    before `period` (None when there is none)."""
    if asked is None:
        return previous_period(data, period)
    if asked not in data.periods:
        listed = ", ".join(str(p) for p in data.periods) or "none yet"
        raise DataError(f"No figures for period {asked} (since) in {data.region.name}. Periods with figures: "
                        f"{listed}.")
    if period is None or asked >= period:
        raise DataError(f"since {asked} must come before the period shown ({period}): a change is measured from "
                        "an earlier month.")
    return asked


def unit_table(data: RegionData, level: Level, question: Question) -> gpd.GeoDataFrame:
    """The units of a level with their counts for the question's period (own rows or sums of their desa), metrics,
    the change since its `since` (see unit_changes), access to FKTP (see _with_access) and the award tier they
    reach (metrics.tier_steps). Made once per region data and question (a dashboard asks for the same table for
    its summary, rankings and Desa JKN): callers must not change it."""
    key = (str(level), *question.figures)
    with data.memo_lock:
        found = data.memo.get(key)
        if found is not None:
            data.memo.move_to_end(key)
            return found
    table = _unit_table(data, level, question)
    with data.memo_lock:
        data.memo[key] = table
        while len(data.memo) > MEMO_SIZE:
            data.memo.popitem(last=False)
    return table


def _unit_table(data: RegionData, level: Level, question: Question) -> gpd.GeoDataFrame:
    period, tiers = question.period, question.tiers
    units = data.units_of(level)
    counts = data.figures_of(period).drop(columns=LEVEL)
    table = units.merge(counts.drop(columns=DESA_TOTAL), on=CODE, how="left")
    table[DESA_WITH_FIGURES] = table[DESA_WITH_FIGURES].fillna(0).astype("int64")
    table[DESA_TOTAL] = table[CODE].map(data.desa_totals).fillna(0).astype("int64")
    table[DESA_WITH_ACTIVE] = table[DESA_WITH_ACTIVE].fillna(0).astype("int64")
    for flag in (COMPLETE, ACTIVE_COMPLETE):
        table[flag] = table[flag].astype("boolean").fillna(False).astype(bool)
    since = question.since or previous_period(data, period)
    changes = changes_of(data, level, period, since)
    with_metrics = add_metrics(table, question.target).join(changes, on=CODE)
    if since is not None:  # a unit with no desa in both months compared none of them
        counted = [CHANGE_COMPARED, ACTIVE_CHANGE_COMPARED, DATA_BREAKS]
        with_metrics[counted] = with_metrics[counted].fillna(0.0)
    with_access = _with_access(data, with_metrics, level, period, question.access_km)
    steps = tier_steps(with_access[COVERAGE], with_access[ACTIVE_COVERAGE], with_access[COMPLETE], tiers,
                       with_access[ACTIVE_COMPLETE], with_access[IMPLAUSIBLE])
    names = {float(len(tiers) - i): tier.name for i, tier in enumerate(tiers)}
    with_access[TIER] = steps
    with_access[TIER_NAME] = steps.map(names).astype(object)
    return gpd.GeoDataFrame(with_access, geometry="geometry", crs=units.crs)


def _with_access(data: RegionData, table: pd.DataFrame, level: Level, period: Period | None,
                 access_km: float) -> pd.DataFrame:
    """The table with the units' access to FKTP (analysis/access.py) and FKTP supply: per 10.000 residents and
    registered participants per FKTP, for whole units only (a partial population would overstate them)."""
    desa_codes = data.units_of(DESA)[CODE]
    rows = data.figures_of(period)
    population = rows[rows[LEVEL] == DESA].set_index(CODE)[POPULATION]
    desa = data.access.reindex(index=desa_codes, columns=list(NEAREST_TYPES)).astype("float64")
    desa[POPULATION] = population.reindex(desa_codes).to_numpy(dtype="float64")
    out = table.join(unit_access(table[CODE], level, desa, data.fktp_places, access_km), on=CODE)
    whole = out[COMPLETE] & (out[POPULATION] > 0)
    fktp = out[FKTP].astype("float64")
    out[FKTP_PER_10K] = (fktp / out[POPULATION] * 10_000).where(whole)
    out[REGISTERED_PER_FKTP] = (out[REGISTERED] / fktp.where(fktp > 0)).where(whole)
    return out


def changes_of(data: RegionData, level: Level, period: Period | None, since: Period | None) -> pd.DataFrame:
    """Each unit's change from `since` to `period`, like for like (analysis/change.py)."""
    if period is None or since is None:
        return unit_changes(data.figures_of(period), None, level)
    return unit_changes(data.figures_of(period), data.figures_of(since), level)


def region_figures(data: RegionData, period: Period | None, target: float) -> Figures:
    """The region's own figures for one period (summed from its units unless a file gave its own row)."""
    rows = data.figures_of(period)
    own = add_metrics(rows[rows[CODE] == data.region.code], target)
    if len(own):
        return Figures.of(period, own.iloc[0].to_dict())
    return Figures(period, desa_total=data.desa_totals.get(data.region.code, 0))


def trend(data: RegionData, target: float) -> tuple[Figures, ...]:
    """The region's figures for every period it has, oldest first (one pass over its own rows)."""
    own = data.figures[data.figures[CODE] == data.region.code].sort_values(PERIOD)
    return tuple(Figures.of(Period.parse(row[PERIOD]), row) for row in add_metrics(own, target).to_dict("records"))


def at_target(desa: pd.DataFrame, target: float) -> pd.DataFrame:
    """The units whose registered coverage reaches the target on whole, plausible figures (Desa JKN)."""
    return desa[(desa[COVERAGE] >= target) & desa[COMPLETE] & ~desa[IMPLAUSIBLE]]


def status(figures: Figures, target: float, active_target: float) -> Status:
    """Which thresholds figures meet and how many people they lack for each, each on the same base as the rate
    it stands beside: partial or implausible figures meet nothing, and the active target is compared only when
    the active participants are given for the whole unit."""
    if not figures.complete or figures.population is None or figures.implausible:
        return Status(target, active_target, None, None, None, None)
    # round before ceil, as add_metrics does: 0.8 * 1000 is 800.0000000000001 in binary floating point
    active_needed = math.ceil(round(active_target * figures.population, 6))
    whole = figures.active is not None and figures.active_complete
    active_gap = max(0, active_needed - figures.active) if whole and figures.active is not None else None
    meets_active = None if active_gap is None else active_gap == 0
    return Status(target, active_target, figures.gap == 0, meets_active, figures.gap, active_gap)


def desa_jkn(data: RegionData, question: Question) -> DesaJkn:
    """The desa at the registered target, grouped by kecamatan in code order."""
    target = question.target
    desa = unit_table(data, DESA, question)
    reached = at_target(desa, target).sort_values(CODE)
    names = {code: name for frame in data.units.values() for code, name in zip(frame[CODE], frame[NAME], strict=True)}
    groups = []
    for kecamatan, rows in reached.groupby(PARENT, sort=True):
        region = Region(str(kecamatan), names.get(str(kecamatan), str(kecamatan)), KECAMATAN)
        members = tuple((Region(c, str(n), DESA), float(s)) for c, n, s in zip(rows[CODE], rows[NAME], rows[COVERAGE],
                                                                                strict=True))
        groups.append((region, members))
    return DesaJkn(data.region, question.period, target, tuple(groups))


def access_summary(desa: pd.DataFrame, figures: Figures, fktp: int, access_km: float) -> Access | None:
    """The region's access to FKTP from the unit table of its desa and its own figures."""
    measured = desa[desa[NEAREST_FKTP_KM].notna()]
    if measured.empty:
        return None
    far = measured[measured[NEAREST_FKTP_KM] > access_km]
    people = far[POPULATION].sum(min_count=1) if len(far) else 0  # no desa far away: nobody lives far away
    weighted = measured[measured[POPULATION].notna()]
    total = float(weighted[POPULATION].sum())
    whole = figures.complete and figures.population is not None and figures.population > 0
    beyond = None if pd.isna(people) else int(people)
    return Access(
        access_km, len(measured), len(far), beyond,
        beyond / figures.population if whole and beyond is not None and figures.population else None,
        float((weighted[NEAREST_FKTP_KM] * weighted[POPULATION]).sum() / total) if total > 0 else None,
        fktp, fktp / figures.population * 10_000 if whole and figures.population else None,
        figures.registered / fktp if whole and fktp and figures.registered is not None else None)


def summarise(data: RegionData, question: Question) -> Summary:
    """The region's summary for the question (settled with settle): figures, status, change since its `since`,
    facilities and access."""
    period, target = question.period, question.target
    before = question.since or previous_period(data, period)
    desa = unit_table(data, DESA, question)
    reached = at_target(desa, target)
    figures = region_figures(data, period, target)
    return Summary(
        region=data.region, period=period, target=target, figures=figures,
        desa=len(desa), desa_with_figures=int(desa[COMPLETE].sum()), desa_at_target=len(reached),
        kecamatan=len(data.units_of(KECAMATAN)), kecamatan_with_desa_at_target=int(reached[PARENT].nunique()),
        desa_implausible=int(desa[IMPLAUSIBLE].sum()),
        facilities=FacilityCounts.of(data.facilities[FACILITY_TYPE], data.facilities.get(APPROXIMATE)),
        periods=data.periods,
        previous=region_figures(data, before, target) if before is not None else None,
        change=compare(data, period, before) if before is not None and period is not None else None,
        sources=tuple(data.sources.get(period, ())) if period is not None else (),
        status=status(figures, target, question.active_target) if period is not None else None,
        access=access_summary(desa, figures, len(data.fktp_places), question.access_km),
    )


def compare(data: RegionData, period: Period, since: Period) -> Change | None:
    """The region's change from `since` to `period`, like for like (analysis/change.py)."""
    return compare_months(data.figures_of(period), data.figures_of(since), since, data.region.level)


def place_in(parent: RegionData, code: str, question: Question) -> tuple[int, int] | None:
    """Where a desa stands among the desa of a region around it: (its rank, how many are ranked), worst first."""
    if DESA not in view_levels(parent) or question.period not in parent.periods:
        return None
    table = rank(parent, DESA, question).table
    hit = table.index[table[CODE] == code]
    return (int(table.loc[hit[0], "rank"]), len(table)) if len(hit) else None


def rank(data: RegionData, level: Level, question: Question, below: float | None = None) -> Ranking:
    """The units of a level (already checked with rank_level) worst first by the question's metric, as a
    Ranking."""
    metric = Metric(check_metric(question.metric))
    table = pd.DataFrame(unit_table(data, level, question).drop(columns="geometry"))
    since = question.since or previous_period(data, question.period)
    return Ranking(data.region, question.period, level, metric, question.target, rank_units(table, metric, below),
                   since if metric.is_change else None)
