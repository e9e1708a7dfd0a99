"""Coverage metrics exactly as DOMAIN.md defines them, and roll-up of counts from desa to province."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import ancestor_at
from ..schema import (ACTIVE, ACTIVE_COVERAGE, ACTIVITY_RATE, CODE, COUNTS, COVERAGE, DEFAULT_TARGET, DESA, GAP,
                      KABUPATEN, KECAMATAN, LEVEL, POPULATION, PROVINSI, REGISTERED, TO_REACTIVATE)

N_DESA = "desa_with_figures"
_UPWARDS = ((DESA, KECAMATAN), (KECAMATAN, KABUPATEN), (KABUPATEN, PROVINSI))


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den, NaN where the denominator is missing or zero (never inf)."""
    num = num.astype("float64")
    den = den.astype("float64")
    return (num / den.where(den > 0)).astype("float64")


def add_metrics(frame: pd.DataFrame, target: float = DEFAULT_TARGET) -> pd.DataFrame:
    """A copy with coverage, active_coverage, activity_rate, gap and to_reactivate computed from the counts."""
    if not 0 < target <= 1:
        raise ValueError("target must be a share between 0 and 1")
    out = frame.copy()
    pop, reg, act = (out[c].astype("float64") for c in (POPULATION, REGISTERED, ACTIVE))
    out[COVERAGE] = _ratio(reg, pop)
    out[ACTIVE_COVERAGE] = _ratio(act, pop)
    out[ACTIVITY_RATE] = _ratio(act, reg)
    # round before ceil: 0.95 * 1000 is 950.0000000000001 in binary floating point
    needed = np.ceil((target * pop).round(6))
    out[GAP] = (needed - reg).clip(lower=0)
    out[TO_REACTIVATE] = reg - act
    return out


def _sum_counts(rows: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """Sum counts per key; a count missing in any row makes the total missing (no silent undercount)."""
    counts = rows[list(COUNTS)].astype("float64")
    sums = counts.groupby(key).sum(min_count=1)
    sums = sums.mask(counts.isna().groupby(key).any())
    sums[N_DESA] = rows[N_DESA].groupby(key).sum()
    return sums


def rollup(figures: pd.DataFrame) -> pd.DataFrame:
    """Counts for every code at every level: a unit's own row if the file gave one, else the sum of its children."""
    rows = figures.copy()
    rows[N_DESA] = (rows[LEVEL] == DESA).astype("int64")
    table = rows.set_index(CODE)[list(COUNTS) + [N_DESA, LEVEL]]
    for child, parent in _UPWARDS:
        children = table[table[LEVEL] == child]
        if children.empty:
            continue
        key = pd.Series([ancestor_at(c, parent) for c in children.index], index=children.index, name=CODE)
        sums = _sum_counts(children, key)
        sums = sums[~sums.index.isin(table.index)]  # a unit's own row wins over the sum of its children
        sums[LEVEL] = parent
        table = pd.concat([table, sums])
    table.index.name = CODE
    return table.reset_index()
