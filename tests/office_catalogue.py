"""Office files as Dinkes and BPJS branch offices make them, each built by code from one truth, with its verdict.

The truth is Kabupaten Jepara's 195 desa (the real boundaries in ../shared/data) with the BPS 2010 census
population where the census names the desa, and registered, active and segment counts drawn once from a fixed
seed. Each variant writes that truth (or a part of it) the way an office would (title blocks, two header rows,
subtotals, remarks, names in BPS spelling, sorted columns, mixed number styles, partial files, impossible rows, a
split desa) and says what geojkn must do with it:

- READ: imported, and the stored counts are the truth, to the person;
- REFUSED: exit 2 with a message saying what is wrong and how to fix it; the store is unchanged;
- MARKED: imported, and the figures that are not whole or cannot be true are marked (checked on the JSON).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyogrio
from openpyxl import Workbook

from conftest import JEPARA_DEMAK, SHARED_DATA

CENSUS = SHARED_DATA / "population" / "census2010_desa_jepara_demak_bps.csv"
PERIOD, NEXT = "2024-01", "2024-02"
READ, REFUSED, MARKED = "read", "refused", "marked"
HEAD = ["Kode Desa", "Nama Desa", "Kecamatan", "Jumlah Penduduk", "Peserta Terdaftar", "Peserta Aktif"]


def _draw(code: str, salt: str, low: float, high: float) -> float:
    """A share between low and high fixed by the code (the same every run, with no random state)."""
    digest = hashlib.sha256(f"{code}/{salt}".encode()).digest()
    return low + (high - low) * int.from_bytes(digest[:4], "big") / 2**32


def truth(kabupaten: str = "33.20") -> pd.DataFrame:
    """A kabupaten's desa (Jepara unless another is named): code, name, kecamatan, BPS names and census
    population, registered, active and segments."""
    path = str(JEPARA_DEMAK)
    desa = pyogrio.read_dataframe(path, layer="desa_kelurahan", read_geometry=False)
    kecamatan = pyogrio.read_dataframe(path, layer="kecamatan", read_geometry=False)
    desa = desa[desa["kode"].str.startswith(kabupaten + ".")].rename(columns={"kode": "code", "nama": "name"})
    desa["kecamatan"] = desa["code"].str[:8].map(dict(zip(kecamatan["kode"], kecamatan["nama"], strict=True)))
    census = pd.read_csv(CENSUS, dtype=str)
    census = census[census["Regency/Municipality Code"] == kabupaten[-2:]]

    def key(*parts: object) -> str:
        return "|".join(re.sub(r"[^A-Z]", "", str(p).upper()) for p in parts)

    census.index = [key(k, v) for k, v in zip(census["District Name"], census["Village Name"], strict=True)]
    keys = [key(k, n) for k, n in zip(desa["kecamatan"], desa["name"], strict=True)]
    found = census.reindex(keys)
    desa["bps_name"] = [v if isinstance(v, str) else n.upper() for v, n in
                        zip(found["Village Name"], desa["name"], strict=True)]
    desa["bps_kecamatan"] = [v if isinstance(v, str) else k.upper() for v, k in
                             zip(found["District Name"], desa["kecamatan"], strict=True)]
    desa.loc[desa["code"] == "33.20.12.2012", "bps_name"] = "BENDANPETE"  # the census's own spelling
    synthetic = [round(2000 + 6000 * _draw(c, "population", 0, 1)) for c in desa["code"]]
    desa["population"] = pd.to_numeric(found["Population"], errors="coerce").fillna(pd.Series(synthetic,
                                       index=found.index)).astype(int).to_numpy()
    desa["registered"] = [round(p * _draw(c, "registered", 0.78, 0.97)) for c, p in
                          zip(desa["code"], desa["population"], strict=True)]
    desa["active"] = [round(r * _draw(c, "active", 0.62, 0.9)) for c, r in
                      zip(desa["code"], desa["registered"], strict=True)]
    desa["pbi_jk"] = (desa["registered"] * 0.45).round().astype(int)
    desa["ppu"] = (desa["registered"] * 0.25).round().astype(int)
    desa["pbpu"] = desa["registered"] - desa["pbi_jk"] - desa["ppu"]
    return desa.sort_values("code").reset_index(drop=True)[
        ["code", "name", "kecamatan", "bps_name", "bps_kecamatan", "population", "registered", "active", "pbi_jk",
         "ppu", "pbpu"]]


def idn(n: object) -> str:
    """A count written the Indonesian way (987.918)."""
    return f"{int(n):,}".replace(",", ".")


def eng(n: object) -> str:
    """A count written the English way (987,918)."""
    return f"{int(n):,}"


def write_csv(path: Path, rows: list[list[object]], sep: str = ";", encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], merges: tuple[str, ...] = ()) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def desa_rows(t: pd.DataFrame, number: Callable[[object], str] = idn, code: Callable[[str], str] = str,
              columns: tuple[str, ...] = ("code", "name", "kecamatan", "population", "registered",
                                          "active")) -> list[list[object]]:
    counts = {"population", "registered", "active", "pbi_jk", "ppu", "pbpu"}
    return [[number(r[c]) if c in counts else code(r[c]) if c == "code" else r[c] for c in columns]
            for r in t.to_dict("records")]


@dataclass(frozen=True)
class Case:
    """One office file: what runs before it (setup imports), the file and its arguments, and the verdict."""

    name: str
    verdict: str
    file: Path
    args: tuple[str, ...] = ("--period", PERIOD)
    setup: tuple[tuple[Path, tuple[str, ...]], ...] = ()
    expect: tuple[str, ...] = ()  # words the message (refused) or the report (read, marked) must contain
    stored: pd.DataFrame | None = None  # read: the counts that must be stored for PERIOD (code index)
    check: Callable[[Callable[..., object], Path | str], None] | None = field(default=None, compare=False)


Builder = Callable[[Path, pd.DataFrame], Case]
CATALOGUE: list[Builder] = []


def variant(build: Builder) -> Builder:
    CATALOGUE.append(build)
    return build


def _stored(t: pd.DataFrame, columns: tuple[str, ...] = ("population", "registered", "active")) -> pd.DataFrame:
    return t.set_index("code")[list(columns)]


def _json(runner: Callable[..., object], store: Path, *argv: str) -> dict:
    result = runner("--store", store, *argv)
    assert result.status == 0, result.err  # type: ignore[attr-defined]
    return json.loads(result.out)  # type: ignore[attr-defined]


def _units(runner: Callable[..., object], store: Path, level: str, *extra: str) -> dict[str, dict]:
    ranked = _json(runner, store, "rank", "33.20", "--level", level, "--format", "json", *extra)
    return {u["code"]: u for u in ranked["units"]}


def _whole_month(tmp: Path, t: pd.DataFrame, name: str = "bulan_lalu.csv") -> tuple[Path, tuple[str, ...]]:
    return write_csv(tmp / name, [HEAD, *desa_rows(t)]), ("--period", PERIOD)


# --- layouts read as they are -----------------------------------------------------------------------------------

@variant
def dinkes_csv(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [["REKAP KEPESERTAAN JKN-KIS DINAS KESEHATAN KABUPATEN JEPARA"], ["Posisi Januari 2024"], [], HEAD,
            *desa_rows(t), ["JUMLAH", "", "", idn(t.population.sum()), idn(t.registered.sum()), idn(t.active.sum())]]
    return Case("Dinkes CSV: title block, ';', BOM, 1.234 thousands, a JUMLAH row", READ,
                write_csv(tmp / "dinkes.csv", rows), stored=_stored(t), expect=("JUMLAH",))


@variant
def bpjs_xlsx_title_block(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [["BPJS KESEHATAN KANTOR CABANG KUDUS"], ["Rekapitulasi Peserta JKN-KIS per Desa"], ["Kabupaten Jepara"],
            [], ["No", *HEAD], *[[i + 1, *r] for i, r in enumerate(desa_rows(t, number=int))],
            ["TOTAL", None, None, None, int(t.population.sum()), int(t.registered.sum()), int(t.active.sum())]]
    return Case("BPJS XLSX: three title rows merged across, numbers as numbers, a TOTAL row", READ,
                write_xlsx(tmp / "bpjs.xlsx", rows, ("A1:G1", "A2:G2", "A3:G3")), stored=_stored(t))


@variant
def two_header_rows(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [["REKAP JKN"], ["Kode Desa", "Nama Desa", "Kecamatan", "Penduduk (jiwa)", "Peserta", None],
            [None, None, None, None, "Terdaftar", "Aktif"], *desa_rows(t, number=int)]
    return Case("XLSX with two header rows: 'Peserta' merged over 'Terdaftar' and 'Aktif'", READ,
                write_xlsx(tmp / "dua_baris.xlsx", rows, ("E2:F2",)), stored=_stored(t))


@variant
def plain_codes(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [HEAD, *desa_rows(t, code=lambda c: c.replace(".", ""))]
    return Case("codes written without dots (3320012001)", READ, write_csv(tmp / "polos.csv", rows), stored=_stored(t))


@variant
def prefixed_codes(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [HEAD, *desa_rows(t, code=lambda c: "ID" + c.replace(".", ""))]
    return Case("codes with a country prefix (ID3320012001)", READ, write_csv(tmp / "id.csv", rows),
                stored=_stored(t))


@variant
def numeric_codes_xlsx(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [HEAD, *[[int(r[0].replace(".", "")), *r[1:]] for r in desa_rows(t, number=int)]]
    return Case("XLSX whose codes are numbers", READ, write_xlsx(tmp / "angka.xlsx", rows), stored=_stored(t))


@variant
def english_numbers(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [["kode", "nama", "kecamatan", "penduduk", "peserta", "aktif"], *desa_rows(t, number=eng)]
    return Case("',' separated, numbers the English way (987,918) in quotes", READ,
                write_csv(tmp / "english.csv", rows, sep=",", encoding="utf-8"), stored=_stored(t))


@variant
def tab_cp1252(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [HEAD, *desa_rows(t, number=lambda n: str(int(n)))]
    return Case("tab separated, Windows-1252, plain numbers", READ,
                write_csv(tmp / "tab.txt", rows, sep="\t", encoding="cp1252"), stored=_stored(t))


@variant
def remarks_column(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [[*HEAD, "Keterangan"], *[[*r, "data Dukcapil semester II" if i % 7 == 0 else ""]
                                     for i, r in enumerate(desa_rows(t))]]
    return Case("a remarks column (Keterangan) beside the counts", READ, write_csv(tmp / "ket.csv", rows),
                stored=_stored(t))


@variant
def segments(tmp: Path, t: pd.DataFrame) -> Case:
    head = ["Kode Desa", "Nama Desa", "Jumlah Penduduk", "Peserta Terdaftar", "Peserta Aktif", "PBI JK", "PPU",
            "PBPU"]
    columns = ("code", "name", "population", "registered", "active", "pbi_jk", "ppu", "pbpu")
    return Case("segments beside the counts (PBI JK, PPU, PBPU)", READ,
                write_csv(tmp / "segmen.csv", [head, *desa_rows(t, columns=columns)]),
                stored=_stored(t, ("population", "registered", "active", "pbi_jk", "ppu", "pbpu")))


@variant
def subtotals_with_codes(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [HEAD]
    for code, part in t.groupby(t["code"].str[:8], sort=True):
        rows += desa_rows(part)
        rows.append([code, f"Kecamatan {part['kecamatan'].iloc[0]}", "", idn(part.population.sum()),
                     idn(part.registered.sum()), idn(part.active.sum())])
    return Case("a subtotal row per kecamatan, with the kecamatan's code", READ, write_csv(tmp / "subkode.csv", rows),
                stored=_stored(t))


@variant
def subtotals_as_labels(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [HEAD]
    for _, part in t.groupby(t["code"].str[:8], sort=True):
        rows += desa_rows(part)
        rows.append(["", f"Kecamatan {part['kecamatan'].iloc[0].upper()}", part["kecamatan"].iloc[0],
                     idn(part.population.sum()), idn(part.registered.sum()), idn(part.active.sum())])
    return Case("a subtotal per kecamatan written 'Kecamatan WELAHAN' in the desa column, no code", READ,
                write_csv(tmp / "sublabel.csv", rows), stored=_stored(t), expect=("Kecamatan WELAHAN",))


@variant
def one_kecamatan_names_only_subtotal(tmp: Path, t: pd.DataFrame) -> Case:
    """Welahan's own report: names only, its subtotal 'Kecamatan WELAHAN', and desa Welahan itself not listed."""
    mine = t[(t["kecamatan"] == "Welahan") & (t["name"] != "Welahan")]
    welahan = t[t["kecamatan"] == "Welahan"]
    rows = [["Nama Desa", "Jumlah Penduduk", "Peserta Terdaftar", "Peserta Aktif"],
            *desa_rows(mine, columns=("name", "population", "registered", "active")),
            ["Kecamatan WELAHAN", idn(welahan.population.sum()), idn(welahan.registered.sum()),
             idn(welahan.active.sum())]]

    def check(runner: Callable[..., object], store: Path | str) -> None:
        desa = _units(runner, store, "desa")
        code = t.loc[t["name"] == "Welahan", "code"].iloc[0]
        before = t.set_index("code").loc[code]
        assert desa[code]["registered"] == before["registered"]  # the subtotal never lands on desa Welahan

    return Case("one kecamatan's names-only report with its subtotal as a label, added with --merge", MARKED,
                write_csv(tmp / "welahan.csv", rows), args=("--period", PERIOD, "--merge"),
                setup=(_whole_month(tmp, t),), expect=("Kecamatan WELAHAN",), check=check)


@variant
def names_in_bps_spelling(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [["NAMA DESA", "KECAMATAN", "PENDUDUK", "PESERTA", "AKTIF"],
            *desa_rows(t, columns=("bps_name", "bps_kecamatan", "population", "registered", "active"))]
    return Case("names only, upper case in BPS spelling (BENDANPETE, PAKIS AJI), with the kecamatan", READ,
                write_csv(tmp / "bps.csv", rows), stored=_stored(t))


@variant
def names_only_one_kecamatan_with_a_stranger(tmp: Path, t: pd.DataFrame) -> Case:
    """Kedung's names-only list with one name that exists only in another kecamatan: reported, not stored."""
    kedung = t[t["kecamatan"] == "Kedung"]
    counts = set(t.groupby("name").size()[lambda n: n == 1].index)
    stranger = t[(t["kecamatan"] == "Mlonggo") & t["name"].isin(counts)].iloc[:1]
    rows = [["Nama Desa", "Penduduk", "Terdaftar", "Aktif"],
            *desa_rows(pd.concat([kedung, stranger.assign(population=1, registered=1, active=1)]),
                       columns=("name", "population", "registered", "active"))]
    code = stranger["code"].iloc[0]

    def check(runner: Callable[..., object], store: Path | str) -> None:
        desa = _units(runner, store, "desa")
        assert desa[code]["population"] == t.set_index("code").loc[code, "population"]  # not overwritten

    return Case("a names-only file of one kecamatan with a name found only elsewhere", MARKED,
                write_csv(tmp / "kedung.csv", rows), args=("--period", PERIOD, "--merge"),
                setup=(_whole_month(tmp, t),), expect=(code, "not stored"), check=check)


@variant
def kecamatan_file(tmp: Path, t: pd.DataFrame) -> Case:
    sums = t.groupby(t["code"].str[:8])[["population", "registered", "active"]].sum()
    rows = [["Kode Kecamatan", "Nama Kecamatan", "Penduduk", "Peserta", "Aktif"],
            *[[code, f"Kec. {name}", idn(r.population), idn(r.registered), idn(r.active)]
              for (code, r), name in zip(sums.iterrows(), t.groupby(t["code"].str[:8])["kecamatan"].first(),
                                         strict=True)],
            ["Kabupaten Jepara", "", idn(sums.population.sum()), idn(sums.registered.sum()), idn(sums.active.sum())]]
    return Case("a kecamatan file with 'Kec.' names and a kabupaten total row", READ,
                write_csv(tmp / "kecamatan.csv", rows), stored=sums)


@variant
def two_months_in_one_file(tmp: Path, t: pd.DataFrame) -> Case:
    head = ["Periode", *HEAD]
    rows = [head, *[["Januari 2024", *r] for r in desa_rows(t)], *[["Februari 2024", *r] for r in desa_rows(t)]]
    return Case("two months in one file with a period column written 'Januari 2024'", READ,
                write_csv(tmp / "dua_bulan.csv", rows), args=(), stored=_stored(t))


# --- refused, with what to fix ----------------------------------------------------------------------------------

@variant
def sorted_name_column(tmp: Path, t: pd.DataFrame) -> Case:
    rows = desa_rows(t)
    names = sorted(r[1] for r in rows)
    return Case("the name column sorted on its own while the codes stayed in code order", REFUSED,
                write_csv(tmp / "urut.csv", [HEAD, *[[r[0], n, *r[2:]] for r, n in zip(rows, names, strict=True)]]),
                expect=("sorted", "name column", "nothing was imported"))


@variant
def round_thousands_beside_small_numbers(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [["Kode Desa", "Nama Desa", "Jumlah Penduduk", "Peserta Terdaftar", "Pindah"],
            *[[r[0], r[1], r[3], r[4], "1.000" if i % 40 == 0 else str(i % 30)] for i, r in enumerate(desa_rows(t))]]
    rows[0][4] = "Peserta Aktif"
    return Case("a column of small numbers with round thousands written '1.000'", REFUSED,
                write_csv(tmp / "ribu.csv", rows),
                expect=("Peserta Aktif", "'1.000' is 1000 or 1", "without separators"))


@variant
def kecamatan_population_beside_english_counts(tmp: Path, t: pd.DataFrame) -> Case:
    sums = t.groupby(t["code"].str[:8])[["population", "registered"]].sum()
    rows = [["Kode Kecamatan", "Penduduk", "Peserta"],
            *[[code, f"{round(r.population, -3) // 1000}.000", eng(r.registered)] for code, r in sums.iterrows()]]
    return Case("kecamatan populations rounded to thousands ('81.000') beside English-grouped counts", REFUSED,
                write_csv(tmp / "campur.csv", rows, sep=",", encoding="utf-8"),
                expect=("Penduduk", "cannot tell", "'.' and ','"))


@variant
def mixed_number_styles(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [HEAD, *[[*r[:3], eng(int(r[3].replace(".", ""))) if i % 2 else r[3], *r[4:]]
                    for i, r in enumerate(desa_rows(t))]]
    return Case("one column with both 1.234 and 1,234", REFUSED, write_csv(tmp / "gaya.csv", rows),
                expect=("mixes number formats", "Jumlah Penduduk"))


@variant
def percentages_only(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [["Kode Desa", "Penduduk", "Peserta (%)"],
            *[[c, idn(p), f"{r / p * 100:.2f}".replace(".", ",")] for c, p, r in
              zip(t.code, t.population, t.registered, strict=True)]]
    return Case("registered given only as a percentage column", REFUSED, write_csv(tmp / "persen.csv", rows),
                expect=("percentages", "Peserta (%)"))


@variant
def whole_number_percentages(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [["Kode Desa", "Penduduk", "Peserta"],
            *[[c, idn(p), str(round(r / p * 100))] for c, p, r in zip(t.code, t.population, t.registered, strict=True)]]
    return Case("percentages as whole numbers in a count column", REFUSED, write_csv(tmp / "persen2.csv", rows),
                expect=("percentages", "Peserta"))


@variant
def partial_file_without_saying(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [["Kode Desa", "Peserta Terdaftar"], *[[r.code, idn(r.registered + 10)] for r in t.head(5).itertuples()]]
    return Case("five rows of registered counts for a kabupaten whose month is stored, without --merge", REFUSED,
                write_csv(tmp / "lima.csv", rows), setup=(_whole_month(tmp, t),),
                expect=("5 of the 195 desa", "--merge", "--replace"))


@variant
def typo_into_demak(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [[r[0], r[3], r[4], r[5]] for r in desa_rows(t)]
    rows[10][0] = "33.21.01.2001"
    return Case("one code typed into Demak in a file of Jepara with codes only", REFUSED,
                write_csv(tmp / "typo.csv", [["Kode Desa", *HEAD[3:]], *rows]),
                expect=("Kabupaten Demak (33.21)", "--merge"))


@variant
def typo_with_its_name(tmp: Path, t: pd.DataFrame) -> Case:
    rows = desa_rows(t)
    rows[10][0] = "33.21.01.2001"

    def check(runner: Callable[..., object], store: Path | str) -> None:
        demak = _json(runner, store, "summary", "33.21", "--json")
        assert demak["period"] is None  # nothing was stored in Demak
        assert _json(runner, store, "summary", "33.20", "--json")["desa_with_figures"] == 194

    return Case("one code typed into Demak, its name still the Jepara desa's: listed, not stored", MARKED,
                write_csv(tmp / "typo2.csv", [HEAD, *rows]), expect=("33.21.01.2001", "not stored"), check=check)


@variant
def duplicate_rows(tmp: Path, t: pd.DataFrame) -> Case:
    rows = desa_rows(t)
    return Case("one desa listed twice", REFUSED, write_csv(tmp / "dobel.csv", [HEAD, *rows, rows[3]]),
                expect=("more than once", t.code.iloc[3]))


@variant
def nik_in_population(tmp: Path, t: pd.DataFrame) -> Case:
    rows = desa_rows(t)
    rows[5][3] = "3320012506880001"
    return Case("a 16-digit NIK typed in the population column", REFUSED, write_csv(tmp / "nik.csv", [HEAD, *rows]),
                expect=("larger than Indonesia's population", "NIK"))


@variant
def bps_codes(tmp: Path, t: pd.DataFrame) -> Case:
    census = pd.read_csv(CENSUS, dtype=str)
    census = census[census["Regency/Municipality Code"] == "20"]
    rows = [["Kode BPS", "Penduduk", "Peserta"],
            *[[f"3320{k}{v}", p, p] for k, v, p in zip(census["District Code"], census["Village Code"],
                                                        census["Population"], strict=True)]]
    rows[0][0] = "kode"
    return Case("BPS village codes where Kemendagri codes belong", REFUSED, write_csv(tmp / "kodebps.csv", rows),
                expect=("none of the", "BPS codes", "Kemendagri"))


# --- imported, and marked where not whole or not possible -------------------------------------------------------

@variant
def active_blank_in_three_kecamatan(tmp: Path, t: pd.DataFrame) -> Case:
    blank = {"33.20.01", "33.20.02", "33.20.03"}
    rows = [HEAD, *[r if r[0][:8] not in blank else [*r[:5], ""] for r in desa_rows(t)]]

    def check(runner: Callable[..., object], store: Path | str) -> None:
        s = _json(runner, store, "summary", "33.20", "--json")
        assert s["complete"] is True and s["active_complete"] is False
        mine = t[~t["code"].str[:8].isin(blank)]
        assert s["desa_with_active"] == len(mine)
        assert s["active_coverage"] == round(mine.active.sum() / mine.population.sum(), 10) or \
            abs(s["active_coverage"] - mine.active.sum() / mine.population.sum()) < 1e-12
        assert s["status"]["meets_active_target"] is None and s["status"]["active_gap"] is None
        text = runner("--store", store, "summary", "33.20").out  # type: ignore[attr-defined]
        assert "Peserta aktif hanya ada untuk" in text

    return Case("active counts blank for three kecamatan", MARKED, write_csv(tmp / "aktif.csv", rows), check=check)


@variant
def impossible_rows(tmp: Path, t: pd.DataFrame) -> Case:
    rows = desa_rows(t)
    rows[0][4] = idn(int(t.population.iloc[0]) * 2 + 7)  # registered above population
    rows[1][5] = idn(int(t.registered.iloc[1]) + 400)  # active above registered
    rows[2][3], rows[2][4] = "0", idn(120)  # registered with no residents

    def check(runner: Callable[..., object], store: Path | str) -> None:
        desa = _units(runner, store, "desa", "--metric", "tier")
        for code in t.code.iloc[:3]:
            assert code not in desa  # no tier: left out of a ranking by tier
        units = _units(runner, store, "desa")
        assert all(units[c]["implausible"] for c in t.code.iloc[:3])
        assert units[t.code.iloc[1]]["to_reactivate"] is None  # never a negative number of people
        assert all(u["to_reactivate"] is None or u["to_reactivate"] >= 0 for u in units.values())
        jkn = _json(runner, store, "desa-jkn", "33.20", "--json")
        listed = {d["code"] for k in jkn["by_kecamatan"] for d in k["desa"]}
        assert not listed & set(t.code.iloc[:3])
        assert _json(runner, store, "summary", "33.20", "--json")["desa_implausible"] == 3

    return Case("registered above population, active above registered, registered with no population", MARKED,
                write_csv(tmp / "mustahil.csv", [HEAD, *rows]), expect=("registered > population",), check=check)


@variant
def merge_five_registered(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [["Kode Desa", "Peserta Terdaftar"], *[[r.code, idn(r.registered - 300)] for r in t.head(5).itertuples()]]

    def check(runner: Callable[..., object], store: Path | str) -> None:
        units = _units(runner, store, "desa")
        for r in t.head(5).itertuples():
            assert units[r.code]["registered"] == r.registered - 300 and units[r.code]["population"] == r.population
            assert units[r.code]["active"] is None  # replaced with its registered count: never the old active
        for r in t.iloc[5:].itertuples():
            assert units[r.code]["registered"] == r.registered
        s = _json(runner, store, "summary", "33.20", "--json")
        assert s["active_complete"] is False and 0 < s["activity_rate"] <= 1 and s["to_reactivate"] >= 0

    return Case("five rows of registered counts added with --merge to a whole month", MARKED,
                write_csv(tmp / "lima.csv", rows), args=("--period", PERIOD, "--merge"),
                setup=(_whole_month(tmp, t),), check=check)


@variant
def replace_with_five(tmp: Path, t: pd.DataFrame) -> Case:
    rows = [HEAD, *desa_rows(t.head(5))]

    def check(runner: Callable[..., object], store: Path | str) -> None:
        s = _json(runner, store, "summary", "33.20", "--json")
        assert (s["desa_with_figures"], s["complete"]) == (5, False)
        assert s["status"]["meets_target"] is None

    return Case("five desa given as the whole month with --replace", MARKED, write_csv(tmp / "ganti.csv", rows),
                args=("--period", PERIOD, "--replace"), setup=(_whole_month(tmp, t),), expect=("190",), check=check)


@variant
def a_few_names_disagree(tmp: Path, t: pd.DataFrame) -> Case:
    rows = desa_rows(t)
    rows[7][1], rows[8][1] = rows[8][1], rows[7][1]  # two names swapped by hand

    def check(runner: Callable[..., object], store: Path | str) -> None:
        s = _json(runner, store, "summary", "33.20", "--json")
        assert s["desa_with_figures"] == 193 and s["complete"] is False

    return Case("two rows whose names were swapped: listed, not stored", MARKED,
                write_csv(tmp / "tukar.csv", [HEAD, *rows]), expect=(t.code.iloc[7], "not stored"), check=check)


@variant
def missing_desa_next_month(tmp: Path, t: pd.DataFrame) -> Case:
    later = t.assign(registered=t.registered + 25)
    gone = t.code.iloc[0]

    def check(runner: Callable[..., object], store: Path | str) -> None:
        kec = _units(runner, store, "kecamatan", "--metric", "change")
        first = kec[gone[:8]]
        assert first["change_compared"] == first["desa_total"] - 1  # compared on its other desa, still ranked
        mine = later[(later.code.str[:8] == gone[:8]) & (later.code != gone)]
        before = t[(t.code.str[:8] == gone[:8]) & (t.code != gone)]
        expected = (mine.registered.sum() / mine.population.sum() - before.registered.sum() / before.population.sum())
        assert abs(first["change"] - expected * 100) < 1e-9

    return Case("the next month misses one desa: its kecamatan's change is measured on the others", MARKED,
                write_csv(tmp / "feb.csv", [HEAD, *desa_rows(later[later.code != gone])]), args=("--period", NEXT),
                setup=(_whole_month(tmp, t),), check=check)


@variant
def split_desa_next_month(tmp: Path, t: pd.DataFrame) -> Case:
    later = t.copy()
    split = later.index[40]
    later.loc[split, ["population", "registered", "active"]] = (later.loc[split, ["population", "registered",
                                                                                   "active"]] // 2)
    code = later.loc[split, "code"]

    def check(runner: Callable[..., object], store: Path | str) -> None:
        desa = _units(runner, store, "desa", "--metric", "change")
        assert code not in desa  # a break in the data, not a fall: left out of the change ranking
        every = _units(runner, store, "desa")
        assert every[code]["data_breaks"] == 1 and every[code]["change"] is None
        s = _json(runner, store, "summary", "33.20", "--json")
        assert s["change"]["breaks"] == 1

    return Case("a desa split between two months (pemekaran): its population halves", MARKED,
                write_csv(tmp / "pemekaran.csv", [HEAD, *desa_rows(later)]), args=("--period", NEXT),
                setup=(_whole_month(tmp, t),), check=check)


@variant
def population_and_registered_apart(tmp: Path, t: pd.DataFrame) -> Case:
    sums = t.groupby(t["code"].str[:8])["population"].sum()
    population = write_csv(tmp / "penduduk_kec.csv", [["Kode Kecamatan", "Jumlah Penduduk"],
                                                       *[[c, idn(p)] for c, p in sums.items()]])
    rows = [["Kode Desa", "Peserta Terdaftar", "Peserta Aktif"], *[[r.code, idn(r.registered), idn(r.active)]
                                                                   for r in t.itertuples()]]

    def check(runner: Callable[..., object], store: Path | str) -> None:
        kec = _units(runner, store, "kecamatan")
        for code, total in sums.items():
            part = t[t.code.str[:8] == code]
            assert kec[code]["population"] == total and kec[code]["registered"] == part.registered.sum()

    return Case("population per kecamatan in one file, registered per desa in another", MARKED,
                write_csv(tmp / "peserta.csv", rows), setup=((population, ("--period", PERIOD)),), check=check)
