"""Rank units so the ones needing action come first: lowest coverage, or most people to enrol or reactivate."""

from __future__ import annotations

import pandas as pd

from ..errors import DataError
from ..schema import (
    ACTIVE,
    ACTIVE_CHANGE_COMPARED,
    ACTIVE_COMPLETE,
    CHANGE_COMPARED,
    CODE,
    COMPLETE,
    COVERAGE,
    DATA_BREAKS,
    DESA_TOTAL,
    DESA_WITH_ACTIVE,
    DESA_WITH_FIGURES,
    FKTP,
    GAP,
    IMPLAUSIBLE,
    KABUPATEN_NAME,
    KECAMATAN_NAME,
    METRICS,
    NAME,
    POPULATION,
    RATE_METRICS,
    REGISTERED,
    TIER_NAME,
    TO_REACTIVATE,
    Metric,
)

RANK_COLUMNS = ("rank", CODE, NAME, KECAMATAN_NAME, KABUPATEN_NAME, POPULATION, REGISTERED, ACTIVE) + METRICS + (
    TIER_NAME, FKTP, DESA_WITH_FIGURES, DESA_TOTAL, COMPLETE, DESA_WITH_ACTIVE, ACTIVE_COMPLETE, IMPLAUSIBLE,
    CHANGE_COMPARED, ACTIVE_CHANGE_COMPARED, DATA_BREAKS)


def check_metric(metric: str) -> str:
    """The metric, or a DataError naming the allowed ones (the rule of the metric option)."""
    if metric not in METRICS:
        raise DataError(f"metric '{metric}' is not one of {', '.join(METRICS)}.")
    return metric


def rank_units(units: pd.DataFrame, metric: str = COVERAGE, below: float | None = None) -> pd.DataFrame:
    """Units with figures, worst first; `below` keeps units whose rate (coverage for count and change metrics)
    is under it. A change ranks the units it could be measured on, the steepest fall first."""
    check_metric(metric)
    ranked = units[units[POPULATION].notna() & units[REGISTERED].notna()].copy()
    if metric not in (*RATE_METRICS, GAP, TO_REACTIVATE):  # measured on some units only: rank those
        ranked = ranked[ranked[metric].notna()]
    if below is not None:
        rate = metric if metric in RATE_METRICS else COVERAGE
        ranked = ranked[ranked[rate] < below]
    if not Metric(metric).lowest_first:
        # most people first; ties broken by the lower coverage
        ranked = ranked.sort_values([metric, COVERAGE, CODE], ascending=[False, True, True], na_position="last")
    else:
        ranked = ranked.sort_values([metric, GAP, CODE], ascending=[True, False, True], na_position="last")
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    columns = [c for c in RANK_COLUMNS if c in ranked.columns]
    return pd.DataFrame(ranked[columns]).reset_index(drop=True)

