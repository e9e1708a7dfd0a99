"""Names as office files write them: reduced for comparison, old and BPS spellings, and the labels of total rows.

Used where files are read (a row without a code that is a total) and where rows are tied to units.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from .schema import DESA, KECAMATAN

_PREFIX = re.compile(r"^(desa|ds|kelurahan|kel|kecamatan|kec)(?:\.\s*|\s+)")
# A label in a name column that makes the row a total of the units above it, never a unit of that name:
# "Kecamatan WELAHAN", "Kec. Bonang" (in a file of desa), "Kabupaten Demak", "Jumlah", "Subtotal", "Total".
_TOTALS = r"(jumlah|jml|sub\s*-?\s*total|total|grand\s*-?\s*total|rekap)(\b|\.|$)"
_TOTAL_LABEL: dict[str, re.Pattern[str]] = {  # a unit word must be followed by a name: desa "Kabupaten" is a desa
    DESA: re.compile(rf"^\s*((kecamatan|kec|kabupaten|kab|kota)(\.\s*|\s+)\w|{_TOTALS})", re.IGNORECASE),
    KECAMATAN: re.compile(rf"^\s*((kabupaten|kab|kota|provinsi|prov)(\.\s*|\s+)\w|{_TOTALS})", re.IGNORECASE)}
# Old and BPS spellings that differ from Kemendagri's only in letters (dj/j, tj/c, oe/u) or a few characters.
_OLD_SPELLING = (("dj", "j"), ("tj", "c"), ("oe", "u"))
AGREE = 0.8  # difflib ratio at which two spellings of a name are taken for the same name


def normalize_name(text: object) -> str:
    """A name reduced for comparison: no accents, case, spaces, punctuation or Desa/Ds./Kel./Kec. prefix."""
    if text is None or (isinstance(text, float) and text != text):  # None or NaN
        return ""
    plain = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower().strip()
    return re.sub(r"[^a-z0-9]", "", _PREFIX.sub("", plain, count=1))


def names_agree(given: object, name: str) -> bool:
    """Whether a name in a file names the unit called `name`: the same once case, spaces, punctuation and a
    Desa/Ds./Kel./Kec. prefix are set aside, or an old or BPS spelling of it (Djati, BENDANPETE, KARANG TENGAH)."""
    a, b = normalize_name(given), normalize_name(name)
    if not a or a == b:
        return True
    for old, new in _OLD_SPELLING:
        a, b = a.replace(old, new), b.replace(old, new)
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= AGREE


def total_label(name: object, level: str) -> bool:
    """Whether a name cell of a row of `level` units is the label of a total (Kecamatan X, Jumlah, Total)."""
    pattern = _TOTAL_LABEL.get(level)
    return isinstance(name, str) and pattern is not None and pattern.match(name) is not None
