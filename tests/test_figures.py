"""Reading enrolment figures: columns, codes, periods, Indonesian numbers and the errors a planner can meet."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from geojkn.errors import DataError
from geojkn.period import parse_period
from geojkn.readers.figures import KECAMATAN_NAME, read_figures
from geojkn.schema import ACTIVE, CODE, NAME, PERIOD, POPULATION, REGISTERED, SEGMENTS


def csv(tmp_path, text: str, encoding: str = "utf-8-sig", name: str = "figures.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


JEPARA = ("\ufeffKode Wilayah;Desa;Kecamatan;Jumlah Penduduk;Peserta Terdaftar;Peserta Aktif;PBI JK;PBI APBD\n"
          "3320012001;Kedungmalang;Kedung;600.000;487.918;400.120;200.123;50.210\n"
          "ID3320012002;Kalianyar;Kedung;612.300;500.000;357.880;209.877;59.790\n"
          "JUMLAH;;;1.212.300;987.918;758.000;410.000;110.000\n")


def test_semicolon_csv_with_indonesian_numbers(tmp_path):
    figures = read_figures(csv(tmp_path, JEPARA, encoding="utf-8"), period="2022-01")
    assert list(figures[CODE]) == ["33.20.01.2001", "33.20.01.2002"]  # plain and ID-prefixed codes
    assert list(figures[NAME]) == ["Kedungmalang", "Kalianyar"]
    assert list(figures[KECAMATAN_NAME]) == ["Kedung", "Kedung"]
    assert set(figures[PERIOD]) == {"2022-01"}
    assert figures[REGISTERED].sum() == 987918 and figures[POPULATION].sum() == 1212300
    assert figures[ACTIVE].sum() == 758000
    assert figures[SEGMENTS[0]].tolist() == [200123, 209877] and figures[SEGMENTS[1]].sum() == 110000
    assert figures["ppu"].isna().all()
    assert figures[[POPULATION, REGISTERED, ACTIVE, *SEGMENTS]].dtypes.eq("float64").all()
    assert figures["row"].tolist() == [2, 3]
    # the published Jepara share: 987.918 registered = 81,49 % of the population
    assert round(figures[REGISTERED].sum() / figures[POPULATION].sum() * 100, 2) == 81.49


def test_cp1252_names_and_optional_active(tmp_path):
    text = "kode,nama_kecamatan,penduduk,peserta\n33.20.02,Pécangaan,1000,900\n"
    figures = read_figures(csv(tmp_path, text, encoding="cp1252"), period="Jan 2022")
    assert figures.loc[0, NAME] == "Pécangaan" and figures.loc[0, KECAMATAN_NAME] is None
    assert figures.loc[0, CODE] == "33.20.02" and figures[ACTIVE].isna().all()
    assert figures.loc[0, PERIOD] == "2022-01"


def test_xlsx_with_title_rows_and_period_column(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["DATA KEPESERTAAN JKN-KIS KABUPATEN DEMAK"])
    ws.merge_cells("A1:F1")
    ws.append(["Sumber: BPJS Kesehatan"])
    ws.append(["Kode", "Nama", "Bulan", "Penduduk", "Peserta", "Aktif"])
    ws.append([3321032001, "Tlogorejo", "Maret 2022", "4.495", "3.900", "3.001"])
    ws.append(["33.21.03.2002", "Bumiharjo", "Maret 2022", 1502, 1234, 900])
    ws.append(["JUMLAH", None, None, 5997, 5134, 3901])
    path = tmp_path / "demak.xlsx"
    book.save(path)
    figures = read_figures(path)
    assert figures[CODE].tolist() == ["33.21.03.2001", "33.21.03.2002"]
    assert figures[PERIOD].tolist() == ["2022-03", "2022-03"]
    assert figures[POPULATION].tolist() == [4495, 1502]
    assert figures["row"].tolist() == [4, 5]


def test_names_only_file(tmp_path):
    text = "Kecamatan;Desa/Kelurahan;Penduduk;Peserta\nGuntur;Tlogorejo;100;90\nKarangtengah;Tlogorejo;200;150\n"
    figures = read_figures(csv(tmp_path, text), period="2022/03")
    assert figures[CODE].isna().all()
    assert figures[KECAMATAN_NAME].tolist() == ["Guntur", "Karangtengah"]
    assert figures[NAME].tolist() == ["Tlogorejo", "Tlogorejo"]


def test_bad_codes_name_rows(tmp_path):
    text = "kode;nama;penduduk;peserta\n33.20.01.2001;A;1;1\n33.2;B;1;1\nabc;C;1;1\n"
    with pytest.raises(DataError) as err:
        read_figures(csv(tmp_path, text), period="2022-01")
    assert "row 3 ('33.2'), row 4 ('abc')" in str(err.value) and "3320012001" in str(err.value)


def test_duplicate_code_and_period(tmp_path):
    text = "kode;nama;penduduk;peserta\n33.20.01.2001;A;1;1\n3320012001;A;2;2\n33.20.01.2002;B;1;1\n"
    with pytest.raises(DataError, match=r"33\.20\.01\.2001 in 2022-01 \(rows 2, 3\)"):
        read_figures(csv(tmp_path, text), period="2022-01")


def test_missing_period(tmp_path):
    with pytest.raises(DataError, match="--period"):
        read_figures(csv(tmp_path, "kode;nama;penduduk;peserta\n33.20.01.2001;A;1;1\n"))
    with pytest.raises(DataError, match="--period '13/2022' is not a month"):
        read_figures(csv(tmp_path, "kode;nama;penduduk;peserta\n33.20.01.2001;A;1;1\n"), period="13/2022")


def test_bad_period_values_name_rows(tmp_path):
    text = "kode;nama;periode;penduduk;peserta\n33.20.01.2001;A;2022-01;1;1\n33.20.01.2002;B;kemarin;1;1\n"
    with pytest.raises(DataError, match=r"not months: row 3 \('kemarin'\)"):
        read_figures(csv(tmp_path, text))


def test_period_argument_contradicting_column(tmp_path):
    text = "kode;nama;periode;penduduk;peserta\n33.20.01.2001;A;2022-02;1;1\n"
    with pytest.raises(DataError, match="--period is 2022-01"):
        read_figures(csv(tmp_path, text), period="2022-01")


def test_a_file_needs_population_or_registered(tmp_path):
    with pytest.raises(DataError) as err:
        read_figures(csv(tmp_path, "kode;nama;jumlah;aktif\n33.20.01.2001;A;1;1\n"), period="2022-01")
    message = str(err.value)
    assert "no population or registered column" in message and "'kode', 'nama', 'jumlah', 'aktif'" in message
    assert "peserta_terdaftar" in message and "penduduk" in message


def test_a_file_may_carry_population_alone_or_registered_alone(tmp_path):
    population = read_figures(csv(tmp_path, "kode;nama;penduduk\n33.20.01;A;12.345\n"), period="2022-01")
    assert population.loc[0, "population"] == 12345 and population["registered"].isna().all()
    registered = read_figures(csv(tmp_path, "kode;peserta\n33.20.01.2001;900\n"), period="2022-01")
    assert registered.loc[0, "registered"] == 900 and registered["population"].isna().all()


@pytest.mark.parametrize("header", ["Peserta (%)", "% Terdaftar", "Persentase Peserta", "peserta_pct"])
def test_a_percentage_column_is_never_read_as_people(tmp_path, header):
    with pytest.raises(DataError) as err:
        read_figures(csv(tmp_path, f"kode;penduduk;{header}\n33.20.01.2001;1.234;81,49\n"), period="2022-01")
    assert f"column '{header}' holds percentages" in str(err.value) and "peserta terdaftar" in str(err.value)


def test_a_percentage_column_beside_the_count_is_left_aside(tmp_path):
    text = "kode;penduduk;peserta;% Terdaftar\n33.20.01.2001;1.234;815;66,05\n"
    assert read_figures(csv(tmp_path, text), period="2022-01").loc[0, "registered"] == 815


def test_whole_number_percentages_in_a_count_column_are_refused(tmp_path):
    rows = "".join(f"33.20.01.20{i:02d};{4000 + i};{80 + i % 15}\n" for i in range(1, 20))
    with pytest.raises(DataError, match="look like percentages"):
        read_figures(csv(tmp_path, "kode;penduduk;peserta\n" + rows), period="2022-01")
    small = "kode;penduduk;peserta\n33.20.01.2001;90;85\n33.20.01.2002;120;100\n"  # small but real counts
    assert read_figures(csv(tmp_path, small), period="2022-01")["registered"].tolist() == [85, 100]


def test_ambiguous_counts_are_an_error(tmp_path):
    text = "kode;nama;penduduk;peserta\n33.20.01.2001;A;1.000;900\n33.20.01.2002;B;2.000;1.000\n"
    with pytest.raises(DataError, match="column 'penduduk': cannot tell"):
        read_figures(csv(tmp_path, text), period="2022-01")


def test_negative_counts_are_an_error(tmp_path):
    with pytest.raises(DataError, match=r"negative counts: row 2"):
        read_figures(csv(tmp_path, "kode;nama;penduduk;peserta\n33.20.01.2001;A;10;-1\n"), period="2022-01")


def test_no_code_and_no_name(tmp_path):
    with pytest.raises(DataError, match="no code and no name column"):
        read_figures(csv(tmp_path, "bulan;penduduk;peserta\n2022-01;10;5\n"))


@pytest.mark.parametrize("text, expected", [
    ("2022-01", "2022-01"), ("2022/1", "2022-01"), ("01/2022", "2022-01"), ("Januari 2022", "2022-01"),
    ("jan 2022", "2022-01"), ("Agustus  2023", "2023-08"), ("Des-2021", "2021-12"), ("2022-03-01", "2022-03"),
    ("March 2022", "2022-03"), ("2022-13", None), ("2022-03-15", None), ("Q1 2022", None), ("2022", None),
])
def test_parse_period(text, expected):
    assert parse_period(text) == expected
