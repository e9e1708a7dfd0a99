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
4. The active rates of a unit are whole (`active_complete`) only when its population, registered and active
   participants are all complete; otherwise they are computed over the `desa_with_active` units below that have
   all three, and marked partial wherever they are shown (never compared with a target as if whole).
So where every desa has figures, their sum wins over a kecamatan's own row (the import report lists own rows
that disagree), and population given per kecamatan with registered per desa still gives kecamatan coverage.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..codes import depths
from ..schema import (
    ACTIVE,
    ACTIVE_BASE,
    ACTIVE_COMPLETE,
    CODE,
    COMPLETE,
    COUNTS,
    DESA_TOTAL,
    DESA_WITH_ACTIVE,
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
    unique = pd.Series(pd.unique(pd.Series(list(codes), dtype=object).astype(str)), dtype=object)
    lengths = unique.str.len()
    if lengths.isin(_WIDTH).all():  # standard dotted codes: every ancestor is a prefix of a known width
        known = set().union(*(set(unique[lengths >= width].str[:width]) for width in _WIDTH))
    else:
        known = set()
        for code in unique:  # a figures table names each code once per month
            parts = code.split(".")
            known.update(".".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    tree = pd.DataFrame({CODE: sorted(known)})
    tree["depth"] = depths(tree[CODE])
    tree["parent"] = [code.rsplit(".", 1)[0] if "." in code else None for code in tree[CODE]]
    desa = tree.loc[tree["depth"] == 4, CODE]
    totals = {code: 1 for code in desa}
    for depth, width in zip((3, 2, 1), _WIDTH[2::-1], strict=True):
        counted = desa.str[:width].value_counts()
        totals.update((code, int(n)) for code, n in counted.items() if code in known and code.count(".") == depth - 1)
    tree[DESA_TOTAL] = tree[CODE].map(totals).fillna(0).astype("int64")
    return tree


_P, _R, _A = (COUNTS.index(count) for count in (POPULATION, REGISTERED, ACTIVE))
_CARRIED = [*_PAIR, *_TRIPLE, DESA_WITH_FIGURES, DESA_WITH_ACTIVE]


def _frame(keys: pd.DataFrame, values: np.ndarray, done: np.ndarray, carried: np.ndarray) -> pd.DataFrame:
    """One level's rows: counts, whether each is complete, and the pair and triple carried up (all numpy)."""
    pair = done[:, _P] & done[:, _R]
    triple = pair & done[:, _A]
    pairs = np.where(pair[:, None], values[:, [_P, _R]], carried[:, :2])
    triples = np.where(triple[:, None], values[:, [_P, _R, _A]], carried[:, 2:5])
    out = keys.reset_index(drop=True)
    out[list(COUNTS)] = values
    out[list(_DONE.values())] = done
    out[_CARRIED] = np.column_stack([pairs, triples, carried[:, 5:7]])
    return out


def _desa_level(rows: pd.DataFrame) -> pd.DataFrame:
    """Desa rows with their completeness per count and their pair and triple of counts."""
    values = rows[list(COUNTS)].to_numpy(dtype="float64")
    done = ~np.isnan(values)
    pair = done[:, _P] & done[:, _R]
    triple = pair & done[:, _A]
    carried = np.column_stack([np.where(pair, values[:, _P], 0.0), np.where(pair, values[:, _R], 0.0),
                               *(np.where(triple, values[:, i], 0.0) for i in (_P, _R, _A)), pair.astype(float),
                               triple.astype(float)])
    return _frame(rows[[PERIOD, CODE]], values, done, carried)


def _one_level_up(below: pd.DataFrame, own: pd.DataFrame, children: pd.Series, width: int) -> pd.DataFrame:
    """The units of one level from the rows of the level below (and their own rows where a file gave them)."""
    keys = [below[PERIOD], below[CODE].str[:width].rename(CODE)]
    numbers = below[list(COUNTS)].join(below[list(_DONE.values())].astype("float64")).join(below[_CARRIED])
    grouped = numbers.groupby(keys).sum(min_count=1)
    index = grouped.index.union(pd.MultiIndex.from_frame(own[[PERIOD, CODE]]))
    grouped = grouped.reindex(index)
    sums = grouped[list(COUNTS)].to_numpy(dtype="float64")
    done_below = np.nan_to_num(grouped[list(_DONE.values())].to_numpy(dtype="float64"))
    carried = np.nan_to_num(grouped[_CARRIED].to_numpy(dtype="float64"))
    mine = own.set_index([PERIOD, CODE])[list(COUNTS)].reindex(index).to_numpy(dtype="float64")
    full = done_below >= children.reindex(index.get_level_values(CODE)).fillna(np.inf).to_numpy()[:, None]
    has_own = ~np.isnan(mine)
    values = np.where(full, sums, np.where(has_own, mine, sums))
    return _frame(index.to_frame(index=False), values, full | has_own, carried)


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
    depth = depths(rows[CODE])
    level = _desa_level(rows[depth == 4])
    frames = [level]
    for d in (3, 2, 1):
        children = tree[tree["depth"] == d + 1].groupby("parent").size()
        level = _one_level_up(level, rows[depth == d], children, _WIDTH[d - 1])
        frames.append(level)
    return _shown(pd.concat(frames, ignore_index=True), tree, periodless)


def _shown(table: pd.DataFrame, tree: pd.DataFrame, periodless: bool) -> pd.DataFrame:
    """The counts a person sees: complete values, or for a partial unit the sums over units with both counts."""
    values = table[list(COUNTS)].to_numpy(dtype="float64")
    done = table[list(_DONE.values())].to_numpy(dtype=bool)
    pairs, triples = table[list(_PAIR)].to_numpy(dtype="float64"), table[list(_TRIPLE)].to_numpy(dtype="float64")
    complete = done[:, _P] & done[:, _R]
    all_three = complete & done[:, _A]
    out = table[[PERIOD, CODE]].copy()
    depth = depths(out[CODE]).to_numpy() - 1
    out[LEVEL] = np.array(LEVELS, dtype=object)[depth]
    desa = depth == 3  # a desa shows what its row says, even a count without its pair
    as_given = (complete | desa)[:, None]
    pair_shown = np.where(pairs[:, :1] > 0, pairs, np.nan)
    out[[POPULATION, REGISTERED]] = np.where(as_given, values[:, [_P, _R]], pair_shown)
    has_triple = triples[:, 0] > 0
    out[ACTIVE] = np.where(all_three | desa, values[:, _A], np.where(has_triple, triples[:, 2], np.nan))
    out[list(ACTIVE_BASE)] = np.where(has_triple[:, None], triples[:, :2], np.nan)
    for segment in SEGMENTS:
        i = COUNTS.index(segment)
        out[segment] = np.where(done[:, i], values[:, i], np.nan)
    out[DESA_WITH_FIGURES] = table[DESA_WITH_FIGURES].astype("int64")
    out[DESA_WITH_ACTIVE] = table[DESA_WITH_ACTIVE].astype("int64")
    out[DESA_TOTAL] = out[CODE].map(tree.set_index(CODE)[DESA_TOTAL]).fillna(0).astype("int64")
    out[COMPLETE] = complete
    out[ACTIVE_COMPLETE] = all_three
    out = out[out[POPULATION].notna() | out[REGISTERED].notna() | out[ACTIVE].notna() | desa]
    out = out.sort_values([PERIOD, CODE], kind="stable").reset_index(drop=True)
    shown: pd.DataFrame = out.drop(columns=PERIOD) if periodless else out
    return shown


def stored_rollup(figures: pd.DataFrame, index: pd.DataFrame) -> pd.DataFrame:
    """The roll-up of every stored unit (the unit index's codes), as a write of figures or units stores it."""
    return rollup(figures, index[CODE].astype(str).tolist())


ROLLED_UP = (ACTIVE_COMPLETE, DESA_WITH_ACTIVE)  # columns a roll-up stored by an older geojkn lacks


def is_current(table: pd.DataFrame) -> bool:
    """Whether a stored roll-up carries every column this roll-up makes (else it is made again from the figures)."""
    return all(column in table for column in ROLLED_UP)
