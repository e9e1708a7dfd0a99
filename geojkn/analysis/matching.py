"""Tie rows of figures to boundary units: on codes, or on normalised names within their kecamatan."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from ..codes import ancestor_at, level_of, parse_code
from ..errors import DataError
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
)
from .match_report import Excess, MatchReport, Reason, Unmatched

ROW = "row"
NAME_LEVELS = (DESA, KECAMATAN)  # names are matched at these levels only
SUGGESTIONS = 3
SUGGESTED_ROWS = 50  # difflib is slow on thousands of names; the report lists only the first rows anyway
_PREFIX = re.compile(r"^(desa|ds|kelurahan|kel|kecamatan|kec)(?:\.\s*|\s+)")

__all__ = ("match_figures", "normalize_name", "MatchReport", "Unmatched", "Excess")


def normalize_name(text: object) -> str:
    """A name reduced for comparison: no accents, case, spaces, punctuation or Desa/Ds./Kel./Kec. prefix."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    plain = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower().strip()
    return re.sub(r"[^a-z0-9]", "", _PREFIX.sub("", plain, count=1))


class _Index:
    """Look-ups built from the units: codes, levels and labels at once; the normalised names only when a row
    is matched by name (a file whose every code matches never pays for them)."""

    def __init__(self, units: pd.DataFrame) -> None:
        self.levels: dict[str, str] = {}                 # code -> level
        self.names: dict[str, str] = {}                  # code -> name
        self.labels: dict[str, str] = {}                 # code -> "Name" or "Name (Kecamatan)" for a desa
        by_level: defaultdict[str, list[str]] = defaultdict(list)
        kecamatan_names = (units[KECAMATAN_NAME] if KECAMATAN_NAME in units
                           else pd.Series(None, index=units.index))
        self._rows = list(zip(units[CODE], units[NAME], units[LEVEL], kecamatan_names, strict=True))
        for code, name, level, kecamatan in self._rows:
            self.levels[code], self.names[code] = level, str(name)
            by_level[level].append(code)
            has_kecamatan = level == DESA and isinstance(kecamatan, str) and bool(kecamatan)
            self.labels[code] = f"{name} ({kecamatan})" if has_kecamatan else str(name)
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

    def hints(self) -> tuple[str, ...]:
        return self.suggestions or (self.later() if self.later else ())


def _by_code(value: str, name: object, index: _Index) -> _Result:
    code = parse_code(value)
    if code is None:
        return _Result(None, Reason("not_code", {"value": value}))
    if code in index.levels:
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
    if isinstance(kecamatan, str) and kecamatan.strip():
        return _in_kecamatan(str(name), kecamatan, index)
    codes = index.by_name[level].get(normalize_name(name), [])
    if len(codes) == 1:
        return _Result(codes[0])
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
        settled.append(_Result(inside[0]) if len(inside) == 1 else result)
    return settled


def _match_rows(figures: pd.DataFrame, index: _Index) -> list[_Result]:
    rows = figures.to_dict("records")
    by_name = any(not isinstance(r.get(CODE), str) for r in rows)
    level = _name_level(figures, index) if by_name else DESA  # names are looked at only when some row needs them
    return _within_file_area([_by_code(r[CODE], r.get(NAME), index) if isinstance(r.get(CODE), str)
                              else _by_name(r.get(NAME), r.get(KECAMATAN_NAME), level, index) for r in rows])


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
    codes = pd.Series([r.code for r in results], index=figures.index, dtype=object)
    matched = figures.loc[codes.notna()].assign(**{CODE: codes[codes.notna()]})
    matched = matched.assign(**{LEVEL: matched[CODE].map(index.levels)})
    if ROW not in matched:
        matched = matched.assign(**{ROW: [n for n, c in zip(rows, codes, strict=True) if c is not None]})
    _check_duplicates(matched)
    failed = [(n, record, r) for n, record, r in zip(rows, figures.to_dict("records"), results, strict=True)
              if r.code is None]
    unmatched = tuple(Unmatched(int(n), _label(record), r.reason, r.hints() if i < SUGGESTED_ROWS else ())
                      for i, (n, record, r) in enumerate(failed))
    level, missing = _without_figures(matched, index)
    report = MatchReport(rows_total=len(figures), rows_matched=len(matched), unmatched=unmatched, level=level,
                         units_without_figures=missing,
                         registered_over_population=_excess(matched, REGISTERED, POPULATION, index.names),
                         active_over_registered=_excess(matched, ACTIVE, REGISTERED, index.names))
    return matched, report
