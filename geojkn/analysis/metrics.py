"""Coverage metrics exactly as DOMAIN.md defines them (never an average of percentages)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..options import Tier
from ..schema import (
    ACTIVE,
    ACTIVE_BASE,
    ACTIVE_COVERAGE,
    ACTIVITY_RATE,
    COVERAGE,
    GAP,
    IMPLAUSIBLE,
    POPULATION,
    REGISTERED,
    TO_REACTIVATE,
)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where the denominator is missing or zero (never inf)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def add_metrics(frame: pd.DataFrame, target: float = 0.95) -> pd.DataFrame:
    """A copy with coverage, active_coverage, activity_rate, gap and to_reactivate computed from the counts, and
    whether the counts are implausible (see implausible)."""
    if not 0 < target <= 1:
        raise ValueError("target must be a share between 0 and 1")
    pop, reg, act = (frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in (POPULATION, REGISTERED, ACTIVE))
    base_pop, base_reg = (frame[c].to_numpy(dtype="float64", na_value=np.nan) if c in frame else default
                          for c, default in zip(ACTIVE_BASE, (pop, reg), strict=True))
    # round before ceil: 0.95 * 1000 is 950.0000000000001 in binary floating point
    needed = np.ceil(np.round(target * pop, 6))
    inactive = base_reg - act
    metrics = {COVERAGE: _ratio(reg, pop), ACTIVE_COVERAGE: _ratio(act, base_pop), ACTIVITY_RATE: _ratio(act, base_reg),
               GAP: np.clip(needed - reg, 0, None),
               TO_REACTIVATE: np.where(inactive >= 0, inactive, np.nan),  # never a negative number of people
               IMPLAUSIBLE: implausible(pop, reg, act, base_reg)}
    out = frame.drop(columns=[c for c in (*ACTIVE_BASE, *metrics) if c in frame])
    return out.assign(**metrics)


def implausible(population: np.ndarray, registered: np.ndarray, active: np.ndarray,
                active_registered: np.ndarray | None = None) -> np.ndarray:
    """Counts that cannot be true ("tidak wajar"): registered above population, registered residents where the
    population is 0, or active above registered (of the same units). Missing counts are not implausible."""
    base = registered if active_registered is None else active_registered
    with np.errstate(invalid="ignore"):
        over = (registered > population) | ((registered > 0) & (population == 0)) | (active > base)
    return np.asarray(over, dtype=bool)


def tier_steps(coverage: pd.Series, active_coverage: pd.Series, complete: pd.Series,
               tiers: Sequence[Tier], active_complete: pd.Series | None = None,
               unlikely: pd.Series | None = None) -> pd.Series:
    """The step of the award ladder each unit reaches: len(tiers) for the first (highest) tier whose registered
    and active shares it both reaches, ..., 1 for the last, 0 below every tier; NaN for partial figures or none,
    for implausible counts (`unlikely`), and, where a tier asks for an active share, for active participants that
    are not given for the whole unit (`active_complete`): a tier is never given on figures that are not whole."""
    reg = coverage.to_numpy(dtype="float64", na_value=np.nan)
    act = active_coverage.to_numpy(dtype="float64", na_value=np.nan)
    steps = np.zeros(len(reg))
    for i, tier in reversed(list(enumerate(tiers))):  # the highest tier reached wins
        meets = (reg >= tier.registered) & ((tier.active == 0) | (act >= tier.active))  # as the bands compare
        steps = np.where(meets, len(tiers) - i, steps)
    whole = complete.to_numpy(dtype=bool) & ~np.isnan(reg)
    if active_complete is not None and any(tier.active > 0 for tier in tiers):
        whole &= active_complete.to_numpy(dtype=bool)
    if unlikely is not None:
        whole &= ~unlikely.to_numpy(dtype=bool)
    return pd.Series(np.where(whole, steps, np.nan), index=coverage.index)
