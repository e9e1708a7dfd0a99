"""Tie rows of figures to boundary units: on codes, or on normalised names within their kecamatan."""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from ..codes import ancestor_at, level_of, parse_code
from ..errors import DataError
from ..names import names_agree, normalize_name, total_label
from ..schema import (
    ACTIVE,
    CODE,
    DESA,
    KABUPATEN,
    KECAMATAN,
    KECAMATAN_NAME,
    LEVEL,
    NAME,
    PERIOD,
    POPULATION,
    REGISTERED,
    SKIPPED_TOTALS,
)
from .file_check import MAIN_SHARE
from .match_report import Excess, MatchReport, Reason, Unmatched

ROW = "row"
NAME_LEVELS = (DESA, KECAMATAN)  # names are matched at these levels only
SUGGESTIONS = 3
SUGGESTED_ROWS = 50  # difflib is slow on thousands of names; the report lists only the first rows anyway
# A file where more rows than this (or this share of its rows with a code and a name) name another unit than
# their code is refused: its name column was most likely sorted apart from its code column.
FEW_ROWS, FEW_SHARE = 3, 0.05

__all__ = ("match_figures", "normalize_name", "MatchReport", "Unmatched", "Excess")


class _Index:
    """Look-ups built from the units: codes, levels and labels at once; the normalised names only when a row
    is matched by name (a file whose every code matches never pays for them)."""

    def __init__(self, units: pd.DataFrame) -> None:
        self.levels: dict[str, str] = {}                 # code -> level
        self.names: dict[str, str] = {}                  # code -> name
        self.labels: dict[str, str] = {}                 # code -> "Name" or "Name (Kecamatan)" for a desa
        self.kecamatan: dict[str, str] = {}              # desa code -> the name of its kecamatan
        by_level: defaultdict[str, list[str]] = defaultdict(list)
        kecamatan_names = (units[KECAMATAN_NAME] if KECAMATAN_NAME in units
                           else pd.Series(None, index=units.index))
        self._rows = list(zip(units[CODE], units[NAME], units[LEVEL], kecamatan_names, strict=True))
        for code, name, level, kecamatan in self._rows:
            self.levels[code], self.names[code] = level, str(name)
            by_level[level].append(code)
            has_kecamatan = level == DESA and isinstance(kecamatan, str) and bool(kecamatan)
            self.labels[code] = f"{name} ({kecamatan})" if has_kecamatan else str(name)
            if has_kecamatan:
                self.kecamatan[code] = str(kecamatan)
        self.by_level: dict[str, list[str]] = dict(by_level)  # level -> codes

    @cached_property
    def _by_names(self) -> tuple[dict[str, dict[str, list[str]]], dict[tuple[str, str], list[str]],
                                 dict[str, list[str]], dict[str, str]]:
        by_name: dict[str, dict[str, list[str]]] = {level: defaultdict(list) for level in NAME_LEVELS}
        in_kecamatan: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        kecamatan_desa: defaultdict[str, list[str]] = defaultdict(list)
        kecamatan_labels: dict[str, str] = {}
        for code, name, level, kecamatan in self._rows:
            if level in by_name:
                by_name[level][normalize_name(name)].append(code)
            if level == DESA and isinstance(kecamatan, str) and kecamatan:
                in_kecamatan[(normalize_name(kecamatan), normalize_name(name))].append(code)
                kecamatan_desa[normalize_name(kecamatan)].append(code)
                kecamatan_labels.setdefault(normalize_name(kecamatan), kecamatan)
        return by_name, dict(in_kecamatan), dict(kecamatan_desa), kecamatan_labels

    @cached_property
    def _plain_names(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for _code, name, level, _kecamatan in self._rows:
            found[str(level)].add(" ".join(str(name).lower().split()))
        return found

    def is_name(self, text: object, level: str) -> bool:
        """Whether a text is, as written (case and spacing aside), the name of a unit of the level: Kota Kudus is a
        kecamatan, not a total row."""
        return " ".join(str(text).lower().split()) in self._plain_names.get(str(level), set())

    @property
    def by_name(self) -> dict[str, dict[str, list[str]]]:
        """level -> normalised name -> codes"""
        return self._by_names[0]

    @property
    def in_kecamatan(self) -> dict[tuple[str, str], list[str]]:
        """(normalised kecamatan, normalised desa) -> codes"""
        return self._by_names[1]

    @property
    def kecamatan_desa(self) -> dict[str, list[str]]:
        """normalised kecamatan -> desa codes"""
        return self._by_names[2]

    @property
    def kecamatan_labels(self) -> dict[str, str]:
        """normalised kecamatan name -> kecamatan name"""
        return self._by_names[3]


def _index(units: pd.DataFrame) -> _Index:
    return _Index(units)


def _closest(name: str, codes: list[str], index: _Index) -> tuple[str, ...]:
    """Labels of the units whose names are closest to `name` (difflib ratio), best first."""
    keys: dict[str, list[str]] = {}
    for code in codes:
        keys.setdefault(normalize_name(index.names[code]), []).append(index.labels[code])
    best = difflib.get_close_matches(normalize_name(name), list(keys), n=SUGGESTIONS, cutoff=0.6)
    return tuple(label for key in best for label in keys[key])[:SUGGESTIONS]


@dataclass(frozen=True)
class _Result:
    code: str | None
    reason: Reason = Reason("")
    suggestions: tuple[str, ...] = ()
    later: Callable[[], tuple[str, ...]] | None = None  # suggestions worked out only when they will be shown
    candidates: tuple[str, ...] = ()  # codes of the units an ambiguous name could be
    loose: bool = False  # matched by a name alone (no code, no kecamatan): checked against the file's area
    total: bool = False  # the row is a total (its name is a label such as Kecamatan X or Jumlah), not a unit
    disagrees: str | None = None  # the code of a row whose name names another unit than its code
    spelled: str | None = None  # matched by another spelling of the unit's name (this name), reported

    def hints(self) -> tuple[str, ...]:
        return self.suggestions or (self.later() if self.later else ())


def _by_code(value: str, name: object, kecamatan: object, index: _Index) -> _Result:
    code = parse_code(value)
    if code is None:
        return _Result(None, Reason("not_code", {"value": value}))
    if code in index.levels:
        if not names_agree(name, index.names[code]):
            return _Result(None, Reason("name_disagrees", {"code": code, "name": index.names[code]}),
                           disagrees=code)
        if code in index.kecamatan and not names_agree(kecamatan, index.kecamatan[code]):
            return _Result(None, Reason("kecamatan_disagrees", {"code": code, "kecamatan": index.kecamatan[code]}),
                           disagrees=code)
        return _Result(code)
    pool = index.by_level.get(level_of(code), [])
    later = (lambda: _closest(name, pool, index)) if isinstance(name, str) and name else None
    return _Result(None, Reason("unknown_code", {"code": code}), later=later)


def _in_kecamatan(name: str, kecamatan: str, index: _Index) -> _Result:
    key = normalize_name(kecamatan)
    if key not in index.kecamatan_desa:
        return _Result(None, Reason("no_kecamatan", {"kecamatan": kecamatan}), later=lambda: tuple(
            index.kecamatan_labels[b] for b in
            difflib.get_close_matches(key, list(index.kecamatan_labels), n=SUGGESTIONS, cutoff=0.6)))
    codes = index.in_kecamatan.get((key, normalize_name(name)), [])
    if not codes:  # another spelling of one desa of the kecamatan (BPS writes BENDANPETE for Bedanpete)
        close = [c for c in index.kecamatan_desa[key] if names_agree(name, index.names[c])]
        if len(close) == 1:
            return _Result(close[0], spelled=index.names[close[0]])
    if len(codes) == 1:
        return _Result(codes[0])
    if not codes:
        return _Result(None, Reason("not_in_kecamatan", {"kecamatan": kecamatan}),
                       later=lambda: _closest(name, index.kecamatan_desa[key], index))
    return _ambiguous(Reason("several_in_kecamatan", {"n": len(codes), "kecamatan": kecamatan}), codes, index)


def _ambiguous(reason: Reason, codes: list[str], index: _Index) -> _Result:
    return _Result(None, reason, tuple(f"{index.labels[c]} {c}" for c in codes), candidates=tuple(codes))


def _by_name(name: object, kecamatan: object, level: str, index: _Index) -> _Result:
    if not normalize_name(name):
        return _Result(None, Reason("no_name"))
    in_kecamatan = isinstance(kecamatan, str) and bool(kecamatan.strip())
    if total_label(name, DESA if in_kecamatan else level) and not index.is_name(name, DESA if in_kecamatan else level):
        return _Result(None, Reason("total"), total=True)
    if in_kecamatan:
        return _in_kecamatan(str(name), str(kecamatan), index)
    codes = index.by_name[level].get(normalize_name(name), [])
    if len(codes) == 1:
        return _Result(codes[0], loose=True)
    if not codes:
        pool = index.by_level.get(level, [])
        return _Result(None, Reason("unknown_name", {"level": level}), later=lambda: _closest(str(name), pool, index))
    return _ambiguous(Reason("several_named", {"n": len(codes), "level": level}), codes, index)


def _name_level(figures: pd.DataFrame, index: _Index) -> str:
    """The level that rows without a code and without a kecamatan speak of: the one more of their names fit."""
    if KECAMATAN_NAME in figures and figures[KECAMATAN_NAME].notna().any():
        return DESA
    names = [normalize_name(n) for n in figures[NAME]] if NAME in figures else []
    hits = {level: sum(n in index.by_name[level] for n in names) for level in NAME_LEVELS}
    return KECAMATAN if hits[KECAMATAN] > hits[DESA] else DESA


def _within_file_area(results: list[_Result]) -> list[_Result]:
    """Settle ambiguous names by the kabupaten the other rows matched in: a file covers one area."""
    area = {ancestor_at(r.code, KABUPATEN) for r in results if r.code is not None}
    settled = []
    for result in results:
        inside = [c for c in result.candidates if ancestor_at(c, KABUPATEN) in area]
        settled.append(_Result(inside[0], loose=True) if len(inside) == 1 else result)
    return settled


def _outside_file_area(results: list[_Result], index: _Index) -> list[_Result]:
    """Rows tied by a name alone to a unit outside the kecamatan (for desa; the kabupaten for kecamatan) where the
    rest of the file lies are not stored: the name fits a unit elsewhere, never the one the file is about. The
    file lies where it covers at least half of the units; a unit elsewhere with no more than a few rows of the
    file's (FEW_ROWS, or FEW_SHARE of them) is outside it."""
    matched = [r.code for r in results if r.code is not None]
    if not any(r.loose for r in results) or not matched:
        return results
    level = Counter(index.levels[c] for c in matched).most_common(1)[0][0]
    parent = {str(DESA): KECAMATAN, str(KECAMATAN): KABUPATEN}.get(str(level))
    if parent is None:
        return results
    rows = Counter(ancestor_at(c, parent) for c in matched if index.levels[c] == level)
    units = Counter(ancestor_at(c, parent) for c in index.by_level.get(level, []))
    home = {area for area, n in rows.items() if n >= MAIN_SHARE * units[area]}
    few = max(FEW_ROWS, FEW_SHARE * len(matched))
    out = []
    for result in results:
        area = ancestor_at(result.code, parent) if result.code is not None else None
        if result.loose and home and area not in home and rows[area] <= few:
            where = ", ".join(sorted(index.names.get(str(h), str(h)) for h in home))
            result = _Result(None, Reason("outside_area", {"code": result.code, "where": where}))
        out.append(result)
    return out


def _match_rows(figures: pd.DataFrame, index: _Index) -> list[_Result]:
    rows = figures.to_dict("records")
    by_name = any(not isinstance(r.get(CODE), str) for r in rows)
    level = _name_level(figures, index) if by_name else DESA  # names are looked at only when some row needs them
    found = [_by_code(r[CODE], r.get(NAME), r.get(KECAMATAN_NAME), index) if isinstance(r.get(CODE), str)
             else _by_name(r.get(NAME), r.get(KECAMATAN_NAME), level, index) for r in rows]
    return _outside_file_area(_within_file_area(found), index)


def _refuse_disagreements(figures: pd.DataFrame, results: list[_Result], rows: list[int], index: _Index) -> None:
    """A DataError when more than a few rows name another unit than their code: the likely cause, and the rows."""
    named = int((figures[CODE].map(lambda v: isinstance(v, str)) & figures[NAME].notna()).sum()) \
        if NAME in figures else 0
    wrong = [(n, r.disagrees, record) for n, r, record in zip(rows, results, figures.to_dict("records"), strict=True)
             if r.disagrees is not None]
    if len(wrong) <= max(FEW_ROWS, FEW_SHARE * named):
        return
    codes = {normalize_name(index.names[str(c)]): str(c) for _, c, _ in wrong}
    elsewhere = sum(normalize_name(record.get(NAME)) in codes for _, _, record in wrong)
    shown = "; ".join(f"row {n}: code {c} is {index.names[str(c)]}, the file says '{record.get(NAME)}'"
                      for n, c, record in wrong[:5])
    if elsewhere >= len(wrong) / 2:
        cause = ("The names are those of other rows' codes: the name column was most likely sorted (or pasted) "
                 "apart from the code column. Sort the whole table together, or export it again")
    else:
        cause = ("The codes may come from another code list (BPS and Kemenkes numbers are not Kemendagri codes) "
                 "or from another year's list. Check the code column against the names")
    raise DataError(f"{len(wrong)} of the {named} rows with a code and a name name another unit than their code "
                    f"({shown}). {cause}; nothing was imported.")


def _check_duplicates(matched: pd.DataFrame) -> None:
    """Two rows tied to one unit for one month cannot both be right."""
    keys = [CODE, PERIOD] if PERIOD in matched else [CODE]
    dup = matched[matched.duplicated(keys, keep=False)]
    if dup.empty:
        return
    groups = dup.groupby(keys, sort=True)[ROW].apply(list)
    shown = "; ".join(f"{key[0] if isinstance(key, tuple) else key} (rows {', '.join(map(str, rows))})"
                      for key, rows in list(groups.items())[:8])
    raise DataError(f"several rows match the same unit: {shown}. Check the names (or add a code column) so that "
                    f"each desa or kecamatan has one row per month.")


def _excess(matched: pd.DataFrame, part: str, whole: str, names: dict[str, str]) -> tuple[Excess, ...]:
    if part not in matched or whole not in matched:
        return ()
    over = matched[(matched[part] > matched[whole]).fillna(False)]
    return tuple(Excess(int(r[ROW]), r[CODE], names.get(r[CODE], ""), float(r[part]), float(r[whole]))
                 for r in over.to_dict("records"))


def _without_figures(matched: pd.DataFrame, index: _Index) -> tuple[str | None, tuple[str, ...]]:
    """The level the file speaks of, and its units in the file's kabupaten that have no row."""
    if matched.empty:
        return None, ()
    level = Counter(matched[LEVEL]).most_common(1)[0][0]
    scope = {ancestor_at(c, KABUPATEN) for c in matched[CODE]}
    have = set(matched[CODE])
    missing = sorted(c for c, lv in index.levels.items()
                     if lv == level and c not in have and ancestor_at(c, KABUPATEN) in scope)
    return level, tuple(missing)


def _label(record: Mapping[Hashable, object]) -> str:
    """How an unmatched row is named in the report: its name, else its code."""
    name, code = record.get(NAME), record.get(CODE)
    return name if isinstance(name, str) and name else str(code or "")


def match_figures(figures: pd.DataFrame, units: pd.DataFrame) -> tuple[pd.DataFrame, MatchReport]:
    """Figures rows tied to units (dotted code and level filled in; matched rows only) and a report."""
    index = _index(units)
    results = _match_rows(figures, index)
    rows = figures[ROW].tolist() if ROW in figures else list(range(1, len(figures) + 1))
    _refuse_disagreements(figures, results, rows, index)
    codes = pd.Series([r.code for r in results], index=figures.index, dtype=object)
    matched = figures.loc[codes.notna()].assign(**{CODE: codes[codes.notna()]})
    matched = matched.assign(**{LEVEL: matched[CODE].map(index.levels)})
    if ROW not in matched:
        matched = matched.assign(**{ROW: [n for n, c in zip(rows, codes, strict=True) if c is not None]})
    _check_duplicates(matched)
    failed = [(n, record, r) for n, record, r in zip(rows, figures.to_dict("records"), results, strict=True)
              if r.code is None and not r.total]
    totals = tuple((int(n), _label(record)) for n, record, r in zip(rows, figures.to_dict("records"), results,
                                                                     strict=True) if r.total)
    spelled = tuple((int(n), _label(record), r.spelled) for n, record, r in
                    zip(rows, figures.to_dict("records"), results, strict=True) if r.spelled)
    unmatched = tuple(Unmatched(int(n), _label(record), r.reason, r.hints() if i < SUGGESTED_ROWS else ())
                      for i, (n, record, r) in enumerate(failed))
    level, missing = _without_figures(matched, index)
    report = MatchReport(rows_total=len(figures), rows_matched=len(matched), unmatched=unmatched, level=level,
                         totals=(*figures.attrs.get(SKIPPED_TOTALS, ()), *totals), spelled=spelled,
                         units_without_figures=missing,
                         registered_over_population=_excess(matched, REGISTERED, POPULATION, index.names),
                         active_over_registered=_excess(matched, ACTIVE, REGISTERED, index.names))
    return matched, report
