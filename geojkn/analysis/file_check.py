"""What an import of figures will do, worked out before anything is written (pure functions; no I/O).

Rules (the README's "Your own data" section states them):
- A file is the truth for its month in every kabupaten it covers: its rows replace that month's figures there.
- While the file covers some kabupaten for at least half of its units, a kabupaten it covers for less than half,
  with no more than STRAY_ROWS rows or STRAY_SHARE of the file's rows (whichever is more), is taken for a typo:
  the import is refused before any write (the stray rows would otherwise replace that kabupaten's month on
  their own). `--merge` adds rows without replacing anything.
- Rows whose code is a kabupaten or province in a file of kecamatan or desa rows are total rows: not stored,
  reported with the sum of the units below them.
- A file covering less than half of a kabupaten's units whose month already has figures there says what it means:
  with --merge its rows add or correct, with --replace it is the whole month; without either it is refused.
- A kecamatan (or kabupaten) row whose units below are all in the file is compared with their sum; rows that
  differ by more than DISAGREEMENT of the row's own count are reported (the sum is used, see rollup.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from ..codes import ancestor_at
from ..schema import CODE, DESA, KABUPATEN, LEVEL, PERIOD, POPULATION, REGISTERED, Level
from .regions import UnitIndex

MAIN_SHARE = 0.5  # of a kabupaten's units: the file covers that kabupaten
STRAY_ROWS, STRAY_SHARE = 3, 0.05  # a few rows: at most this many, or this share of the file's rows
DISAGREEMENT = 0.01  # 1 % of the row's own population or registered participants
ROW = "row"


@dataclass(frozen=True)
class Stray:
    """Rows of a file that fall in a kabupaten the rest of the file does not cover."""

    kabupaten: str
    rows: tuple[int, ...]
    codes: tuple[str, ...]
    units: int  # units of the file's level in that kabupaten


@dataclass(frozen=True)
class Partial:
    """A kabupaten's month that a file covers for less than half of its units while figures are stored for it."""

    period: str
    kabupaten: str
    level: Level
    rows: int  # the file's units there
    units: int  # the kabupaten's units of that level
    stored: int  # its units of that level with figures stored for the month


@dataclass(frozen=True)
class TotalRow:
    """A kabupaten or province row in a file of lower units: not stored, compared with its units."""

    row: int
    code: str
    population: float | None
    population_of_units: float | None


@dataclass(frozen=True)
class Disagreement:
    """A unit's own row whose count differs from the sum of its units below (all of them in the file)."""

    row: int
    code: str
    count: str
    own: float
    units: float


@dataclass(frozen=True)
class Replacement:
    """What replacing one month in one kabupaten changes, at the file's level."""

    period: str
    kabupaten: str
    level: Level
    before: int  # units with figures before the import
    after: int  # units with figures in the file
    lost: tuple[str, ...]  # units that had figures and have none now


def main_level(matched: pd.DataFrame) -> Level:
    """The level most of a file's rows are at (desa, or kecamatan for a kecamatan file)."""
    return Level(Counter(matched[LEVEL]).most_common(1)[0][0])


def split_totals(matched: pd.DataFrame) -> tuple[pd.DataFrame, list[TotalRow]]:
    """The rows to store, and the kabupaten/province total rows of a file of kecamatan or desa rows."""
    level = main_level(matched)
    if level.depth < 3:
        return matched, []
    is_total = matched[LEVEL].isin([Level.PROVINSI, Level.KABUPATEN])
    lower = matched[~is_total & (matched[LEVEL] == level)]
    totals = []
    for record in matched[is_total].to_dict("records"):
        code = str(record[CODE])
        inside = lower[lower[CODE].str.startswith(code + ".")]
        units = float(inside[POPULATION].sum()) if inside[POPULATION].notna().any() else None
        totals.append(TotalRow(int(record[ROW]), code, _number(record[POPULATION]), units))
    return matched[~is_total], totals


def scope(matched: pd.DataFrame) -> dict[str, list[str]]:
    """Each period of the file and the kabupaten its rows cover (the month is replaced there)."""
    out: dict[str, list[str]] = {}
    for period, rows in matched.groupby(PERIOD, sort=True):
        out[str(period)] = sorted({str(ancestor_at(c, KABUPATEN)) for c in rows[CODE] if ancestor_at(c, KABUPATEN)})
    return out


def strays(matched: pd.DataFrame, index: UnitIndex) -> list[Stray]:
    """Kabupaten the file barely touches while it covers another one: the likely typos."""
    level = main_level(matched)
    rows = matched[matched[LEVEL] == level]
    kabupaten = rows[CODE].map(lambda c: ancestor_at(c, KABUPATEN))
    units = Counter(str(ancestor_at(code, KABUPATEN)) for code, lv in index.levels.items() if lv == level)
    share = {k: kabupaten.eq(k).sum() / max(units.get(str(k), 0), 1) for k in kabupaten.dropna().unique()}
    if not share or max(share.values()) < MAIN_SHARE:
        return []
    few = max(STRAY_ROWS, STRAY_SHARE * len(rows))
    found = []
    for k, part in share.items():
        if part < MAIN_SHARE and kabupaten.eq(k).sum() <= few:
            mine = rows[kabupaten == k]
            found.append(Stray(str(k), tuple(int(r) for r in mine[ROW]), tuple(mine[CODE]), units.get(str(k), 0)))
    return found


def partial_months(old: pd.DataFrame, new: pd.DataFrame, where: dict[str, list[str]],
                   index: UnitIndex) -> list[Partial]:
    """The months of kabupaten the file covers for less than half of their units (at the file's level) that already
    have figures there: replacing them with the file would take figures away from the units it leaves out."""
    level = main_level(new)
    units = Counter(str(ancestor_at(code, KABUPATEN)) for code, lv in index.levels.items() if lv == level)
    found = []
    for period, kabupaten in where.items():
        before, after = _with_figures(old, period, level), _with_figures(new, period, level)
        for k in kabupaten:
            rows, stored = len(after.get(k, set())), len(before.get(k, set()))
            if stored and rows < MAIN_SHARE * units.get(k, 0):
                found.append(Partial(period, k, level, rows, units.get(k, 0), stored))
    return found


def disagreements(matched: pd.DataFrame, index: UnitIndex) -> list[Disagreement]:
    """Own rows of units above desa whose units below are all in the file, where the sum differs."""
    found = []
    codes = set(matched[CODE])
    children: dict[str, list[str]] = {}
    for code in index.levels:
        if "." in code:
            children.setdefault(code.rsplit(".", 1)[0], []).append(code)
    by_code = matched.set_index(CODE)
    for record in matched[matched[LEVEL] != DESA].to_dict("records"):
        below = children.get(str(record[CODE]), [])
        if not below or not set(below) <= codes:
            continue
        for count in (POPULATION, REGISTERED):
            own, total = _number(record[count]), by_code.loc[below, count]
            if own is None or total.isna().any():
                continue
            if abs(own - float(total.sum())) > DISAGREEMENT * own:
                found.append(Disagreement(int(record[ROW]), str(record[CODE]), count, own, float(total.sum())))
    return found


def replacements(old: pd.DataFrame, new: pd.DataFrame, where: dict[str, list[str]]) -> list[Replacement]:
    """For each month and kabupaten replaced: units with figures before and after, and those that lost them."""
    level = main_level(new)
    out = []
    for period, kabupaten in where.items():
        before, after = _with_figures(old, period, level), _with_figures(new, period, level)
        for k in kabupaten:
            had, has = before.get(k, set()), after.get(k, set())
            out.append(Replacement(period, k, level, len(had), len(has), tuple(sorted(had - has))))
    return out


def without_population(stored: pd.DataFrame, where: dict[str, list[str]]) -> int:
    """Desa that, after the import, have registered participants but no population in the months replaced."""
    count = 0
    for period, kabupaten in where.items():
        rows = stored[(stored[PERIOD] == period) & (stored[LEVEL] == DESA)]
        inside = rows[CODE].map(lambda c: ancestor_at(c, KABUPATEN)).isin(kabupaten)
        count += int((inside & rows[REGISTERED].notna() & rows[POPULATION].isna()).sum())
    return count


def _with_figures(rows: pd.DataFrame, period: str, level: Level) -> dict[str, set[str]]:
    """Kabupaten code -> the units of `level` in it with a count for the period (one pass over the rows)."""
    mine = rows[(rows[PERIOD] == period) & (rows[LEVEL] == level)]
    mine = mine[mine[POPULATION].notna() | mine[REGISTERED].notna()]
    codes = mine[CODE].astype(str)
    return {str(k): set(group) for k, group in codes.groupby(codes.map(lambda c: ancestor_at(c, KABUPATEN)))}


def _number(value: object) -> float | None:
    if not isinstance(value, (int, float)) or value != value:  # None, text, or NaN
        return None
    return float(value)

