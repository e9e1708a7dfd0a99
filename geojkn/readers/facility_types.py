"""Facility types: the Indonesian and English spellings planners use, mapped to schema.FACILITY_TYPES."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from ..errors import DataError
from ..schema import FACILITY_TYPES
from .tabular import norm_text

# Spellings per type; compared after norm_text (case, spaces, punctuation and bracketed parts ignored).
TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "puskesmas": ("puskesmas", "pkm", "puskesmas rawat inap", "puskesmas non rawat inap", "puskesmas perawatan",
                  "puskesmas non perawatan", "community health centre", "community health center"),
    "klinik": ("klinik", "klinik pratama", "klinik pratama rawat inap", "klinik pratama rawat jalan", "clinic",
               "primary clinic", "klinik rawat inap", "klinik rawat jalan"),
    "dokter": ("dokter", "dokter praktik perorangan", "dokter praktek perorangan", "dokter praktik mandiri",
               "dokter umum", "dokter keluarga", "dpp", "dokter gigi", "drg", "doctor", "general practitioner",
               "dentist", "praktik dokter", "praktek dokter", "praktik dokter gigi", "praktek dokter gigi",
               "praktik dokter perorangan", "praktik drg", "dokter gigi praktik perorangan"),
    "rumah_sakit": ("rumah sakit", "rs", "rsu", "rsud", "rsia", "rskia", "rsk", "rsj", "rsab", "rsb", "rsup",
                    "rumah sakit umum", "rumah sakit umum daerah", "rumah sakit khusus", "rumah sakit ibu dan anak",
                    "rs khusus", "rs umum", "rsjd", "rsgm", "rsp", "rskb", "rs bersalin", "rs jiwa", "rs paru",
                    "rumah sakit jiwa", "rumah sakit bersalin", "hospital", "klinik utama", "main clinic"),
    "lab": ("laboratorium", "laboratorium klinik", "lab", "lab klinik", "laboratory", "clinical laboratory"),
    "optik": ("optik", "optikal", "optical", "optic", "optician"),
    "apotek": ("apotek", "apotik", "pharmacy"),
    "pustu": ("pustu", "puskesmas pembantu", "puskesmas keliling", "pusling", "auxiliary health centre"),
    "poskesdes": ("poskesdes", "pos kesehatan desa", "polindes", "pondok bersalin desa", "poskestren",
                  "village health post"),
    "rumah_bersalin": ("rumah bersalin", "rb", "klinik bersalin", "maternity home"),
    "bidan": ("bidan", "praktik bidan", "praktek bidan", "praktik mandiri bidan", "pmb", "bidan praktik mandiri",
              "bidan praktik swasta", "bps", "midwife"),
}
# Longer names that start like a type ("Puskesmas Mlonggo", "Rumah Sakit Islam") are that type; the more
# specific starts come first ("Puskesmas Pembantu Bulu" is a pustu, not a puskesmas).
TYPE_PREFIXES = (("puskesmaspembantu", "pustu"), ("puskesmaskeliling", "pustu"), ("pustu", "pustu"),
                 ("puskesmas", "puskesmas"),
                 ("rumahsakitbersalin", "rumah_sakit"), ("rumahbersalin", "rumah_bersalin"),
                 ("rumahsakit", "rumah_sakit"), ("rs", "rumah_sakit"))
_LOOKUP = {norm_text(spelling): kind for kind, spellings in TYPE_ALIASES.items() for spelling in spellings}
EMPTY = "(empty)"


def facility_type(value: object) -> str | None:
    """The type in schema.FACILITY_TYPES for one spelling, or None if it is not a known spelling."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    key = norm_text(value)
    if key in _LOOKUP:
        return _LOOKUP[key]
    return next((kind for prefix, kind in TYPE_PREFIXES if key.startswith(prefix)), None)


def accepted_types() -> str:
    """The accepted types with a few spellings each, for error messages."""
    return "; ".join(f"{kind} ({', '.join(TYPE_ALIASES[kind][:5])})" for kind in FACILITY_TYPES)


def facility_types(values: Sequence[object], *, column: str, source: str = "") -> list[str]:
    """Types for a column of spellings; DataError listing every unknown spelling (with counts) if any."""
    kinds = [facility_type(v) for v in values]
    unknown = Counter(EMPTY if v is None or (isinstance(v, float) and pd.isna(v)) or not str(v).strip() else str(v)
                      for v, kind in zip(values, kinds, strict=True) if kind is None)
    if unknown:
        where = f"{source}: " if source else ""
        seen = ", ".join(f"'{v}' ({n} row{'s' if n > 1 else ''})" for v, n in unknown.most_common())
        raise DataError(f"{where}unknown facility types in column '{column}': {seen}. Accepted types: "
                        f"{accepted_types()}. Rename these values to one of them (case and spaces do not matter).")
    return [kind for kind in kinds if kind is not None]  # none is None: unknown spellings were refused above
