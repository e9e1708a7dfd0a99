"""The regions a planner picks from, each with its figures at the latest period it has."""

from __future__ import annotations

import pandas as pd

from ..period import Period
from ..records import Figures, Region
from ..schema import CODE, DESA, KABUPATEN, KECAMATAN, LEVEL, PERIOD
from .metrics import add_metrics
from .regions import UnitIndex


def overview(index: UnitIndex, figures: pd.DataFrame, target: float,
             only: tuple[str, ...] = ()) -> list[tuple[Region, Figures]]:
    """Each province with several kabupaten/kota in the store, then every kabupaten/kota (else the top level
    stored), with the figures of its latest period; `figures` is the roll-up of the whole store. With `only`,
    just those units (an account limited to regions sees its own)."""
    table = index.table
    present = [level for level in (KABUPATEN, KECAMATAN, DESA) if (table[LEVEL] == level).any()]
    if not present:
        return []
    if only:
        regions = [index.region(code) for code in only if code in index.names]
    else:
        top = sorted(table.loc[table[LEVEL] == present[0], CODE])
        provinces = pd.Series([code[:2] for code in top]).value_counts()
        regions = [index.region(code) for code in sorted(provinces[provinces > 1].index)]
        regions += [index.region(code) for code in top]
    latest = add_metrics(figures.sort_values(PERIOD, kind="stable").drop_duplicates(CODE, keep="last"), target)
    rows = latest.set_index(CODE)
    out = []
    for region in regions:
        if region.code in rows.index:
            row = rows.loc[region.code]
            out.append((region, Figures.of(Period.parse(row[PERIOD]), row.to_dict())))
        else:
            out.append((region, Figures(None)))
    return out
