"""Importing figures as planners send them: a month's file replaces the month, mistakes are caught before writing."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from conftest import TINY_DESA, fingerprint, tiny_units, write_figures

OTHER_DESA = ["99.02.01.2001", "99.02.01.2002", "99.02.01.2003"]


def summary(runner, store, region="99.01", *extra):
    result = runner("--store", store, "summary", region, "--json", *extra)
    assert result.status == 0, result.err
    return json.loads(result.out)


@pytest.fixture
def two_kabupaten(store_path, tmp_path, runner):
    """The tiny regency 99.01 and a second one, 99.02 (one kecamatan, three desa), with January for both."""
    frame = tiny_units()
    other = [{"kode": code, "nama": f"Lain {i}", "geometry": shapely.box(128 + 0.1 * i, -6, 128.1 + 0.1 * i, -5.9)}
             for i, code in enumerate(OTHER_DESA)]
    other += [{"kode": "99.02.01", "nama": "Lainrejo", "geometry": shapely.box(128, -6, 128.3, -5.9)},
              {"kode": "99.02", "nama": "Kabupaten Lain", "geometry": shapely.box(128, -6, 128.3, -5.9)}]
    both = gpd.GeoDataFrame([*frame.to_dict("records"), *other], geometry="geometry", crs="EPSG:4326")
    both.to_file(tmp_path / "both.geojson", driver="GeoJSON")
    assert runner("--store", store_path, "import-boundaries", tmp_path / "both.geojson").status == 0
    write_figures(tmp_path / "jan.csv", TINY_DESA + OTHER_DESA, [1000, 2000, 1500, 500, 800, 700, 600],
                  [950, 1500, 1200, 520, 700, 600, 500], [700, 1000, 900, 400, 500, 500, 400])
    assert runner("--store", store_path, "import-figures", tmp_path / "jan.csv", "--period", "2024-01").status == 0
    return store_path


def test_a_corrected_month_replaces_the_old_one_and_says_what_changed(two_kabupaten, tmp_path, runner):
    write_figures(tmp_path / "fix.csv", TINY_DESA[:3], [1000, 2000, 1500], [960, 1600, 1250], [700, 1000, 900])
    result = runner("--store", two_kabupaten, "import-figures", tmp_path / "fix.csv", "--period", "2024-01",
                    "--lang", "en")
    assert result.status == 0, result.err
    assert ("2024-01, Kabupaten Contoh: the figures of 4 desa/kel. replaced by the 3 of this file; 1 that had "
            "figures have none now: 99.01.02.2002") in result.out
    data = summary(runner, two_kabupaten)
    assert (data["desa_with_figures"], data["registered"], data["complete"]) == (3, 3810, False)
    assert summary(runner, two_kabupaten, "99.02")["registered"] == 1800  # the other kabupaten is untouched


def test_a_corrected_code_leaves_nothing_under_the_old_code(two_kabupaten, tmp_path, runner):
    codes = [TINY_DESA[0], TINY_DESA[1], TINY_DESA[3], TINY_DESA[2]]  # the last two rows had their codes swapped
    write_figures(tmp_path / "fix.csv", codes, [1000, 2000, 1500, 500], [950, 1500, 1200, 520], [700, 1000, 900, 400])
    assert runner("--store", two_kabupaten, "import-figures", tmp_path / "fix.csv", "--period", "2024-01").status == 0
    ranked = json.loads(runner("--store", two_kabupaten, "rank", "99.01", "--level", "desa", "--format", "json").out)
    population = {u["code"]: u["population"] for u in ranked["units"]}
    assert population[TINY_DESA[3]] == 1500 and population[TINY_DESA[2]] == 500


def test_a_typo_that_lands_in_another_kabupaten_is_refused_before_writing(two_kabupaten, tmp_path, runner):
    before = fingerprint(two_kabupaten)
    codes = TINY_DESA[:3] + [OTHER_DESA[0]]  # the fourth code should have been 99.01.02.2002
    write_figures(tmp_path / "feb.csv", codes, [1000, 2000, 1500, 500], [950, 1500, 1200, 520], [700, 1000, 900, 400])
    result = runner("--store", two_kabupaten, "import-figures", tmp_path / "feb.csv", "--period", "2024-01")
    assert result.status == 2
    assert "row 6" in result.err or "rows 6" in result.err
    assert "Kabupaten Lain (99.02)" in result.err and "--merge" in result.err
    assert fingerprint(two_kabupaten) == before
    merged = runner("--store", two_kabupaten, "import-figures", tmp_path / "feb.csv", "--period", "2024-01",
                    "--merge")
    assert merged.status == 0 and summary(runner, two_kabupaten, "99.02")["desa_with_figures"] == 3


def test_a_month_can_be_removed_everywhere_or_in_one_region(two_kabupaten, tmp_path, runner):
    write_figures(tmp_path / "feb.csv", TINY_DESA, [1000, 2000, 1500, 500], [960, 1600, 1250, 520],
                  [700, 1000, 900, 400])
    assert runner("--store", two_kabupaten, "import-figures", tmp_path / "feb.csv", "--period", "2024-02").status == 0
    result = runner("--store", two_kabupaten, "remove-figures", "99.02", "--period", "2024-01", "--lang", "en")
    assert result.status == 0 and "removed 3 rows of figures for 2024-01 (Kabupaten Lain)" in result.out
    assert summary(runner, two_kabupaten, "99.02")["period"] is None
    assert summary(runner, two_kabupaten)["periods"] == ["2024-01", "2024-02"]
    before = fingerprint(two_kabupaten)
    missing = runner("--store", two_kabupaten, "remove-figures", "--period", "2023-07")
    assert missing.status == 2 and "2024-01, 2024-02" in missing.err and fingerprint(two_kabupaten) == before
    assert runner("--store", two_kabupaten, "remove-figures", "--period", "2024-02").status == 0
    assert summary(runner, two_kabupaten)["periods"] == ["2024-01"]
    assert "removal" in runner("--store", two_kabupaten, "info").out


def test_a_kabupaten_total_row_is_reported_not_stored(two_kabupaten, tmp_path, runner):
    path = write_figures(tmp_path / "feb.csv", TINY_DESA, [1000, 2000, 1500, 500], [960, 1600, 1250, 520],
                         [700, 1000, 900, 400])
    text = path.read_text(encoding="utf-8").replace("JUMLAH;;", "99.01;;")  # an unlabelled total row with a code
    path.write_text(text, encoding="utf-8")
    result = runner("--store", two_kabupaten, "import-figures", path, "--period", "2024-02", "--lang", "en")
    assert result.status == 0
    assert "row 7 (99.01) is a total row: not stored. It gives a population of 5,000; its units add up to 5,000" \
        in result.out
    assert summary(runner, two_kabupaten, "99.01", "--period", "2024-02")["registered"] == 4330


def test_a_kecamatan_row_that_disagrees_with_its_desa_is_reported_and_the_desa_are_used(two_kabupaten, tmp_path,
                                                                                          runner):
    path = write_figures(tmp_path / "feb.csv", TINY_DESA, [1000, 2000, 1500, 500], [830, 1660, 1250, 520],
                         [700, 1000, 900, 400])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(4, "99.01.01;Kedungjati;3.000;2.910;1.700")  # the kecamatan row says 97 %, its desa 83 %
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner("--store", two_kabupaten, "import-figures", path, "--period", "2024-02", "--lang", "en")
    assert result.status == 0
    assert "row 5 (99.01.01): registered 2,910 by this row, 2,490 by its units below" in result.out
    ranked = json.loads(runner("--store", two_kabupaten, "rank", "99.01", "--format", "json").out)
    kecamatan = {u["code"]: u for u in ranked["units"]}
    assert kecamatan["99.01.01"]["coverage"] == pytest.approx(0.83)


def test_population_per_kecamatan_with_registered_per_desa(two_kabupaten, tmp_path, runner):
    (tmp_path / "penduduk.csv").write_text("kode;nama;penduduk\n99.01.01;Kedungjati;3.210\n"
                                           "99.01.02;Tegalrejo;2.040\n", encoding="utf-8")
    (tmp_path / "peserta.csv").write_text("kode;peserta;aktif\n" + "".join(
        f"{c};{r};{a}\n" for c, r, a in zip(TINY_DESA, (950, 1500, 1200, 520), (700, 1000, 900, 400), strict=True)),
        encoding="utf-8")
    assert runner("--store", two_kabupaten, "import-figures", tmp_path / "penduduk.csv", "--period", "2024-03").status \
        == 0
    result = runner("--store", two_kabupaten, "import-figures", tmp_path / "peserta.csv", "--period", "2024-03",
                    "--lang", "en")
    assert result.status == 0 and "4 desa/kel. have registered participants but no population" in result.out
    ranked = json.loads(runner("--store", two_kabupaten, "rank", "99.01", "--format", "json").out)
    kecamatan = {u["code"]: u for u in ranked["units"]}
    assert kecamatan["99.01.01"]["coverage"] == pytest.approx(2450 / 3210) and kecamatan["99.01.01"]["complete"]
    data = summary(runner, two_kabupaten)
    assert data["coverage"] == pytest.approx(4170 / 5250) and data["complete"] is True
    assert data["desa_with_figures"] == 0  # no desa has both counts: desa coverage needs desa population


def test_a_percentage_file_changes_nothing(two_kabupaten, tmp_path, runner):
    before = fingerprint(two_kabupaten)
    (tmp_path / "pct.csv").write_text("kode;penduduk;Peserta (%)\n" + "".join(
        f"{c};1.234;81,49\n" for c in TINY_DESA), encoding="utf-8")
    result = runner("--store", two_kabupaten, "import-figures", tmp_path / "pct.csv", "--period", "2024-02")
    assert result.status == 2 and "column 'Peserta (%)' holds percentages" in result.err
    assert fingerprint(two_kabupaten) == before


@pytest.mark.shared
def test_real_jepara_february_with_missing_desa_and_a_typo_into_demak(shared_data, store_path, tmp_path, runner):
    """On the real boundaries: a February file with 180 of Jepara's 195 desa compares like with like, and a
    Jepara file with one code that lands in Demak is refused instead of turning Demak into a one-desa month."""
    from geojkn.readers.boundaries import read_boundaries

    from conftest import JEPARA_DEMAK

    assert runner("--store", store_path, "import-boundaries", JEPARA_DEMAK).status == 0
    desa = read_boundaries(JEPARA_DEMAK)[0].query("level == 'desa'")
    jepara = sorted(desa.code[desa.code.str.startswith("33.20.")])
    demak = sorted(desa.code[desa.code.str.startswith("33.21.")])
    population = [3000 + 10 * i for i in range(len(jepara))]
    january = [int(p * 0.8) for p in population]
    write_figures(tmp_path / "jan.csv", jepara, population, january, [int(r * 0.7) for r in january])
    write_figures(tmp_path / "demak.csv", demak, [2000] * len(demak), [1700] * len(demak), [1200] * len(demak))
    for path in ("jan.csv", "demak.csv"):
        assert runner("--store", store_path, "import-figures", tmp_path / path, "--period", "2022-01").status == 0
    february = [r + 50 for r in january]
    write_figures(tmp_path / "feb.csv", jepara[:180], population[:180], february[:180],
                  [int(r * 0.7) for r in february[:180]])
    assert runner("--store", store_path, "import-figures", tmp_path / "feb.csv", "--period", "2022-02").status == 0
    data = summary(runner, store_path, "33.20")
    assert data["complete"] is False and (data["desa_with_figures"], data["desa_total"]) == (180, 195)
    assert (data["change"]["compared"], data["change"]["left_out"]) == (180, 15)
    assert data["change"]["registered"] == 50 * 180  # registered rose on the same desa; no spurious fall
    assert data["change"]["coverage_points"] > 0
    typo = jepara[:194] + [demak[5]]
    before = fingerprint(store_path)
    write_figures(tmp_path / "typo.csv", typo, population, january, [int(r * 0.7) for r in january])
    result = runner("--store", store_path, "import-figures", tmp_path / "typo.csv", "--period", "2022-01")
    assert result.status == 2 and "Kabupaten Demak (33.21), 1 of its 249 units" in result.err
    assert fingerprint(store_path) == before
    assert summary(runner, store_path, "33.21", "--period", "2022-01")["desa_with_figures"] == 249


def test_the_source_of_a_month_is_kept_and_shown(two_kabupaten, tmp_path, runner):
    write_figures(tmp_path / "feb.csv", TINY_DESA, [1000, 2000, 1500, 500], [960, 1600, 1250, 520],
                  [700, 1000, 900, 400])
    assert runner("--store", two_kabupaten, "import-figures", tmp_path / "feb.csv", "--period", "2024-02",
                  "--source", "BPJS Kesehatan Cabang Kudus").status == 0
    assert summary(runner, two_kabupaten)["sources"] == ["BPJS Kesehatan Cabang Kudus"]
    assert summary(runner, two_kabupaten, "99.01", "--period", "2024-01")["sources"] == ["jan.csv"]
    assert runner("--store", two_kabupaten, "export", "99.01", "-o", tmp_path / "m.html").status == 0
    assert "BPJS Kesehatan Cabang Kudus (Februari 2024)" in (tmp_path / "m.html").read_text(encoding="utf-8")
