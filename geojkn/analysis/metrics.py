"""Coverage metrics exactly as DOMAIN.md defines them (never an average of percentages)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import (
    ACTIVE,
    ACTIVE_BASE,
    ACTIVE_COVERAGE,
    ACTIVITY_RATE,
    COVERAGE,
    GAP,
    POPULATION,
    REGISTERED,
    TO_REACTIVATE,
)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den, NaN where the denominator is missing or zero (never inf)."""
    return (num.astype("float64") / den.astype("float64").where(den > 0)).astype("float64")


def add_metrics(frame: pd.DataFrame, target: float = 0.95) -> pd.DataFrame:
    """A copy with coverage, active_coverage, activity_rate, gap and to_reactivate computed from the counts."""
    if not 0 < target <= 1:
        raise ValueError("target must be a share between 0 and 1")
    out = frame.copy()
    pop, reg, act = (out[c].astype("float64") for c in (POPULATION, REGISTERED, ACTIVE))
    base_pop, base_reg = (out[c].astype("float64") if c in out else default
                          for c, default in zip(ACTIVE_BASE, (pop, reg), strict=True))
    out[COVERAGE] = _ratio(reg, pop)
    out[ACTIVE_COVERAGE] = _ratio(act, base_pop)
    out[ACTIVITY_RATE] = _ratio(act, base_reg)
    # round before ceil: 0.95 * 1000 is 950.0000000000001 in binary floating point
    needed = pd.Series(np.ceil((target * pop).round(6)), index=out.index)
    out[GAP] = (needed - reg).clip(lower=0)
    out[TO_REACTIVATE] = base_reg - act
    return out.drop(columns=[c for c in ACTIVE_BASE if c in out])
