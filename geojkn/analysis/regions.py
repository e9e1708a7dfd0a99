"""Find a region from what a planner types: a code in any spelling, or a name such as "Kabupaten Demak"."""

from __future__ import annotations

import re

import pandas as pd

from ..codes import level_of, parse_code
from ..errors import DataError, NotFound
from ..schema import CODE, KABUPATEN, KECAMATAN, DESA, LEVEL, NAME, PROVINSI

# Words that name a level in front of a name; they narrow the search to that level.
LEVEL_WORDS = {
    "provinsi": PROVINSI, "prov": PROVINSI, "province": PROVINSI,
    "kabupaten": KABUPATEN, "kab": KABUPATEN, "kota": KABUPATEN, "regency": KABUPATEN, "city": KABUPATEN,
    "kecamatan": KECAMATAN, "kec": KECAMATAN, "subdistrict": KECAMATAN,
    "desa": DESA, "ds": DESA, "kelurahan": DESA, "kel": DESA, "village": DESA,
}
_LEVEL_TITLE = {PROVINSI: "Provinsi", KABUPATEN: "Kabupaten", KECAMATAN: "Kecamatan", DESA: "Desa"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", str(text).lower())


def _split(text: str) -> tuple[str | None, str]:
    """('kabupaten', 'demak') for 'Kab. Demak'; (None, 'demak') for 'Demak'."""
    words = _words(text)
    if len(words) > 1 and words[0] in LEVEL_WORDS:
        return LEVEL_WORDS[words[0]], " ".join(words[1:])
    return None, " ".join(words)


def resolve_region(query: str, index: pd.DataFrame) -> dict:
    """The unit (code, name, level) a query names; unknown or ambiguous queries raise with the candidates."""
    text = str(query).strip()
    if not text:
        raise DataError("Give a region: a code such as 33.20 or a name such as 'Kabupaten Jepara'.")
    code = parse_code(text)
    if code is not None:
        found = index[index[CODE] == code]
        if found.empty and index[CODE].str.startswith(code + ".").any():
            # units inside it were imported without its own polygon (e.g. a province): still a region
            level = level_of(code)
            return {CODE: code, NAME: f"{_LEVEL_TITLE[level]} {code}", LEVEL: level}
        if found.empty:
            raise NotFound(f"No region with code {code} in the store. Run `geojkn regions` to list them.")
        return found.iloc[0][[CODE, NAME, LEVEL]].to_dict()
    if re.fullmatch(r"[\d.\sIDid]+", text):
        raise DataError(f"'{text}' is not an area code: write it as 33.20, 33.20.01 or 33.20.01.2001.")
    return _by_name(text, index)


def _by_name(text: str, index: pd.DataFrame) -> dict:
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
    return hits.iloc[0][[CODE, NAME, LEVEL]].to_dict()
