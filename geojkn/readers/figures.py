"""Read JKN enrolment figures (penduduk, peserta terdaftar, peserta aktif, segments) per desa or kecamatan."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..codes import HELP, normalize_codes
from ..errors import DataError
from ..names import total_label
from ..period import ACCEPTED, parse_period
from ..schema import (
    ACTIVE,
    CODE,
    COUNTS,
    DESA,
    KECAMATAN_NAME,
    NAME,
    PERIOD,
    POPULATION,
    REGISTERED,
    SEGMENTS,
    SKIPPED_TOTALS,
)
from .numbers import count_columns
from .tabular import ROW, find_columns, list_rows, read_table

_KECAMATAN_CODE = "kecamatan code"
_DESA_NAME = "desa name"
_KECAMATAN_NAME = "kecamatan name"
COLUMNS = (CODE, NAME, KECAMATAN_NAME, PERIOD) + COUNTS + (ROW,)

# Names accepted for each column; case, spaces and punctuation do not matter (see tabular.norm_header).
ALIASES: dict[str, tuple[str, ...]] = {
    CODE: ("kode", "kode_desa", "kode_kelurahan", "kode_desa_kelurahan", "kode_wilayah", "kode_kemendagri",
           "code"),
    _KECAMATAN_CODE: ("kode_kecamatan", "kode_kec"),
    _DESA_NAME: ("nama", "nama_desa", "desa", "kelurahan", "desa_kelurahan", "nama_kelurahan",
                 "nama_desa_kelurahan", "name", "village"),
    _KECAMATAN_NAME: ("kecamatan", "nama_kecamatan", "kec", "nama_kec"),
    PERIOD: ("periode", "bulan", "period"),
    POPULATION: ("penduduk", "jumlah_penduduk", "jml_penduduk", "population", "jumlah_jiwa"),
    REGISTERED: ("peserta", "peserta_terdaftar", "terdaftar", "jumlah_peserta", "registered", "enrolled",
                 "peserta_jkn", "peserta_jkn_kis"),
    ACTIVE: ("peserta_aktif", "aktif", "active", "peserta_jkn_aktif", "peserta_aktif_jkn"),
    **dict(zip(SEGMENTS, (("pbi_jk", "pbi_apbn"), ("pbpu_pemda", "pbi_apbd"), ("ppu",), ("pbpu", "pbpu_mandiri"),
                          ("bp", "bukan_pekerja")), strict=True)),
}
ONE_OF = (POPULATION, REGISTERED)  # a file carries at least one of them (the other may come from another file)
# A header that says percent names a share, never a number of people.
PERCENT_HEADER = re.compile(r"%|(?<![a-z])(persen|persentase|prosentase|presentase|pct|percent|percentage)(?![a-z])",
                            re.IGNORECASE)
# Values that look like whole-number percentages in a count column: none above 100, and a median share of the
# population below this (no real coverage is that low; 81,49 % written as 81 would give 0,01 %).
PERCENT_MAX, PERCENT_SHARE = 100, 0.05
WHAT_TO_SEND = {POPULATION: "the number of residents (penduduk)", REGISTERED: "the number of registered "
                "participants (peserta terdaftar)", ACTIVE: "the number of active participants (peserta aktif)"}


def _roles(headers: list[str], source: str) -> dict[str, str | None]:
    """Columns by role; a kecamatan name column is the unit name unless a desa name column exists too."""
    shares = [h for h in headers if PERCENT_HEADER.search(str(h))]
    found = find_columns([h for h in headers if h not in shares], ALIASES, source=source)
    _refuse_shares(found, shares, source)
    if all(found[role] is None for role in ONE_OF):
        find_columns([h for h in headers if h not in shares], ALIASES, required=ONE_OF, source=source)
    desa, kecamatan = found[_DESA_NAME], found[_KECAMATAN_NAME]
    roles = dict(found)
    roles[CODE] = found[CODE] or found[_KECAMATAN_CODE]  # a desa code wins when both are present
    roles[NAME] = desa or kecamatan
    roles[KECAMATAN_NAME] = kecamatan if desa else None
    if roles[CODE] is None and roles[NAME] is None:
        raise DataError(f"{source}: no code and no name column: the figures cannot be tied to a desa or "
                        f"kecamatan. Add a column 'kode' ({HELP}) or 'nama_desa' / 'nama_kecamatan'.")
    return roles


def _refuse_shares(found: dict[str, str | None], shares: list[str], source: str) -> None:
    """A DataError when a count is given only as a percentage column ('Peserta (%)', '% Terdaftar')."""
    for role in (POPULATION, REGISTERED, ACTIVE):
        if found[role] is not None:
            continue
        named = [h for h in shares
                 if find_columns([PERCENT_HEADER.sub(" ", h)], {role: ALIASES[role]}, source=source)[role]]
        if named:
            raise DataError(f"{source}: column '{named[0]}' holds percentages (its header says so), not people. "
                            f"geojkn adds up people and divides afterwards: send {WHAT_TO_SEND[role]} per desa or "
                            f"kecamatan in a column without '%', or remove the column.")


def _refuse_percent_values(counts: pd.DataFrame, roles: dict[str, str | None], source: str) -> None:
    """A DataError when a count column holds whole-number percentages rather than people."""
    population = counts[POPULATION]
    for role in (REGISTERED, ACTIVE):
        values = counts[role]
        both = values.notna() & (population > 0)
        if not both.any() or values.max() > PERCENT_MAX:
            continue
        share = float((values[both] / population[both]).median())
        if share < PERCENT_SHARE:
            raise DataError(f"{source}: column '{roles[role]}' holds no value above {PERCENT_MAX} while the "
                            f"population runs to {population.max():,.0f}: a median of {share:.2%} of the population "
                            f"is no coverage, so these look like percentages. Send {WHAT_TO_SEND[role]}.")


def _codes(table: pd.DataFrame, header: str | None, source: str) -> pd.Series:
    """Dotted codes, or all None when the file has no code column."""
    if header is None:
        return pd.Series(None, index=table.index, dtype=object)
    codes = normalize_codes(table[header])
    empty, bad = table[header].isna(), codes.isna() & table[header].notna()
    if bad.any():
        raise DataError(f"{source}: column '{header}' has values that are not area codes: "
                        f"{list_rows(table.loc[bad, ROW].tolist(), table.loc[bad, header].tolist())}; {HELP}.")
    if empty.any():
        raise DataError(f"{source}: rows without a code in column '{header}': "
                        f"{list_rows(table.loc[empty, ROW].tolist())}. Fill in the code or delete the rows.")
    return codes


def _text(table: pd.DataFrame, header: str | None) -> pd.Series:
    if header is None:
        return pd.Series(None, index=table.index, dtype=object)
    return table[header].map(lambda v: None if pd.isna(v) else " ".join(str(v).split())).astype(object)


def _given_period(period: str, table: pd.DataFrame, header: str | None, source: str) -> pd.Series:
    value = parse_period(period)
    if value is None:
        raise DataError(f"--period '{period}' is not a month: write it as {ACCEPTED}.")
    if header is not None:
        other = table[header].map(lambda v: None if pd.isna(v) else parse_period(v)).ne(value) & table[header].notna()
        if other.any():
            raise DataError(f"{source}: --period is {value}, but column '{header}' says otherwise in "
                            f"{list_rows(table.loc[other, ROW].tolist(), table.loc[other, header].tolist())}. "
                            f"Leave out --period to use the column, or correct the file.")
    return pd.Series(value, index=table.index, dtype=object)


def _periods(table: pd.DataFrame, header: str | None, period: str | None, source: str) -> pd.Series:
    """'YYYY-MM' per row, from --period or from the period column."""
    if period is not None:
        return _given_period(period, table, header, source)
    if header is None:
        raise DataError(f"{source}: which month are these figures for? Give it with --period (e.g. --period "
                        f"2022-01), or add a column 'periode' (or 'bulan', 'period') with values like {ACCEPTED}.")
    values = table[header].map(lambda v: None if pd.isna(v) else parse_period(v)).astype(object)
    bad = values.isna()
    if bad.any():
        raise DataError(f"{source}: column '{header}' has values that are not months: "
                        f"{list_rows(table.loc[bad, ROW].tolist(), table.loc[bad, header].fillna('').tolist())}. "
                        f"Write each month as {ACCEPTED}, or give --period.")
    return values


def _check_rows(out: pd.DataFrame, source: str) -> None:
    """Every row is tied to a unit, once per period."""
    unnamed = out[CODE].isna() & out[NAME].isna()
    if unnamed.any():
        raise DataError(f"{source}: rows with neither a code nor a name: {list_rows(out.loc[unnamed, ROW].tolist())}. "
                        f"Fill them in or delete the rows.")
    coded = out[out[CODE].notna()]
    dup = coded[coded.duplicated([CODE, PERIOD], keep=False)]
    if not dup.empty:
        groups = dup.groupby([CODE, PERIOD], sort=True)[ROW].apply(list)
        shown = "; ".join(f"{code} in {period} (rows {', '.join(map(str, rows))})"
                          for (code, period), rows in zip(groups.index.tolist()[:8], groups.tolist(), strict=False))
        raise DataError(f"{source}: {len(groups)} code(s) appear more than once for the same month: {shown}. "
                        f"Keep one row per code and month.")


def _without_labelled_totals(table: pd.DataFrame, roles: dict[str, str | None]) -> pd.DataFrame:
    """The table without rows that have no code and whose name cell is the label of a total ("Kecamatan WELAHAN",
    "Kab. Jepara"): a subtotal of the rows above, never a unit. They join the total rows the report names."""
    names = [header for role in (NAME, KECAMATAN_NAME) if (header := roles.get(role))]
    code = roles[CODE]
    no_code = table[code].isna() if code else pd.Series(True, index=table.index)
    label = pd.Series(False, index=table.index)
    for header in names:
        label |= table[header].map(lambda v: total_label(v, DESA))
    totals = no_code & label
    if code:  # the label written where the code goes ("Kabupaten Jepara" in the code column)
        totals |= table[code].map(lambda v: total_label(v, DESA))
    if not totals.any():
        return table
    shown = [code] if code else []
    found = table.loc[totals, [*shown, *names]].bfill(axis=1).iloc[:, 0]
    kept = table[~totals].copy()
    kept.attrs[SKIPPED_TOTALS] = (*table.attrs.get(SKIPPED_TOTALS, ()),
                                  *zip(table.loc[totals, ROW].astype(int), found.astype(str), strict=True))
    return kept


def read_figures(path: str | Path, *, sheet: str | None = None, period: str | None = None) -> pd.DataFrame:
    """Figures per unit and month from a CSV/XLSX file, with counts as float64 (NaN when missing)."""
    source = Path(path).name
    table = read_table(path, ALIASES, sheet=sheet)
    roles = _roles([c for c in table.columns if c != ROW], source)
    table = _without_labelled_totals(table, roles)
    counts = count_columns(table, {role: roles.get(role) for role in COUNTS}, source=source)
    _refuse_percent_values(counts, roles, source)
    out = pd.DataFrame({
        CODE: _codes(table, roles[CODE], source),
        NAME: _text(table, roles[NAME]),
        KECAMATAN_NAME: _text(table, roles[KECAMATAN_NAME]),
        PERIOD: _periods(table, roles[PERIOD], period, source),
    }, index=table.index)
    out = pd.concat([out, counts.astype(np.float64)], axis=1)
    out[ROW] = table[ROW].astype(int)
    _check_rows(out, source)
    for column in (CODE, NAME, KECAMATAN_NAME):  # missing text is None, not NaN, for every consumer
        out[column] = pd.Series([v if isinstance(v, str) else None for v in out[column]], index=out.index,
                                dtype=object)
    out = out[list(COLUMNS)].reset_index(drop=True)
    out.attrs[SKIPPED_TOTALS] = table.attrs.get(SKIPPED_TOTALS, ())  # named in the import report
    return out
