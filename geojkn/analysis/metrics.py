"""Coverage metrics exactly as DOMAIN.md defines them, and roll-up of counts from desa to province."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import (
    ACTIVE,
    ACTIVE_COVERAGE,
    ACTIVITY_RATE,
    CODE,
    COUNTS,
    COVERAGE,
    DESA,
    DESA_WITH_FIGURES,
    GAP,
    KABUPATEN,
    KECAMATAN,
    LEVEL,
    PERIOD,
    POPULATION,
    PROVINSI,
    REGISTERED,
    TO_REACTIVATE,
)

N_DESA = DESA_WITH_FIGURES
_UPWARDS = ((DESA, KECAMATAN), (KECAMATAN, KABUPATEN), (KABUPATEN, PROVINSI))
_CODE_WIDTH = {PROVINSI: 2, KABUPATEN: 5, KECAMATAN: 8}  # '33', '33.20', '33.20.01'


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den, NaN where the denominator is missing or zero (never inf)."""
    return (num.astype("float64") / den.astype("float64").where(den > 0)).astype("float64")


def add_metrics(frame: pd.DataFrame, target: float = 0.95) -> pd.DataFrame:
    """A copy with coverage, active_coverage, activity_rate, gap and to_reactivate computed from the counts."""
    if not 0 < target <= 1:
        raise ValueError("target must be a share between 0 and 1")
    out = frame.copy()
    pop, reg, act = (out[c].astype("float64") for c in (POPULATION, REGISTERED, ACTIVE))
    out[COVERAGE] = _ratio(reg, pop)
    out[ACTIVE_COVERAGE] = _ratio(act, pop)
    out[ACTIVITY_RATE] = _ratio(act, reg)
    # round before ceil: 0.95 * 1000 is 950.0000000000001 in binary floating point
    needed = pd.Series(np.ceil((target * pop).round(6)), index=out.index)
    out[GAP] = (needed - reg).clip(lower=0)
    out[TO_REACTIVATE] = reg - act
    return out


def _sum_counts(rows: pd.DataFrame, keys: list[pd.Index]) -> pd.DataFrame:
    """Sum counts per key; a count missing in any row makes the total missing (no silent undercount)."""
    counts = rows[list(COUNTS)].astype("float64")
    sums = counts.groupby(keys).sum(min_count=1)
    sums = sums.mask(counts.isna().groupby(keys).any())
    sums[N_DESA] = rows[N_DESA].groupby(keys).sum()
    return sums


def rollup(figures: pd.DataFrame) -> pd.DataFrame:
    """Counts for every (period, code) at every level: a unit's own row if the file gave one, else the sum of
    its children. Works on any number of periods at once; without a period column, on one."""
    rows = figures.copy()
    periodless = PERIOD not in rows
    if periodless:
        rows[PERIOD] = ""
    rows[N_DESA] = (rows[LEVEL] == DESA).astype("int64")
    table = rows.set_index([PERIOD, CODE])[list(COUNTS) + [N_DESA, LEVEL]]
    for child, parent in _UPWARDS:
        children = table[table[LEVEL] == child]
        if children.empty:
            continue
        codes = children.index.get_level_values(CODE)
        keys = [children.index.get_level_values(PERIOD).rename(PERIOD),
                pd.Index(codes.str[: _CODE_WIDTH[parent]], name=CODE)]
        sums = _sum_counts(children, keys)
        sums = sums[~sums.index.isin(table.index)]  # a unit's own row wins over the sum of its children
        sums[LEVEL] = parent
        table = pd.concat([table, sums])
    out = table.reset_index()
    return out.drop(columns=PERIOD) if periodless else out
