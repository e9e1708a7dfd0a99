"""Typed records passed between layers (region, figures, facility counts, summary, ranking).

Each record turns into the documented JSON only at the edges (`to_json`), in the key order the README gives:
the JSON of `geojkn summary --json`, `rank --format json` and the API is a contract.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from .period import Period
from .schema import (
    ACTIVE,
    ACTIVE_COMPLETE,
    ACTIVE_COVERAGE,
    ACTIVITY_RATE,
    COMPLETE,
    COVERAGE,
    DESA_TOTAL,
    DESA_WITH_ACTIVE,
    DESA_WITH_FIGURES,
    FACILITY_GROUPS,
    FACILITY_TYPES,
    GAP,
    IMPLAUSIBLE,
    POPULATION,
    REGISTERED,
    SEGMENTS,
    TO_REACTIVATE,
    Level,
    Metric,
)
from .serialize import plain, records


def _count(value: object) -> int | None:
    number = plain(value)
    return int(number) if isinstance(number, (int, float)) else None


def _share(value: object) -> float | None:
    number = plain(value)
    return float(number) if isinstance(number, (int, float)) else None


def _flag(value: object) -> bool:
    flag = plain(value)
    return bool(flag) if isinstance(flag, (bool, int, float)) else False


def _text(period: Period | None) -> str | None:
    return None if period is None else str(period)


@dataclass(frozen=True)
class Region:
    """A unit a planner asks about: its code, name and level."""

    code: str
    name: str
    level: Level

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "level": str(self.level)}


@dataclass(frozen=True)
class Figures:
    """A unit's counts and metrics for one period; None where a value is missing or cannot be computed."""

    period: Period | None
    population: int | None = None
    registered: int | None = None
    active: int | None = None
    coverage: float | None = None
    active_coverage: float | None = None
    activity_rate: float | None = None
    gap: int | None = None
    to_reactivate: int | None = None
    segments: Mapping[str, int | None] = field(default_factory=dict)
    desa_with_figures: int = 0
    desa_total: int = 0
    complete: bool = False  # population and registered cover every desa: coverage and gap are whole
    active_complete: bool = False  # active participants too: the active rates and people to reactivate are whole
    desa_with_active: int = 0  # desa whose population, registered and active are all given
    implausible: bool = False  # counts that cannot be true ("tidak wajar"): see analysis/metrics.implausible

    @classmethod
    def of(cls, period: Period | None, row: Mapping[Hashable, object]) -> Figures:
        """The figures in one row of a metrics table (missing columns are None)."""
        return cls(period, _count(row.get(POPULATION)), _count(row.get(REGISTERED)), _count(row.get(ACTIVE)),
                   _share(row.get(COVERAGE)), _share(row.get(ACTIVE_COVERAGE)), _share(row.get(ACTIVITY_RATE)),
                   _count(row.get(GAP)), _count(row.get(TO_REACTIVATE)),
                   {s: _count(row.get(s)) for s in SEGMENTS}, _count(row.get(DESA_WITH_FIGURES)) or 0,
                   _count(row.get(DESA_TOTAL)) or 0, _flag(row.get(COMPLETE)), _flag(row.get(ACTIVE_COMPLETE)),
                   _count(row.get(DESA_WITH_ACTIVE)) or 0, _flag(row.get(IMPLAUSIBLE)))

    def value(self, metric: Metric) -> float | None:
        """The value of one metric."""
        number: float | None = getattr(self, str(metric))
        return number

    def to_json(self) -> dict[str, Any]:
        """Period, counts, metrics and how many desa they cover (segments are reported beside them)."""
        return {"period": _text(self.period), POPULATION: self.population, REGISTERED: self.registered,
                ACTIVE: self.active, COVERAGE: self.coverage, ACTIVE_COVERAGE: self.active_coverage,
                ACTIVITY_RATE: self.activity_rate, GAP: self.gap, TO_REACTIVATE: self.to_reactivate,
                DESA_WITH_FIGURES: self.desa_with_figures, DESA_TOTAL: self.desa_total, COMPLETE: self.complete,
                ACTIVE_COMPLETE: self.active_complete, DESA_WITH_ACTIVE: self.desa_with_active,
                IMPLAUSIBLE: self.implausible}


@dataclass(frozen=True)
class FacilityCounts:
    """Facilities inside a region, by JKN group and by type."""

    fktp: int = 0
    fkrtl: int = 0
    lab: int = 0
    optik: int = 0
    apotek: int = 0
    non_jkn: int = 0  # pustu, poskesdes, rumah bersalin, bidan: kept apart, never counted as FKTP or FKRTL
    by_type: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(FACILITY_TYPES, 0))
    approximate: int = 0  # of all counted, placed by area code rather than by coordinates

    @classmethod
    def of(cls, types: pd.Series, approximate: pd.Series | None = None) -> FacilityCounts:
        """Counts of a column of facility types (and of the ones placed approximately)."""
        found = types.value_counts()
        by_type = {t: int(found.get(t, 0)) for t in FACILITY_TYPES}
        groups = {group: sum(by_type[t] for t in kinds) for group, kinds in FACILITY_GROUPS.items()}
        rough = int(approximate.eq(True).sum()) if approximate is not None else 0
        return cls(**groups, by_type=by_type, approximate=rough)

    def to_json(self) -> dict[str, Any]:
        return {**{group: getattr(self, group) for group in FACILITY_GROUPS}, "by_type": dict(self.by_type),
                "approximate": self.approximate}


@dataclass(frozen=True)
class Change:
    """The change since an earlier period, on the units that have figures in both periods (like with like)."""

    since: Period
    level: Level  # the units compared: desa where they have figures, else the lowest level that does
    compared: int  # units with figures in both periods
    left_out: int  # units with figures in only one of the two (or not whole in one)
    registered: int | None  # change in registered participants over the compared units
    coverage_points: float | None  # change in registered coverage, in percentage points
    active_coverage_points: float | None  # change in active coverage (None unless every compared unit has it)
    # what each segment's share of the population adds to coverage_points (where every compared unit has it)
    segments: Mapping[str, float | None] = field(default_factory=dict)
    breaks: int = 0  # desa left out as breaks in the data (population moved too much: see analysis/change.py)

    def to_json(self) -> dict[str, Any]:
        return {"since": str(self.since), "level": str(self.level), "compared": self.compared,
                "left_out": self.left_out, "breaks": self.breaks, "registered": self.registered,
                "coverage_points": self.coverage_points, "active_coverage_points": self.active_coverage_points,
                "segments": dict(self.segments)}


@dataclass(frozen=True)
class Status:
    """Which thresholds a unit meets and how many people it lacks for each (None: figures partial or missing,
    so they are not compared with a threshold as if whole)."""

    target: float
    active_target: float
    meets_target: bool | None
    meets_active_target: bool | None
    gap: int | None  # people still to enrol to reach the target
    active_gap: int | None  # people still to make active (enrol or reactivate) to reach the active target

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "meets_target": self.meets_target, "gap": self.gap,
                "active_target": self.active_target, "meets_active_target": self.meets_active_target,
                "active_gap": self.active_gap}


@dataclass(frozen=True)
class Access:
    """How far a region's residents live from an FKTP (straight lines, see analysis/access.py) and how many FKTP
    serve them; None where it cannot be computed (no figures, partial figures, no desa boundaries)."""

    access_km: float  # residents of desa farther than this from any FKTP count as far
    desa_measured: int  # desa with a distance (a boundary, and an FKTP somewhere in the store)
    desa_beyond: int
    population_beyond: int | None  # residents of those desa (those with figures)
    population_beyond_share: float | None  # of the region's population, when its figures are whole
    nearest_fktp_km: float | None  # mean distance weighted by population
    fktp: int
    fktp_per_10k: float | None
    registered_per_fktp: float | None

    def to_json(self) -> dict[str, Any]:
        return {"access_km": self.access_km, "desa_measured": self.desa_measured, "desa_beyond": self.desa_beyond,
                "population_beyond": self.population_beyond,
                "population_beyond_share": self.population_beyond_share, "nearest_fktp_km": self.nearest_fktp_km,
                "fktp": self.fktp, "fktp_per_10k": self.fktp_per_10k, "registered_per_fktp": self.registered_per_fktp}


@dataclass(frozen=True)
class DesaJkn:
    """The desa at the registered target ("Desa JKN", as regencies award them), by kecamatan."""

    region: Region
    period: Period | None
    target: float
    by_kecamatan: tuple[tuple[Region, tuple[tuple[Region, float], ...]], ...]  # kecamatan, its desa and coverage

    @property
    def desa(self) -> int:
        return sum(len(desa) for _, desa in self.by_kecamatan)

    def to_json(self) -> dict[str, Any]:
        return {"region": self.region.to_json(), "period": _text(self.period), "target": self.target,
                "desa": self.desa, "kecamatan": len(self.by_kecamatan),
                "by_kecamatan": [{**kecamatan.to_json(),
                                  "desa": [{**d.to_json(), COVERAGE: share} for d, share in desa]}
                                 for kecamatan, desa in self.by_kecamatan]}


@dataclass(frozen=True)
class Summary:
    """A region's figures for one period, what reaches the target, its facilities, and the period before."""

    region: Region
    period: Period | None
    target: float
    figures: Figures
    desa: int
    desa_with_figures: int
    desa_at_target: int
    kecamatan: int
    kecamatan_with_desa_at_target: int
    facilities: FacilityCounts
    periods: tuple[Period, ...]
    previous: Figures | None
    change: Change | None = None
    sources: tuple[str, ...] = ()  # where the period's figures come from
    status: Status | None = None
    access: Access | None = None
    desa_implausible: int = 0  # desa whose counts cannot be true ("tidak wajar")

    def to_json(self) -> dict[str, Any]:
        """The object `geojkn summary --json` prints and /api/regions/<code>/summary answers."""
        figures = self.figures.to_json()
        return {
            **self.region.to_json(), "period": _text(self.period),
            **{k: figures[k] for k in (POPULATION, REGISTERED, ACTIVE, COVERAGE, ACTIVE_COVERAGE, ACTIVITY_RATE)},
            "target": self.target, GAP: figures[GAP], TO_REACTIVATE: figures[TO_REACTIVATE],
            "desa": self.desa, "desa_with_figures": self.desa_with_figures, DESA_TOTAL: self.figures.desa_total,
            COMPLETE: self.figures.complete, ACTIVE_COMPLETE: self.figures.active_complete,
            DESA_WITH_ACTIVE: self.figures.desa_with_active, IMPLAUSIBLE: self.figures.implausible,
            "desa_implausible": self.desa_implausible, "desa_at_target": self.desa_at_target,
            "kecamatan": self.kecamatan, "kecamatan_with_desa_at_target": self.kecamatan_with_desa_at_target,
            "segments": dict(self.figures.segments), "facilities": self.facilities.to_json(),
            "periods": [str(p) for p in self.periods],
            "previous": None if self.previous is None else self.previous.to_json(),
            "change": None if self.change is None else self.change.to_json(),
            "sources": list(self.sources),
            "status": None if self.status is None else self.status.to_json(),
            "access": None if self.access is None else self.access.to_json(),
        }


@dataclass(frozen=True, eq=False)
class Ranking:
    """The units of one level inside a region, the ones needing action first (`table` holds one row each)."""

    region: Region
    period: Period | None
    level: Level
    metric: Metric
    target: float
    table: pd.DataFrame
    since: Period | None = None  # what a change metric is measured from

    def head(self, n: int | None) -> Ranking:
        """The first n units (all when n is None)."""
        return self if n is None else replace(self, table=self.table.head(n))

    def falling(self, n: int | None = None) -> Ranking:
        """For a change metric: the units whose value fell, the steepest fall first (the first n)."""
        return replace(self, table=self.table[self.table[str(self.metric)] < 0].reset_index(drop=True)).head(n)

    def rising(self, n: int | None = None) -> Ranking:
        """For a change metric: the units whose value rose, the largest rise first (the first n)."""
        table = self.table[self.table[str(self.metric)] > 0].iloc[::-1]
        table = table.assign(rank=range(1, len(table) + 1)).reset_index(drop=True)
        return replace(self, table=table).head(n)

    def to_json(self) -> dict[str, Any]:
        """The object `geojkn rank --format json` prints and ranking.json answers."""
        return {"region": self.region.to_json(), "period": _text(self.period), "level": str(self.level),
                "metric": str(self.metric), "target": self.target, "since": _text(self.since),
                "units": records(self.table)}
