"""Roll figures up from desa to kecamatan, kabupaten and province: one rule for missing values and mixed levels.

The rule (the README's "Definitions" states it for planners):
1. A desa has figures when its population and registered participants are both given. An empty cell and a
   missing row are the same thing: that desa has no figures.
2. For a unit above desa, each count is complete when every unit one level below has it complete; its value is
   then their sum. Otherwise, if a file gave the unit's own row with that count, the own row is used (it speaks
   for the whole unit). Otherwise the count is incomplete.
3. A unit is complete when its population and registered are. An incomplete (partial) unit shows population and
   registered added up over the units below it that have both, so that its coverage compares like with like;
   active participants are added up over those that have all three, and the active rates use the same units.
   Partial units are marked (`complete` false, `desa_with_figures` of `desa_total`) wherever they are shown.
So where every desa has figures, their sum wins over a kecamatan's own row (the import report lists own rows
that disagree), and population given per kecamatan with registered per desa still gives kecamatan coverage.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..schema import (
    ACTIVE,
    ACTIVE_BASE,
    CODE,
    COMPLETE,
    COUNTS,
    DESA,
    DESA_TOTAL,
    DESA_WITH_FIGURES,
    LEVEL,
    LEVELS,
    PERIOD,
    POPULATION,
    REGISTERED,
    SEGMENTS,
)

_WIDTH = (2, 5, 8, 13)  # '33', '33.20', '33.20.01', '33.20.01.2001'
_PAIR = ("_pair_population", "_pair_registered")
_TRIPLE = ("_triple_population", "_triple_registered", "_triple_active")
_DONE = {count: f"_complete_{count}" for count in COUNTS}


def unit_tree(codes: Iterable[str]) -> pd.DataFrame:
    """Every unit the codes name or lie in: code, depth (1 province .. 4 desa), parent code, desa inside it."""
    known: set[str] = set()
    for code in codes:
        parts = str(code).split(".")
        known.update(".".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    tree = pd.DataFrame({CODE: sorted(known)})
    tree["depth"] = tree[CODE].str.count(r"\.") + 1
    tree["parent"] = [code.rsplit(".", 1)[0] if "." in code else None for code in tree[CODE]]
    desa = tree.loc[tree["depth"] == 4, CODE]
    totals = {code: 1 for code in desa}
    for depth, width in zip((3, 2, 1), _WIDTH[2::-1], strict=True):
        counted = desa.str[:width].value_counts()
        totals.update((code, int(n)) for code, n in counted.items() if code in known and code.count(".") == depth - 1)
    tree[DESA_TOTAL] = tree[CODE].map(totals).fillna(0).astype("int64")
    return tree


def _desa_level(rows: pd.DataFrame) -> pd.DataFrame:
    """Desa rows with their completeness per count and their pair and triple of counts."""
    out = rows.copy()
    for count in COUNTS:
        out[_DONE[count]] = out[count].notna()
    pair = out[_DONE[POPULATION]] & out[_DONE[REGISTERED]]
    triple = pair & out[_DONE[ACTIVE]]
    out[_PAIR[0]], out[_PAIR[1]] = out[POPULATION].where(pair, 0.0), out[REGISTERED].where(pair, 0.0)
    for name, count in zip(_TRIPLE, (POPULATION, REGISTERED, ACTIVE), strict=True):
        out[name] = out[count].where(triple, 0.0)
    out[DESA_WITH_FIGURES] = pair.astype("int64")
    return out


def _one_level_up(below: pd.DataFrame, own: pd.DataFrame, children: pd.Series, width: int) -> pd.DataFrame:
    """The units of one level from the rows of the level below (and their own rows where a file gave them)."""
    keys = [below[PERIOD], below[CODE].str[:width].rename(CODE)]
    sums = below[list(COUNTS)].groupby(keys).sum(min_count=1)
    done = below[list(_DONE.values())].astype("int64").groupby(keys).sum()
    carried = below[[*_PAIR, *_TRIPLE, DESA_WITH_FIGURES]].groupby(keys).sum()
    index = sums.index.union(pd.MultiIndex.from_frame(own[[PERIOD, CODE]]))
    sums, done, carried = sums.reindex(index), done.reindex(index, fill_value=0), carried.reindex(index, fill_value=0)
    mine = own.set_index([PERIOD, CODE])[list(COUNTS)].reindex(index)
    full = done.values >= children.reindex(index.get_level_values(CODE)).fillna(np.inf).to_numpy()[:, None]
    out = pd.DataFrame(index=index)
    for i, count in enumerate(COUNTS):
        from_children = full[:, i]
        out[count] = np.where(from_children, sums[count], mine[count].where(mine[count].notna(), sums[count]))
        out[_DONE[count]] = from_children | mine[count].notna().to_numpy()
    pair = out[_DONE[POPULATION]] & out[_DONE[REGISTERED]]
    triple = pair & out[_DONE[ACTIVE]]
    out[_PAIR[0]] = out[POPULATION].where(pair, carried[_PAIR[0]])
    out[_PAIR[1]] = out[REGISTERED].where(pair, carried[_PAIR[1]])
    for name, count in zip(_TRIPLE, (POPULATION, REGISTERED, ACTIVE), strict=True):
        out[name] = out[count].where(triple, carried[name])
    out[DESA_WITH_FIGURES] = carried[DESA_WITH_FIGURES]
    return out.reset_index()


def rollup(figures: pd.DataFrame, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Counts for every (period, unit) by the rule above, with desa_with_figures, desa_total and complete.

    `codes` are the stored units in scope (their desa count is each unit's desa_total); without them, the
    codes of the figures stand for the units. Works on any number of periods at once; without a period column
    on one."""
    rows = figures.copy()
    periodless = PERIOD not in rows
    if periodless:
        rows[PERIOD] = ""
    tree = unit_tree(list(codes if codes is not None else rows[CODE]) + list(rows[CODE]))
    depth = rows[CODE].str.count(r"\.") + 1
    level = _desa_level(rows[depth == 4])
    frames = [level]
    for d in (3, 2, 1):
        children = tree[tree["depth"] == d + 1].groupby("parent").size()
        level = _one_level_up(level, rows[depth == d], children, _WIDTH[d - 1])
        frames.append(level)
    return _shown(pd.concat(frames, ignore_index=True), tree, periodless)


def _shown(table: pd.DataFrame, tree: pd.DataFrame, periodless: bool) -> pd.DataFrame:
    """The counts a person sees: complete values, or for a partial unit the sums over units with both counts."""
    complete = table[_DONE[POPULATION]] & table[_DONE[REGISTERED]]
    all_three = complete & table[_DONE[ACTIVE]]
    partial_pair = ~complete & (table[_PAIR[0]] > 0)
    out = table[[PERIOD, CODE]].copy()
    out[LEVEL] = [LEVELS[c.count(".")] for c in out[CODE]]
    desa = out[LEVEL] == DESA  # a desa shows what its row says, even a count without its pair
    out[POPULATION] = table[POPULATION].where(complete | desa, table[_PAIR[0]].where(partial_pair))
    out[REGISTERED] = table[REGISTERED].where(complete | desa, table[_PAIR[1]].where(partial_pair))
    has_triple = table[_TRIPLE[0]] > 0
    out[ACTIVE] = table[ACTIVE].where(all_three | desa, table[_TRIPLE[2]].where(has_triple))
    out[ACTIVE_BASE[0]] = table[_TRIPLE[0]].where(has_triple)
    out[ACTIVE_BASE[1]] = table[_TRIPLE[1]].where(has_triple)
    for segment in SEGMENTS:
        out[segment] = table[segment].where(table[_DONE[segment]])
    out[DESA_WITH_FIGURES] = table[DESA_WITH_FIGURES].astype("int64")
    out[DESA_TOTAL] = out[CODE].map(tree.set_index(CODE)[DESA_TOTAL]).fillna(0).astype("int64")
    out[COMPLETE] = complete.astype(bool)
    out = out[out[POPULATION].notna() | out[REGISTERED].notna() | out[ACTIVE].notna() | (out[LEVEL] == DESA)]
    out = out.sort_values([PERIOD, CODE], kind="stable").reset_index(drop=True)
    return out.drop(columns=PERIOD) if periodless else out
