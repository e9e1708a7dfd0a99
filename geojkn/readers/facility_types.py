"""Facility types: the Indonesian and English spellings planners use, mapped to schema.FACILITY_TYPES."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from ..errors import DataError
from ..schema import FACILITY_TYPES
from .tabular import norm_header

# Spellings per type; compared after norm_header (case, spaces, punctuation and bracketed parts ignored).
TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "puskesmas": ("puskesmas", "pkm", "puskesmas rawat inap", "puskesmas non rawat inap", "puskesmas perawatan",
                  "puskesmas non perawatan", "community health centre", "community health center"),
    "klinik": ("klinik", "klinik pratama", "klinik pratama rawat inap", "klinik pratama rawat jalan", "clinic",
               "primary clinic"),
    "dokter": ("dokter", "dokter praktik perorangan", "dokter praktek perorangan", "dokter praktik mandiri",
               "dokter umum", "dokter keluarga", "dpp", "dokter gigi", "drg", "doctor", "general practitioner",
               "dentist"),
    "rumah_sakit": ("rumah sakit", "rs", "rsu", "rsud", "rsia", "rskia", "rsk", "rsj", "rsab", "rsb", "rsup",
                    "rumah sakit umum", "rumah sakit umum daerah", "rumah sakit khusus", "rumah sakit ibu dan anak",
                    "hospital", "klinik utama", "main clinic"),
    "lab": ("laboratorium", "laboratorium klinik", "lab", "lab klinik", "laboratory", "clinical laboratory"),
    "optik": ("optik", "optikal", "optical", "optic", "optician"),
    "apotek": ("apotek", "apotik", "pharmacy"),
}
# Longer names that start like a type ("Puskesmas Mlonggo", "Rumah Sakit Islam") are that type.
TYPE_PREFIXES = (("puskesmas", "puskesmas"), ("rumahsakit", "rumah_sakit"))
_LOOKUP = {norm_header(spelling): kind for kind, spellings in TYPE_ALIASES.items() for spelling in spellings}
EMPTY = "(empty)"


def facility_type(value: object) -> str | None:
    """The type in schema.FACILITY_TYPES for one spelling, or None if it is not a known spelling."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    key = norm_header(value)
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
