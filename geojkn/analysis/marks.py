"""Which figures carry a mark, decided once here for every output (text, JSON, maps, tooltips, sheets, lists).

- partial: the value stands on counts that do not cover the whole unit. Coverage and the gap are partial when
  the unit's population or registered participants are (`complete` false); the active rates and the people to
  reactivate when its active participants are (`active_complete` false); a change when it was measured on fewer
  than all the unit's desa (analysis/change.py). A partial value is never compared with a target as if whole.
- implausible ("tidak wajar"): the unit's counts cannot be true (analysis/metrics.implausible). Kept as the file
  says, marked, given no tier and no Desa JKN.
- data break: a desa whose population moved too much between the two months to compare them (no change).
"""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

from ..schema import (
    ACTIVE_CHANGE,
    ACTIVE_CHANGE_COMPARED,
    ACTIVE_COMPLETE,
    ACTIVE_COVERAGE,
    ACTIVITY_RATE,
    CHANGE,
    CHANGE_COMPARED,
    COMPLETE,
    DATA_BREAKS,
    DESA,
    DESA_TOTAL,
    DISTANCE_METRICS,
    FKTP_PER_10K,
    IMPLAUSIBLE,
    LEVEL,
    REGISTERED_PER_FKTP,
    TIER,
    TO_REACTIVATE,
    Metric,
)

ACTIVE_METRICS = (ACTIVE_COVERAGE, ACTIVITY_RATE, TO_REACTIVATE)
WHOLE_ONLY = (TIER, FKTP_PER_10K, REGISTERED_PER_FKTP)  # given for whole units only: never partial


class Mark(StrEnum):
    """A mark a figure can carry, in the order outputs list them."""

    PARTIAL = "partial"
    IMPLAUSIBLE = "implausible"
    BREAK = "data_break"


def _flag(table: pd.DataFrame, column: str, default: bool) -> pd.Series:
    if column not in table:
        return pd.Series(default, index=table.index, dtype=bool)
    return table[column].astype("boolean").fillna(default).astype(bool)


def _number(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table:
        return pd.Series(float("nan"), index=table.index)
    return pd.to_numeric(table[column], errors="coerce")


def partial(table: pd.DataFrame, metric: Metric | str) -> pd.Series:
    """Per unit: whether its value of `metric` is there and stands on counts that do not cover the whole unit."""
    metric = Metric(metric)
    value = _number(table, str(metric))
    if metric in WHOLE_ONLY:
        return pd.Series(False, index=table.index, dtype=bool)
    if metric in ACTIVE_METRICS:
        whole = _flag(table, ACTIVE_COMPLETE, False)
    elif metric in (CHANGE, ACTIVE_CHANGE):
        compared = _number(table, CHANGE_COMPARED if metric == CHANGE else ACTIVE_CHANGE_COMPARED)
        whole = compared >= _number(table, DESA_TOTAL)
    elif metric in DISTANCE_METRICS:  # a desa's own distance needs no figures; above, a mean weighted by them
        whole = _flag(table, COMPLETE, False) | (table[LEVEL] == DESA if LEVEL in table else False)
    else:
        whole = _flag(table, COMPLETE, False)
    return (value.notna() & ~whole).astype(bool)


def implausible(table: pd.DataFrame) -> pd.Series:
    """Per unit: whether its counts cannot be true ("tidak wajar")."""
    return _flag(table, IMPLAUSIBLE, False)


def unclassed(table: pd.DataFrame, metric: Metric | str) -> pd.Series:
    """Per unit: whether a map leaves its value of `metric` out of the classes, marked instead: counts that cannot
    be true, for any metric made from the counts (a distance is still a distance)."""
    if Metric(metric) in DISTANCE_METRICS:
        return pd.Series(False, index=table.index, dtype=bool)
    return implausible(table)


def breaks(table: pd.DataFrame) -> pd.Series:
    """Per unit: how many of its desa are breaks in the data between the two months compared."""
    return _number(table, DATA_BREAKS).fillna(0).astype(int)


def marks(table: pd.DataFrame, metric: Metric | str) -> pd.Series:
    """Per unit: the marks its value of `metric` carries, as a tuple of Mark (empty for none)."""
    found = [(Mark.PARTIAL, partial(table, metric)), (Mark.IMPLAUSIBLE, implausible(table))]
    if Metric(metric) in (CHANGE, ACTIVE_CHANGE):
        found.append((Mark.BREAK, breaks(table) > 0))
    rows = zip(*(flags.tolist() for _, flags in found), strict=True)
    return pd.Series([tuple(mark for (mark, _), on in zip(found, row, strict=True) if on) for row in rows],
                     index=table.index, dtype=object)


def row_marks(table: pd.DataFrame, metrics: tuple[Metric | str, ...]) -> pd.Series:
    """Per unit: the marks any of `metrics` carries (a row of a list that shows several of them)."""
    found = [marks(table, metric) for metric in dict.fromkeys(metrics)]
    joined = [tuple(mark for mark in Mark if any(mark in row for row in rows)) for rows in zip(*found, strict=True)]
    return pd.Series(joined, index=table.index, dtype=object)
