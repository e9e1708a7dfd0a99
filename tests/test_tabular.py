"""Tabular reading: encodings, delimiters, title rows, totals, header matching and number formats."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook

from geojkn.errors import DataError
from geojkn.readers.numbers import EN, ID, count_columns, read_decimal, read_number
from geojkn.readers.tabular import ROW, find_columns, norm_header, read_grid, read_table, sniff_delimiter

ALIASES = {
    "code": ("kode", "kode_desa"),
    "name": ("nama", "nama_desa", "desa"),
    "population": ("penduduk", "jumlah_penduduk"),
    "registered": ("peserta", "peserta_terdaftar"),
    "active": ("peserta_aktif", "aktif"),
}


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def table(values: dict[str, list], rows: list[int] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(values, dtype=object)
    frame[ROW] = rows or list(range(2, len(frame) + 2))
    return frame


# --- reading files ---------------------------------------------------------------------------------------


def test_csv_semicolon_with_bom(tmp_path):
    path = write(tmp_path / "a.csv", "\ufeffKode;Nama Desa;Penduduk\n3320012001;Kedungmalang;4.495\n")
    frame = read_table(path, ALIASES)
    assert list(frame.columns) == ["Kode", "Nama Desa", "Penduduk", ROW]  # no BOM glued to the first header
    assert frame.loc[0, "Kode"] == "3320012001"
    assert frame.loc[0, "Penduduk"] == "4.495"  # text: numbers are parsed per column later
    assert frame.loc[0, ROW] == 2


def test_cp1252_fallback_keeps_accents(tmp_path):
    path = write(tmp_path / "a.csv", "kode,nama,penduduk\n33.20.02,Pécangaan,1000\n", encoding="cp1252")
    assert read_table(path, ALIASES).loc[0, "nama"] == "Pécangaan"


def test_tab_delimiter_and_leading_zeros_kept(tmp_path):
    path = write(tmp_path / "a.tsv", "kode\tnama\tpenduduk\n0101\tX\t5\n")
    frame = read_table(path, ALIASES)
    assert frame.loc[0, "kode"] == "0101"


@pytest.mark.parametrize("text, expected", [
    ("a;b;c\n1;2,5;3\n4;5,5;6\n", ";"),
    ("a,b,c\n1,2,3\n", ","),
    ("a\tb\n1,5\t2,5\n", "\t"),
    ("Judul laporan\n\nkode;nama;peserta\n1;X;81,49\n2;Y;1,5\n", ";"),
])
def test_sniff_delimiter(text, expected):
    assert sniff_delimiter(text) == expected


def test_title_rows_empty_rows_and_totals(tmp_path):
    text = ("Data Kepesertaan JKN Kabupaten Jepara\nJanuari 2022\n\nkode;nama;penduduk;peserta\n"
            "33.20.01.2001;Kedungmalang;4.495;3.900\n;;;\n33.20.01.2002;Kalianyar;1.502;1.234\n"
            "JUMLAH;;5.997;5.134\nTotal Kabupaten;;5.997;5.134\n")
    frame = read_table(write(tmp_path / "a.csv", text), ALIASES)
    assert frame["nama"].tolist() == ["Kedungmalang", "Kalianyar"]
    assert frame[ROW].tolist() == [5, 7]  # as the user sees them: title rows and the blank line count


def make_xlsx(path, rows, merges=(), sheet="Rekap", extra_sheet=None):
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    if extra_sheet:
        book.create_sheet(extra_sheet).append(["kode", "nama", "penduduk"])
    book.save(path)
    return path


def test_xlsx_title_rows_merged_header_and_jumlah(tmp_path):
    path = make_xlsx(tmp_path / "a.xlsx", [
        ["REKAP KEPESERTAAN JKN-KIS"], ["Kabupaten Jepara"],
        ["No", "Kode Desa", "Nama Desa", "Penduduk (jiwa)", "Peserta", None],
        [None, None, None, None, "Terdaftar", "Aktif"],
        [1, 3320012001, "Kedungmalang", "4.495", 3900, 3001.0],
        [2, "33.20.01.2002", "Kalianyar", 1502, "1.234", 900],
        ["JUMLAH", None, None, 5997, 5134, 3901],
    ], merges=("A1:F1", "E3:F3"))
    frame = read_table(path, ALIASES)
    assert "Peserta Terdaftar" in frame.columns and "Peserta Aktif" in frame.columns
    assert frame["Kode Desa"].tolist() == ["3320012001", "33.20.01.2002"]  # a numeric cell loses no digits
    assert frame["Peserta Aktif"].tolist() == ["3001", "900"]  # 3001.0 is read as typed
    assert frame[ROW].tolist() == [5, 6]


def test_xlsx_named_sheet_and_missing_sheet(tmp_path):
    path = make_xlsx(tmp_path / "a.xlsx", [["x"]], extra_sheet="Data")
    assert read_grid(path, sheet="Data")[0] == ["kode", "nama", "penduduk"]
    with pytest.raises(DataError) as err:
        read_grid(path, sheet="Januari")
    assert "'Januari'" in str(err.value) and "Rekap, Data" in str(err.value)


def test_no_header_row(tmp_path):
    path = write(tmp_path / "a.csv", "foo;bar\n1;2\n")
    with pytest.raises(DataError, match="no header row.*foo \\| bar"):
        read_table(path, ALIASES)


def test_the_type_comes_from_the_bytes_not_the_name(tmp_path):
    with pytest.raises(DataError, match="a.xlsx: is a PDF document"):
        read_grid(write(tmp_path / "a.xlsx", "%PDF-1.4 x"))
    assert read_grid(write(tmp_path / "table.pdf", "kode;nama\n1;x\n")) == [["kode", "nama"], ["1", "x"]]


# --- header names -----------------------------------------------------------------------------------------


def test_norm_header():
    assert norm_header(" Jumlah_Penduduk (jiwa) ") == "jumlahpenduduk"
    assert norm_header("Nama Désa") == "namadesa"


def test_find_columns_is_insensitive():
    found = find_columns(["NO", "Kode-Desa", "NAMA DESA", "Jml. Peserta Aktif", "peserta"], ALIASES)
    assert found == {"code": "Kode-Desa", "name": "NAMA DESA", "population": None, "registered": "peserta",
                     "active": "Jml. Peserta Aktif"}


def test_find_columns_missing_required_lists_seen_and_accepted():
    with pytest.raises(DataError) as err:
        find_columns(["kode", "nama", "jumlah"], ALIASES, required=("population",), source="f.csv")
    message = str(err.value)
    assert message.startswith("f.csv: no population column")
    assert "'kode', 'nama', 'jumlah'" in message
    assert "penduduk, jumlah_penduduk" in message


def test_find_columns_two_columns_for_one_role():
    with pytest.raises(DataError, match="'desa', 'Nama Desa' all look like the name column"):
        find_columns(["desa", "Nama Desa"], ALIASES)


# --- numbers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, convention, expected", [
    ("987.918", ID, 987918), ("1.049.930", ID, 1049930), ("81,49", ID, 81.49), ("987918", ID, 987918),
    ("1.234.567,5", ID, 1234567.5), ("1,049,930", EN, 1049930), ("987,918.5", EN, 987918.5),
    ("81.49", EN, 81.49), ("-12", ID, -12), ("1 049 930", ID, 1049930),
    ("1,049,930", ID, None), ("81,49", EN, None), ("12.34.5", ID, None), ("n/a", ID, None), (".5", EN, None),
])
def test_read_number(text, convention, expected):
    assert read_number(text, convention) == expected


def test_read_decimal():
    assert read_decimal("-6,503649") == -6.503649
    assert read_decimal("110.804703") == 110.804703
    assert read_decimal("110.804.703") is None


def test_count_columns_indonesian_and_english():
    frame = table({"a": ["987.918", "1.049.930", None, "12"], "b": ["987,918", "1,049,930", "5", None]})
    counts = count_columns(frame, {"x": "a", "y": "b", "z": None})
    assert counts["x"].tolist()[:2] == [987918, 1049930] and pd.isna(counts["x"][2])
    assert counts["y"].tolist()[:3] == [987918, 1049930, 5]
    assert counts["z"].isna().all() and counts.dtypes.eq("float64").all()


def test_single_group_is_thousands_in_a_count_column():
    # 1.234 people is impossible, so `1.234` can only mean 1234; the same for `1,234`
    frame = table({"a": ["1.234", "5.678"], "b": ["1,234", "12"]})
    counts = count_columns(frame, {"x": "a", "y": "b"})
    assert counts["x"].tolist() == [1234, 5678] and counts["y"].tolist() == [1234, 12]


def test_ambiguous_column_is_an_error():
    frame = table({"Penduduk": ["1.000", "25.000", "300"]})
    with pytest.raises(DataError) as err:
        count_columns(frame, {"population": "Penduduk"}, source="f.csv")
    message = str(err.value)
    assert "column 'Penduduk'" in message and "row 2 '1.000' is 1000 or 1" in message
    assert "without separators" in message


@pytest.mark.parametrize("other", [["987.918", "1.049.930"], ["987,918", "1,049,930"]])
def test_an_ambiguous_column_is_refused_whatever_the_other_columns_say(other):
    # each column is read by its own evidence: "81.000" beside English counts is 81.000 people, never 81
    frame = table({"Penduduk": ["1.000", "81.000"], "Peserta": other})
    with pytest.raises(DataError) as err:
        count_columns(frame, {"population": "Penduduk", "registered": "Peserta"})
    assert "column 'Penduduk'" in str(err.value) and "'81.000' is 81000 or 81" in str(err.value)


def test_mixed_formats_in_one_column():
    frame = table({"a": ["1.049.930", "1,049,930"]})
    with pytest.raises(DataError, match="mixes number formats: row 2 .*row 3"):
        count_columns(frame, {"x": "a"})


def test_junk_values_name_rows():
    frame = table({"Peserta": ["12", "n/a", "7", "-"]}, rows=[4, 5, 6, 7])
    with pytest.raises(DataError) as err:
        count_columns(frame, {"registered": "Peserta"})
    assert "row 5 ('n/a'), row 7 ('-')" in str(err.value)


def test_counts_must_be_whole_and_not_negative():
    with pytest.raises(DataError, match="not whole: row 3 \\('81,49'\\)"):
        count_columns(table({"a": ["1.234", "81,49"]}), {"x": "a"})
    with pytest.raises(DataError, match="negative counts: row 2 \\('-5'\\)"):
        count_columns(table({"a": ["-5", "6"]}), {"x": "a"})
