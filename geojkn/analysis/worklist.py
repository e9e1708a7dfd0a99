"""A work list: the units an outreach team should visit first, grouped by the unit above them (pure).

Units are ordered by what most needs doing (`by`, any metric): the lowest rate (or FKTP supply) first, the most
people first for the gap and the people to reactivate, the farthest from a facility first, the steepest fall in
coverage first.
Groups (the kecamatan of desa, the kabupaten of kecamatan) come in the order of their worst unit. Units
without figures are listed too, at the end of their group, marked as without figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..options import Question
from ..period import Period
from ..records import Region
from ..schema import (
    ACTIVE,
    ACTIVE_CHANGE,
    ACTIVE_COVERAGE,
    CHANGE,
    CODE,
    COMPLETE,
    COVERAGE,
    DESA,
    DISTANCE_METRICS,
    GAP,
    KABUPATEN_NAME,
    KECAMATAN_NAME,
    MARKS,
    NAME,
    NEAREST_FKTP_KM,
    POPULATION,
    REGISTERED,
    TO_REACTIVATE,
    Level,
    Metric,
)
from . import marks
from .region import RegionData, previous_period, unit_table

GROUP = "group"
COLUMNS = (GROUP, CODE, NAME, COMPLETE, MARKS, POPULATION, REGISTERED, ACTIVE, COVERAGE, ACTIVE_COVERAGE, GAP,
           TO_REACTIVATE, NEAREST_FKTP_KM, CHANGE, ACTIVE_CHANGE)  # and the metric ordered by, when not among them


@dataclass(frozen=True, eq=False)
class Worklist:
    """The rows of a work list and what they were chosen by."""

    region: Region
    period: Period | None
    level: Level
    by: Metric
    target: float
    sources: tuple[str, ...]
    table: pd.DataFrame  # COLUMNS, in the order to work through
    since: Period | None = None  # what the change is measured from

    def to_json(self) -> dict[str, object]:
        from ..serialize import records
        return {"region": self.region.to_json(), "period": None if self.period is None else str(self.period),
                "level": str(self.level), "by": str(self.by), "target": self.target,
                "since": None if self.since is None else str(self.since), "sources": list(self.sources),
                "units": records(self.table)}


def _order(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Worst first by `by`, units without figures last; groups in the order of their worst unit."""
    key = table[by] if Metric(by).lowest_first else -table[by]
    measured = table[COMPLETE] | (by in DISTANCE_METRICS)  # a distance needs no figures
    table = table.assign(_key=key.where(measured, np.inf).fillna(np.inf))
    table = table.sort_values(["_key", CODE], kind="stable")
    first = {group: i for i, group in enumerate(dict.fromkeys(table[GROUP]))}
    table = table.assign(_group=table[GROUP].map(first)).sort_values(["_group", "_key", CODE], kind="stable")
    return table.drop(columns=["_key", "_group"]).reset_index(drop=True)


def worklist(data: RegionData, level: Level, question: Question, by: Metric, top: int | None = None) -> Worklist:
    """The units of a level inside the region to work through, grouped by the unit above them, with every metric
    of unit_table for the question (settled with region.settle)."""
    by = Metric(by)
    period = question.period
    units = unit_table(data, level, question)
    table = pd.DataFrame(units.drop(columns="geometry"))
    parent = KECAMATAN_NAME if level == DESA else KABUPATEN_NAME
    table[GROUP] = table[parent] if parent in table else data.region.name
    table[GROUP] = table[GROUP].fillna(data.region.name)
    table[MARKS] = marks.row_marks(table, (COVERAGE, TO_REACTIVATE, CHANGE, by))
    ordered = _order(table, by)
    if top is not None:
        worst = ordered[ordered[COMPLETE]].sort_values(by, ascending=by.lowest_first, kind="stable").head(top)[CODE]
        ordered = ordered[ordered[CODE].isin(worst)].reset_index(drop=True)
    return Worklist(data.region, period, level, by, question.target,
                    tuple(data.sources.get(period, ())) if period else (),
                    ordered.reindex(columns=list(dict.fromkeys((*COLUMNS, by)))),
                    question.since or previous_period(data, period))
