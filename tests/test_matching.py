"""Tying figures to units: on codes, on names within the kecamatan, and the report a planner reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geojkn.analysis.matching import match_figures, normalize_name
from geojkn.errors import DataError
from geojkn.options import Lang
from geojkn.schema import ACTIVE, CODE, DESA, KECAMATAN, LEVEL, NAME, PARENT, PERIOD, POPULATION, REGISTERED

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
BOUNDARIES = SHARED / "boundaries" / "jepara_demak_cahyadsn_2025.gpkg"
KEC = "kecamatan_name"


def units() -> pd.DataFrame:
    """Two kecamatan in Demak that both have a desa called Tlogorejo, and one in Jepara."""
    rows = [
        ("33.21.03", "Guntur", KECAMATAN, "33.21", None),
        ("33.21.04", "Karangtengah", KECAMATAN, "33.21", None),
        ("33.20.06", "Nalumsari", KECAMATAN, "33.20", None),
        ("33.21.03.2001", "Tlogorejo", DESA, "33.21.03", "Guntur"),
        ("33.21.03.2002", "Bumiharjo", DESA, "33.21.03", "Guntur"),
        ("33.21.04.2001", "Tlogorejo", DESA, "33.21.04", "Karangtengah"),
        ("33.21.04.2002", "Dukun", DESA, "33.21.04", "Karangtengah"),
        ("33.20.06.2001", "Bendanpete", DESA, "33.20.06", "Nalumsari"),
        ("33.20.06.1001", "Pecangaan Kulon", DESA, "33.20.06", "Nalumsari"),
    ]
    return pd.DataFrame(rows, columns=[CODE, NAME, LEVEL, PARENT, KEC])


def figures(names, kecamatan=None, codes=None, population=None, registered=None, active=None) -> pd.DataFrame:
    n = len(names)
    return pd.DataFrame({
        CODE: codes or [None] * n, NAME: names, KEC: kecamatan or [None] * n, PERIOD: ["2022-01"] * n,
        POPULATION: population or [100.0] * n, REGISTERED: registered or [90.0] * n,
        ACTIVE: active or [80.0] * n, "row": list(range(2, n + 2)),
    })


@pytest.mark.parametrize("text, expected", [
    ("Ds. Tlogorejo", "tlogorejo"), ("DESA  TLOGOREJO", "tlogorejo"), ("Kel.Bapangan", "bapangan"),
    ("Kelurahan Pecangaan Kulon", "pecangaankulon"), ("Kec. Karang Tengah", "karangtengah"),
    ("Kecamatan Guntur", "guntur"), ("Pécangaan", "pecangaan"), ("Desaku", "desaku"), (None, ""),
])
def test_normalize_name(text, expected):
    assert normalize_name(text) == expected


def test_join_on_codes_and_report():
    figs = figures(["Tlogorejo", "Tlogorejo", "Nowhere"], codes=["33.21.03.2001", "33.21.04.2001", "33.21.09.2009"],
                   population=[100.0, 100.0, 5.0], registered=[120.0, 90.0, 1.0], active=[50.0, 95.0, 1.0])
    matched, report = match_figures(figs, units())
    assert matched[CODE].tolist() == ["33.21.03.2001", "33.21.04.2001"]
    assert matched[LEVEL].tolist() == [DESA, DESA]
    assert (report.rows_total, report.rows_matched) == (3, 2)
    assert report.unmatched[0].row == 4
    assert "33.21.09.2009 is not among the boundaries" in report.unmatched[0].reason.text(Lang.EN)
    assert report.level == DESA
    assert report.units_without_figures == ("33.21.03.2002", "33.21.04.2002")  # Demak only: the file's kabupaten
    assert [e.row for e in report.registered_over_population] == [2]
    assert [e.row for e in report.active_over_registered] == [3]
    text = "\n".join(report.lines(Lang.EN))
    assert "3 baris dibaca: 2 cocok, 1 tidak cocok." in report.lines(Lang.ID)
    assert "3 rows read: 2 matched, 1 unmatched." in text
    assert "2 desa units without figures: 33.21.03.2002, 33.21.04.2002." in text
    assert "row 2 33.21.03.2001 Tlogorejo: 120 > 100" in text and "row 3 33.21.04.2001 Tlogorejo: 95 > 90" in text
    assert "1 row with active > registered:" in text


def test_unknown_code_gets_suggestions_by_name_and_plain_codes_work():
    figs = figures(["Bumiharjo", "Bendanpeet"], codes=["3321032002", "33.20.06.2009"])
    matched, report = match_figures(figs, units())
    assert matched[CODE].tolist() == ["33.21.03.2002"]
    assert report.unmatched[0].suggestions == ("Bendanpete (Nalumsari)",)


def test_same_name_in_two_kecamatan_joins_within_each():
    figs = figures(["Ds. TLOGOREJO", "Tlogorejo", "Dukun"], kecamatan=["Kec. Guntur", "Karang Tengah", None])
    matched, report = match_figures(figs, units())
    assert matched[CODE].tolist() == ["33.21.03.2001", "33.21.04.2001", "33.21.04.2002"]
    assert report.unmatched == ()
    assert matched[NAME].tolist() == ["Ds. TLOGOREJO", "Tlogorejo", "Dukun"]  # the file's names are kept


def test_ambiguous_name_without_kecamatan_is_unmatched():
    matched, report = match_figures(figures(["Tlogorejo", "Bumiharjo"]), units())
    assert matched[CODE].tolist() == ["33.21.03.2002"]  # a name unique in all units needs no kecamatan
    [item] = report.unmatched
    assert item.row == 2 and "2 desa units have this name" in item.reason.text(Lang.EN)
    assert item.suggestions == ("Tlogorejo (Guntur) 33.21.03.2001", "Tlogorejo (Karangtengah) 33.21.04.2001")


def test_same_kecamatan_name_in_two_kabupaten_settled_by_the_file_area():
    both = pd.concat([units(), pd.DataFrame([
        ("33.21.09.2012", "Karanganyar", DESA, "33.21.09", "Karanganyar"),
        ("33.13.09.1007", "Karanganyar", DESA, "33.13.09", "Karanganyar"),
    ], columns=units().columns)], ignore_index=True)
    alone, report = match_figures(figures(["Karanganyar"], kecamatan=["Karanganyar"]), both)
    assert alone.empty and report.unmatched[0].suggestions[1] == "Karanganyar (Karanganyar) 33.13.09.1007"
    with_demak, report = match_figures(figures(["Karanganyar", "Dukun"], kecamatan=["Karanganyar", "Karangtengah"]),
                                       both)
    assert with_demak[CODE].tolist() == ["33.21.09.2012", "33.21.04.2002"] and report.unmatched == ()


def test_another_spelling_in_its_kecamatan_is_matched_and_named():
    figs = figures(["BEDANPETE", "Tlogorejo"], kecamatan=["Nalumsari", "Guntur"])
    matched, report = match_figures(figs, units())
    assert matched["code"].tolist() == ["33.20.06.2001", "33.21.03.2001"]
    assert report.spelled == ((2, "BEDANPETE", "Bendanpete"),)  # only the other spelling is named
    assert "(BEDANPETE) = Bendanpete" in "\n".join(report.lines(Lang.EN))


def test_misspelt_names_get_suggestions():
    figs = figures(["Bendaputih", "Tlogorejo"], kecamatan=["Nalumsari", "Gunturr"])
    matched, report = match_figures(figs, units())
    assert matched.empty
    first, second = report.unmatched
    assert "no desa or kelurahan of that name in kecamatan Nalumsari" in first.reason.text(Lang.EN)
    assert "tidak ada desa/kelurahan dengan nama itu di kecamatan Nalumsari" in first.reason.text(Lang.ID)
    assert first.suggestions[0] == "Bendanpete (Nalumsari)"
    assert second.reason.text(Lang.EN) == "no kecamatan named 'Gunturr'" and second.suggestions == ("Guntur",)
    assert "Closest: Bendanpete (Nalumsari)." in "\n".join(report.lines(Lang.EN))


def test_kecamatan_level_names():
    matched, report = match_figures(figures(["Kec. Guntur", "Karangtengah"]), units())
    assert matched[CODE].tolist() == ["33.21.03", "33.21.04"] and set(matched[LEVEL]) == {KECAMATAN}
    assert report.level == KECAMATAN and report.units_without_figures == ()


def test_two_rows_for_one_unit_is_an_error():
    figs = figures(["Dukun", "DUKUN"], kecamatan=["Karangtengah", "Karangtengah"])
    with pytest.raises(DataError, match=r"33\.21\.04\.2002 \(rows 2, 3\)"):
        match_figures(figs, units())


def test_inputs_are_not_changed():
    figs, known = figures(["Dukun"], kecamatan=["Karangtengah"]), units()
    before_figs, before_units = figs.copy(), known.copy()
    match_figures(figs, known)
    pd.testing.assert_frame_equal(figs, before_figs)
    pd.testing.assert_frame_equal(known, before_units)


def test_missing_counts_are_not_flagged():
    figs = figures(["Dukun"], kecamatan=["Karangtengah"], population=[np.nan], registered=[5.0], active=[np.nan])
    _, report = match_figures(figs, units())
    assert report.registered_over_population == () and report.active_over_registered == ()


@pytest.mark.shared
@pytest.mark.skipif(not BOUNDARIES.exists(), reason=f"real boundaries not found at {BOUNDARIES}")
def test_real_demak_tlogorejo():
    import geopandas as gpd

    desa = gpd.read_file(BOUNDARIES, layer="desa_kelurahan", ignore_geometry=True)
    kec = gpd.read_file(BOUNDARIES, layer="kecamatan", ignore_geometry=True)
    kec_names = dict(zip(kec["kode"], kec["nama"], strict=True))
    parents = desa["kode"].str.rsplit(".", n=1).str[0]
    real = pd.concat([
        pd.DataFrame({CODE: kec["kode"], NAME: kec["nama"], LEVEL: KECAMATAN, PARENT: kec["kode"].str[:5], KEC: None}),
        pd.DataFrame({CODE: desa["kode"], NAME: desa["nama"], LEVEL: DESA, PARENT: parents,
                      KEC: parents.map(kec_names)}),
    ], ignore_index=True)
    tlogorejo = real[(real[LEVEL] == DESA) & (real[NAME] == "Tlogorejo")]
    assert len(tlogorejo) == 3
    figs = figures(["TLOGOREJO"] * 4, kecamatan=[*tlogorejo[KEC].str.upper(), None])
    matched, report = match_figures(figs, real)
    assert sorted(matched[CODE]) == sorted(tlogorejo[CODE])
    assert len(report.unmatched) == 1 and len(report.unmatched[0].suggestions) == 3
    assert report.units_without_figures and all(c.startswith("33.21.") for c in report.units_without_figures)
