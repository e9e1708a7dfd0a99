"""Find a region from what a planner types: a code in any spelling, or a name such as "Kabupaten Demak"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from ..codes import level_of, parse_code
from ..errors import DataError, NotFound
from ..records import Region
from ..schema import CODE, DESA, KABUPATEN, KECAMATAN, LEVEL, NAME, PARENT, PROVINSI, Level

# Words that name a level in front of a name; they narrow the search to that level.
LEVEL_WORDS = {
    "provinsi": PROVINSI, "prov": PROVINSI, "province": PROVINSI,
    "kabupaten": KABUPATEN, "kab": KABUPATEN, "kota": KABUPATEN, "regency": KABUPATEN, "city": KABUPATEN,
    "kecamatan": KECAMATAN, "kec": KECAMATAN, "subdistrict": KECAMATAN,
    "desa": DESA, "ds": DESA, "kelurahan": DESA, "kel": DESA, "village": DESA,
}
_LEVEL_TITLE = {PROVINSI: "Provinsi", KABUPATEN: "Kabupaten", KECAMATAN: "Kecamatan", DESA: "Desa"}
INDEX_COLUMNS = (CODE, NAME, LEVEL, PARENT)


@dataclass(frozen=True, eq=False)
class UnitIndex:
    """Code, name, level and parent of every stored unit (no geometry), with the look-ups built once."""

    table: pd.DataFrame

    @cached_property
    def names(self) -> dict[str, str]:
        return dict(zip(self.table[CODE].tolist(), self.table[NAME].astype(str).tolist(), strict=True))

    @cached_property
    def levels(self) -> dict[str, Level]:
        return {code: Level(level) for code, level in zip(self.table[CODE].tolist(), self.table[LEVEL].tolist(),
                                                          strict=True)}

    def count(self, level: Level) -> int:
        """How many units of a level are stored."""
        return sum(1 for lv in self.levels.values() if lv == level)

    def region(self, code: str) -> Region:
        """The unit with this code; a code above the stored units (a province imported without its polygon)
        is still a region, named by its level and code."""
        if code in self.names:
            return Region(code, self.names[code], self.levels[code])
        level = Level(level_of(code))
        return Region(code, f"{_LEVEL_TITLE[level]} {code}", level)

    def parents(self, code: str) -> tuple[Region, ...]:
        """The units that contain a code, from the province down (stored or not)."""
        parts = code.split(".")
        return tuple(self.region(".".join(parts[:depth])) for depth in range(1, len(parts)))

    def crumbs(self, code: str) -> tuple[Region, ...]:
        """The parents worth naming above a unit: stored ones, and a province known only by its code when it
        holds several stored kabupaten (the region list offers it then; otherwise it adds nothing)."""
        parents = self.parents(code)
        kabupaten = {c[:5] for c, lv in self.levels.items() if lv != Level.PROVINSI and len(c) >= 5}
        return tuple(p for p in parents if p.code in self.names or sum(k.startswith(p.code + ".")
                                                                        for k in kabupaten) > 1)

    def has_units_in(self, code: str) -> bool:
        prefix = code + "."
        return any(c.startswith(prefix) for c in self.names)

    @cached_property
    def _keys(self) -> list[tuple[str, str, str]]:
        """(name reduced for search, code without dots, code) of every unit, kabupaten first, then by code."""
        order = sorted(self.names, key=lambda code: (code.count("."), code))
        return [(_search_key(self.names[c]), c.replace(".", ""), c) for c in order]

    def search(self, text: str, limit: int = 20, allowed: Callable[[str], bool] | None = None) -> list[Region]:
        """Units whose name or code matches what a planner types: whole names first, then names that start with
        it, then names that contain it; a code matches by its start (dotted or plain). `allowed`: only the units
        an account may see are looked at (before the limit: its own units all count)."""
        key, digits = _search_key(text), re.sub(r"[^0-9]", "", text)
        if not key:
            return []
        ranked: list[tuple[int, int, str]] = []
        for i, (name, plain, code) in enumerate(self._keys):
            if allowed is not None and not allowed(code):
                continue
            if digits and key == digits and plain.startswith(digits):
                ranked.append((0, i, code))
            elif name == key:
                ranked.append((1, i, code))
            elif name.startswith(key):
                ranked.append((2, i, code))
            elif len(key) > 2 and key in name:
                ranked.append((3, i, code))
        return [self.region(code) for _, _, code in sorted(ranked)[:limit]]

    def resolve(self, query: str, allowed: Callable[[str], bool] | None = None) -> Region:
        """The unit a planner's query names (see resolve_region); with `allowed`, among the units an account may
        see only: a unit outside them is as unknown as one that does not exist, and no message names one."""
        if allowed is None:
            return resolve_region(query, self.table)
        table = self.table[[allowed(str(code)) for code in self.table[CODE]]]
        region = resolve_region(query, table)
        if not allowed(region.code):
            raise NotFound(f"No region with code {region.code} in the store. Run `geojkn regions` to list them.")
        return region

    @classmethod
    def empty(cls) -> UnitIndex:
        return cls(pd.DataFrame({c: pd.Series(dtype=object) for c in INDEX_COLUMNS}))


def _search_key(text: str) -> str:
    """A name as search compares it: lower-case letters and digits only, level words in front left out."""
    return "".join(_split(text)[1].split())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", str(text).lower())


def _split(text: str) -> tuple[str | None, str]:
    """('kabupaten', 'demak') for 'Kab. Demak'; (None, 'demak') for 'Demak'."""
    words = _words(text)
    if len(words) > 1 and words[0] in LEVEL_WORDS:
        return LEVEL_WORDS[words[0]], " ".join(words[1:])
    return None, " ".join(words)


def resolve_region(query: str, index: pd.DataFrame) -> Region:
    """The unit (code, name, level) a query names; unknown or ambiguous queries raise with the candidates."""
    text = str(query).strip()
    if not text:
        raise DataError("Give a region: a code such as 33.20 or a name such as 'Kabupaten Jepara'.")
    code = parse_code(text)
    if code is not None:
        found = index[index[CODE] == code]
        if found.empty and index[CODE].str.startswith(code + ".").any():
            # units inside it were imported without its own polygon (e.g. a province): still a region
            level = Level(level_of(code))
            return Region(code, f"{_LEVEL_TITLE[level]} {code}", level)
        if found.empty:
            raise NotFound(f"No region with code {code} in the store. Run `geojkn regions` to list them.")
        return _region(found.iloc[0])
    if re.fullmatch(r"[\d.\sIDid]+", text):
        raise DataError(f"'{text}' is not an area code: write it as 33.20, 33.20.01 or 33.20.01.2001.")
    return _by_name(text, index)


def _by_name(text: str, index: pd.DataFrame) -> Region:
    level, wanted = _split(text)
    keys = index[NAME].map(lambda n: _split(n)[1])
    hits = index[(keys == wanted) & (index[LEVEL] == level if level else True)]
    exact = hits[hits[NAME].str.lower() == text.lower()]
    if level and len(hits) > 1 and len(exact) == 1:
        hits = exact  # "Kota Semarang" typed in full names one unit, though "Kabupaten Semarang" exists too
    if hits.empty:
        raise NotFound(f"No region named '{text}' in the store. Give its code, or run `geojkn regions` to list them.")
    if len(hits) > 1:
        listed = "; ".join(f"{r[CODE]} {r[NAME]} ({r[LEVEL]})" for _, r in hits.head(12).iterrows())
        levels = dict.fromkeys(hits[LEVEL])
        hint = ", ".join(f"'{_LEVEL_TITLE[lv]} {wanted.title()}'" for lv in levels)
        hint = f", or name the level: {hint}" if len(levels) > 1 else ""
        raise DataError(f"'{text}' is ambiguous: {listed}. Give the code{hint}.")
    return _region(hits.iloc[0])


def _region(row: pd.Series) -> Region:
    return Region(str(row[CODE]), str(row[NAME]), Level(row[LEVEL]))
