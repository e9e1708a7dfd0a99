"""Change between two months, like for like: each unit on the desa it has figures for in both months.

The rule (the README's "Definitions" states it for planners):
1. A desa is compared when its population and registered participants are given in both months and its
   population moved by no more than BREAK_SHARE between them. A desa whose population moved more is a break in
   the data (a desa split or merged, pemekaran, or a different population source): it is flagged and left out
   of every change, never ranked as a real rise or fall.
2. A unit above desa changes by the coverage of its compared desa now minus their coverage then (sums, then
   divided), with how many of its desa were compared beside it ("n of m desa"): one missing desa does not drop
   the unit from a ranking, and a unit compared on fewer than all its desa is marked partial.
3. The active change is measured the same way on the compared desa whose active participants are given in both
   months; each segment's part, where every compared desa gives that segment in both months.
4. A unit with no desa figures in either month (a file of kecamatan rows) is compared on its own rows when they
   are whole in both months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..period import Period
from ..records import Change
from ..schema import (
    ACTIVE,
    ACTIVE_CHANGE,
    ACTIVE_CHANGE_COMPARED,
    ACTIVE_COMPLETE,
    CHANGE,
    CHANGE_COMPARED,
    CODE,
    COMPLETE,
    COUNTS,
    DATA_BREAKS,
    DESA,
    DESA_TOTAL,
    LEVEL,
    LEVELS,
    POPULATION,
    REGISTERED,
    SEGMENT_CHANGES,
    SEGMENTS,
    Level,
)

BREAK_SHARE = 0.10  # a desa's population moving by more than this between the two months is a break in the data
CHANGE_COLUMNS = (CHANGE, ACTIVE_CHANGE, *SEGMENT_CHANGES, CHANGE_COMPARED, ACTIVE_CHANGE_COMPARED, DATA_BREAKS)
_WIDTH = dict(zip(LEVELS, (2, 5, 8, 13), strict=True))  # '33', '33.20', '33.20.01', '33.20.01.2001'


@dataclass(frozen=True)
class _Desa:
    """The desa of two months side by side: counts now and then, which are compared, which are breaks."""

    now: pd.DataFrame
    then: pd.DataFrame
    compared: pd.Series  # bool per desa code
    broken: pd.Series  # bool per desa code


def _desa(now: pd.DataFrame, then: pd.DataFrame) -> _Desa:
    a = now[now[LEVEL] == DESA].set_index(CODE)[list(COUNTS)]
    b = then[then[LEVEL] == DESA].set_index(CODE)[list(COUNTS)]
    both = a.index.intersection(b.index)
    a, b = a.loc[both], b.loc[both]
    given = (a[POPULATION] > 0) & a[REGISTERED].notna() & (b[POPULATION] > 0) & b[REGISTERED].notna()
    moved = (a[POPULATION] - b[POPULATION]).abs() / b[POPULATION].where(b[POPULATION] > 0)
    broken = given & (moved > BREAK_SHARE)
    return _Desa(a, b, given & ~broken, broken)


def _points(now: pd.DataFrame, then: pd.DataFrame, count: str) -> pd.Series:
    """Per group: the share of the population `count` is now minus then, in percentage points."""
    return (now[count] / now[POPULATION] - then[count] / then[POPULATION]) * 100


def _grouped(desa: _Desa, width: int) -> pd.DataFrame:
    """The change of every unit whose codes are `width` long, from its compared desa."""
    keep = desa.compared
    key = pd.Series(desa.now.index.str[:width], index=desa.now.index)
    now, then = desa.now[keep], desa.then[keep]
    sums_now, sums_then = now.groupby(key[keep]).sum(min_count=1), then.groupby(key[keep]).sum(min_count=1)
    out = pd.DataFrame({CHANGE: _points(sums_now, sums_then, REGISTERED),
                        CHANGE_COMPARED: keep[keep].groupby(key[keep]).size()})
    active = keep & desa.now[ACTIVE].notna() & desa.then[ACTIVE].notna()
    active_now, active_then = (frame[active].groupby(key[active]).sum(min_count=1) for frame in (desa.now, desa.then))
    out[ACTIVE_CHANGE] = _points(active_now, active_then, ACTIVE) if len(active_now) else np.nan
    out[ACTIVE_CHANGE_COMPARED] = active[active].groupby(key[active]).size()
    for segment, column in zip(SEGMENTS, SEGMENT_CHANGES, strict=True):
        given = (now[segment].notna() & then[segment].notna()).groupby(key[keep]).all()
        out[column] = _points(sums_now, sums_then, segment).where(given)
    breaks = desa.broken[desa.broken].groupby(key[desa.broken]).size()
    return out.reindex(out.index.union(breaks.index)).assign(**{DATA_BREAKS: breaks})


def _own_rows(now: pd.DataFrame, then: pd.DataFrame, level: Level) -> pd.DataFrame:
    """The change of units compared on their own rows, whole in both months (no desa figures to compare)."""
    a = now[(now[LEVEL] == level) & now[COMPLETE]].set_index(CODE)
    b = then[(then[LEVEL] == level) & then[COMPLETE]].set_index(CODE)
    both = a.index.intersection(b.index)
    a, b = a.loc[both], b.loc[both]
    out = pd.DataFrame({CHANGE: _points(a, b, REGISTERED), CHANGE_COMPARED: a[DESA_TOTAL]})
    whole_active = a[ACTIVE_COMPLETE] & b[ACTIVE_COMPLETE]
    out[ACTIVE_CHANGE] = _points(a, b, ACTIVE).where(whole_active)
    out[ACTIVE_CHANGE_COMPARED] = a[DESA_TOTAL].where(whole_active)
    for segment, column in zip(SEGMENTS, SEGMENT_CHANGES, strict=True):
        out[column] = _points(a, b, segment)
    return out


def unit_changes(now: pd.DataFrame, then: pd.DataFrame | None, level: Level) -> pd.DataFrame:
    """Each unit's change from `then` to `now` (rolled-up figures of the two months) in percentage points: of
    registered coverage (`change`), active coverage and each segment's share of the population, with the desa
    compared and the breaks in the data (see the rule above). Indexed by code; float columns."""
    if then is None:
        return pd.DataFrame(columns=list(CHANGE_COLUMNS), dtype="float64")
    desa = _desa(now, then)
    found = _grouped(desa, _WIDTH[level]).reindex(columns=list(CHANGE_COLUMNS)).astype("float64")
    if level != DESA:  # a unit with no desa to compare (a file of kecamatan rows) on its own whole rows
        own = _own_rows(now, then, level).reindex(columns=list(CHANGE_COLUMNS)).astype("float64")
        found = pd.concat([found, own[~own.index.isin(found.index)]])
    found[DATA_BREAKS] = found[DATA_BREAKS].fillna(0.0)
    for column in (CHANGE_COMPARED, ACTIVE_CHANGE_COMPARED):  # a unit with nothing to compare compared 0 desa
        found[column] = found[column].fillna(0.0)
    return found


def compare(now: pd.DataFrame, then: pd.DataFrame, since: Period, region_level: Level) -> Change | None:
    """A region's change over its compared desa (see the rule above), else over the lowest level whose own rows
    are whole in both months; None when nothing can be compared."""
    desa = _desa(now, then)
    if desa.compared.any():
        a, b = desa.now[desa.compared], desa.then[desa.compared]
        with_desa = set(now.loc[(now[LEVEL] == DESA) & now[REGISTERED].notna(), CODE])
        with_desa |= set(then.loc[(then[LEVEL] == DESA) & then[REGISTERED].notna(), CODE])
        left_out = len(with_desa) - len(a) - int(desa.broken.sum())
        return _change(a, b, since, DESA, left_out, int(desa.broken.sum()))
    for level in reversed(LEVELS[region_level.depth - 1:-1]):
        a = now[(now[LEVEL] == level) & now[COMPLETE]].set_index(CODE)
        b = then[(then[LEVEL] == level) & then[COMPLETE]].set_index(CODE)
        both = a.index.intersection(b.index)
        if len(both):
            return _change(a.loc[both], b.loc[both], since, level, len(a.index.symmetric_difference(b.index)), 0)
    return None


def _change(a: pd.DataFrame, b: pd.DataFrame, since: Period, level: Level, left_out: int, breaks: int) -> Change:
    def points(count: str, rows: pd.Series | None = None) -> float | None:
        x, y = (a, b) if rows is None else (a[rows], b[rows])
        pop_x, pop_y = float(x[POPULATION].sum()), float(y[POPULATION].sum())
        if pop_x <= 0 or pop_y <= 0:
            return None
        return (float(x[count].sum()) / pop_x - float(y[count].sum()) / pop_y) * 100

    if level == DESA:
        active_rows = a[ACTIVE].notna() & b[ACTIVE].notna()
        whole_active = bool(active_rows.all())
    else:
        active_rows, whole_active = None, bool((a[ACTIVE_COMPLETE] & b[ACTIVE_COMPLETE]).all())
    segments = {s: points(s) for s in SEGMENTS if a[s].notna().all() and b[s].notna().all()}
    return Change(since, level, len(a), left_out, int(a[REGISTERED].sum() - b[REGISTERED].sum()),
                  points(REGISTERED), points(ACTIVE, active_rows) if whole_active else None, segments, breaks)
