"""The command line end to end: imports into a temporary store, summaries, rankings, and user errors."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from geojkn.cli import build_parser
from geojkn.options import LIMIT, PERIOD, TARGET
from geojkn.readers.boundaries import read_boundaries

from conftest import FASKES_JD, JEPARA_DEMAK, TINY_DESA, fingerprint, write_figures


def spread(total, weights):
    """Whole numbers proportional to weights that add up to total exactly."""
    raw = np.floor(total * weights / weights.sum())
    raw[np.argmax(weights)] += total - raw.sum()
    return raw.astype(int)


def test_summary_json_has_the_documented_keys(tiny_store, runner):
    status, out, _ = runner("--store", tiny_store, "summary", "99.01", "--json")
    data = json.loads(out)
    keys = {"code", "name", "level", "period", "population", "registered", "active", "coverage", "active_coverage",
            "activity_rate", "target", "gap", "to_reactivate", "desa", "desa_with_figures", "desa_at_target",
            "kecamatan_with_desa_at_target", "facilities"}
    assert status == 0 and keys <= set(data)
    assert data["population"] == 5000 and data["registered"] == 4170
    assert data["coverage"] == pytest.approx(0.834)
    # 99.01.02.2002 (520 registered of 500 residents) is tidak wajar: never counted at the target
    assert data["desa_at_target"] == 1 and data["kecamatan_with_desa_at_target"] == 1
    assert data["desa_implausible"] == 1 and data["implausible"] is False
    assert data["gap"] == 4750 - 4170


def test_summary_text_is_indonesian(tiny_store, runner):
    _, out, _ = runner("--store", tiny_store, "summary", "Kabupaten Contoh")
    assert "83,40 %" in out and "4.170" in out


def test_rank_csv_lowest_first(tiny_store, runner):
    _, out, _ = runner("--store", tiny_store, "rank", "99.01", "--level", "desa", "--format", "csv")
    lines = out.strip().splitlines()
    assert lines[0].startswith("rank,code,name")
    assert [line.split(",")[1] for line in lines[1:]] == ["99.01.01.2002", "99.01.02.2001", "99.01.01.2001",
                                                         "99.01.02.2002"]


def test_rank_below_and_json(tiny_store, runner):
    _, out, _ = runner("--store", tiny_store, "rank", "99.01", "--level", "desa", "--below", "0.9",
                    "--format", "json")
    data = json.loads(out)
    assert [u["code"] for u in data["units"]] == ["99.01.01.2002", "99.01.02.2001"]


@pytest.mark.parametrize("argv,needle", [
    (["summary", "99.77"], "No region with code 99.77"),
    (["summary", "Sidomulyo"], "ambiguous"),
    (["summary", "99.01", "--period", "2024-13"], PERIOD.rule),
    (["summary", "99.01", "--period", "2023-01"], "2024-01"),
    (["summary", "99.01", "--target", "95"], TARGET.rule),
    (["export", "99.01", "-o", "x.html", "--target", "0.15"], TARGET.rule),
    (["summary", "99.01", "--target", "0.15"], TARGET.rule),
    (["rank", "99.01", "--limit", "0"], LIMIT.rule),
    (["rank", "99.01.01.2001", "--level", "kecamatan"], "no kecamatan"),
])
def test_user_errors_exit_2_with_a_message_and_no_traceback(tiny_store, runner, argv, needle):
    status, out, err = runner("--store", tiny_store, *argv)
    assert status == 2
    assert needle in err and "Traceback" not in err


def test_failed_import_leaves_store_as_it_was(tiny_store, tmp_path, runner):
    before = fingerprint(tiny_store)
    bad = tmp_path / "bad.csv"
    bad.write_text("Kode Desa;Penduduk;Peserta\n99.01.01.2001;1.200;abc\n", encoding="utf-8")
    status, _, err = runner("--store", tiny_store, "import-figures", bad, "--period", "2024-02")
    assert status == 2 and "abc" in err
    assert fingerprint(tiny_store) == before


def test_demo_is_read_only_and_answers(runner, monkeypatch):
    monkeypatch.delenv("GEOJKN_STORE", raising=False)
    status, out, _ = runner("summary", "99.01", "--json")
    assert status == 0 and json.loads(out)["desa"] > 100
    status, _, err = runner("import-figures", "x.csv")
    assert status == 2 and "read-only" in err


def test_every_command_has_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"import-boundaries", "import-figures", "import-facilities", "summary", "rank"} <= set(commands)


@pytest.mark.shared
def test_published_jepara_totals_are_reproduced(shared_data, store_path, tmp_path, runner):
    """Jepara, January 2022: 987.918 registered = 81,49 %; 758.000 active = 62,52 % (DOMAIN.md)."""
    assert runner("--store", store_path, "import-boundaries", JEPARA_DEMAK)[0] == 0
    desa = read_boundaries(JEPARA_DEMAK)[0].query("level == 'desa' and code.str.startswith('33.20.')")
    weights = np.random.default_rng(7).uniform(0.5, 1.5, len(desa))
    population = spread(1_212_340, weights)
    registered = spread(987_918, population * np.random.default_rng(8).uniform(0.9, 1.1, len(desa)))
    active = spread(758_000, registered.astype(float))
    path = write_figures(tmp_path / "kepesertaan_januari_2022.csv", desa.code.str.replace(".", "").tolist(),
                         population, registered, active, names=desa.name.tolist())
    status, out, err = runner("--store", store_path, "import-figures", path, "--period", "2022-01")
    assert status == 0, err
    _, text, _ = runner("--store", store_path, "summary", "33.20")
    assert "987.918" in text and "81,49 %" in text
    assert "758.000" in text and "62,52 %" in text
    _, out, _ = runner("--store", store_path, "summary", "Kabupaten Jepara", "--json")
    data = json.loads(out)
    assert data["desa"] == data["desa_with_figures"] == 195


@pytest.mark.shared
def test_demak_desa_jkn_and_facility_network(shared_data, store_path, tmp_path, runner):
    """Demak, March 2022: 86,96 % registered (1.049.930); 58 desa >= 95 % in 12 kecamatan; 102/5/1/3 facilities."""
    runner("--store", store_path, "import-boundaries", JEPARA_DEMAK)
    units = read_boundaries(JEPARA_DEMAK)[0]
    desa = units.query("level == 'desa' and code.str.startswith('33.21.')").reset_index(drop=True)
    rng = np.random.default_rng(11)
    population = spread(1_207_350, rng.uniform(0.5, 1.5, len(desa))).astype(float)
    kecamatan = sorted(desa.parent_code.unique())[:12]
    chosen = np.concatenate([np.flatnonzero(desa.parent_code == k)[:5] for k in kecamatan])[:58]
    registered = np.zeros(len(desa))
    registered[chosen] = np.ceil(population[chosen] * 0.96)
    rest = np.setdiff1d(np.arange(len(desa)), chosen)
    share = (1_049_930 - registered.sum()) / population[rest].sum()
    registered[rest] = np.floor(population[rest] * share)
    registered[rest[0]] += 1_049_930 - registered.sum()
    assert registered[rest[0]] < 0.95 * population[rest[0]]
    write_figures(tmp_path / "maret.csv", desa.code.tolist(), population, registered, registered * 0.7)
    assert runner("--store", store_path, "import-figures", tmp_path / "maret.csv", "--period", "2022-03")[0] == 0

    kinds = ["puskesmas"] * 27 + ["klinik pratama"] * 40 + ["dokter praktik perorangan"] * 35 + ["RSUD"] * 5 \
        + ["laboratorium klinik"] + ["optik"] * 3
    spots = [desa.geometry.iloc[i % len(desa)].representative_point() for i in range(len(kinds))]
    rows = [f"Faskes {i};{kind};{pt.y};{pt.x}" for i, (kind, pt) in enumerate(zip(kinds, spots, strict=True))]
    (tmp_path / "faskes.csv").write_text("nama;jenis;lat;lon\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert runner("--store", store_path, "import-facilities", tmp_path / "faskes.csv")[0] == 0

    _, out, _ = runner("--store", store_path, "summary", "Kabupaten Demak", "--json")
    data = json.loads(out)
    assert round(data["coverage"] * 100, 2) == 86.96 and data["registered"] == 1_049_930
    assert data["desa_at_target"] == 58 and data["kecamatan_with_desa_at_target"] == 12
    fac = data["facilities"]
    assert (fac["fktp"], fac["fkrtl"], fac["lab"], fac["optik"]) == (102, 5, 1, 3)
    jkn = json.loads(runner("--store", store_path, "desa-jkn", "Kabupaten Demak", "--json").out)
    assert (jkn["desa"], jkn["kecamatan"]) == (58, 12)  # "58 villages in 12 subdistricts" (DOMAIN.md)
    assert all(d["coverage"] >= 0.95 for k in jkn["by_kecamatan"] for d in k["desa"])
    text = runner("--store", store_path, "desa-jkn", "33.21").out
    assert text.startswith("Desa JKN Kabupaten Demak, Maret 2022 (cakupan terdaftar ≥ 95 %): 58 desa/kel. di "
                           "12 kecamatan")
    shares = re.findall(r"\d+,(\d+) %", text.split("\n", 1)[1])
    assert shares and all(len(decimals) == 2 for decimals in shares)  # two decimals, as every other share


def test_desa_jkn_of_a_region_without_figures_says_so(tiny_geojson, store_path, runner):
    assert runner("--store", store_path, "import-boundaries", tiny_geojson).status == 0
    text = runner("--store", store_path, "desa-jkn", "99.01").out
    assert text.strip() == "Desa JKN Kabupaten Contoh: belum ada data kepesertaan"  # not "0 desa"


@pytest.mark.shared
def test_real_facilities_land_where_their_coordinates_say(shared_data, store_path, runner):
    runner("--store", store_path, "import-boundaries", JEPARA_DEMAK)
    status, out, _ = runner("--store", store_path, "import-facilities", FASKES_JD, "--lang", "en")
    assert status == 0 and "imported 53 facilities" in out
    from geojkn.store import open_store
    placed = open_store(str(store_path)).facilities().set_index("name")  # placed at import, stored with the points
    # SOURCES.md: WEDUNG II lies in Jepara's Welahan kecamatan polygon, but in the desa layer it lies in
    # Jungpasir (Wedung, Demak); the desa decides. DEMAK III lies in two overlapping kecamatan polygons.
    assert placed.loc["WEDUNG II", "unit_code"] == "33.21.13.2013"
    assert placed.loc["DEMAK III", "unit_code"].startswith("33.21.11.")
    assert placed.unit_code.notna().all()


def test_summary_compares_with_the_previous_period(tiny_store, tmp_path, runner):
    codes = ["99.01.01.2001", "99.01.01.2002", "99.01.02.2001", "99.01.02.2002"]
    write_figures(tmp_path / "feb.csv", codes, [1000, 2000, 1500, 500], [960, 1600, 1250, 520], [700, 1000, 900, 400])
    assert runner("--store", tiny_store, "import-figures", tmp_path / "feb.csv", "--period", "2024-02")[0] == 0
    data = json.loads(runner("--store", tiny_store, "summary", "99.01", "--json")[1])
    assert data["period"] == "2024-02" and data["previous"]["period"] == "2024-01"
    assert data["previous"]["registered"] == 4170 and data["registered"] == 4330
    _, text, _ = runner("--store", tiny_store, "summary", "99.01")
    assert "Perubahan sejak 2024-01" in text and "+3,20 poin" in text and "+160 peserta" in text
    first = json.loads(runner("--store", tiny_store, "summary", "99.01", "--period", "2024-01", "--json")[1])
    assert first["previous"] is None


@pytest.mark.shared
def test_names_only_file_joins_within_kecamatan(shared_data, store_path, tmp_path, runner):
    """The BPS census names (no Kemendagri codes): every one of the 443 desa matches within its kecamatan, the 4
    spelling variants (BENDANPETE, PERAMPELAN, DONOREJO, BABAD) by their spelling, each named in the report."""
    census = pd.read_csv(shared_data / "population" / "census2010_desa_jepara_demak_bps.csv", dtype=str)
    table = pd.DataFrame({"Kecamatan": census["District Name"], "Desa": census["Village Name"],
                          "Penduduk": census["Population"].astype(int)})
    table["Peserta"] = (table["Penduduk"] * 0.8).astype(int)
    table.to_csv(tmp_path / "names.csv", sep=";", index=False)
    runner("--store", store_path, "import-boundaries", JEPARA_DEMAK)
    status, out, _ = runner("--store", store_path, "import-figures", tmp_path / "names.csv", "--period", "2010-06",
                         "--lang", "en")
    assert status == 0
    assert "443 rows read: 443 matched, 0 unmatched" in out
    assert "4 names matched to another spelling in their kecamatan" in out
    assert "(BENDANPETE) = Bedanpete" in out and "(BABAD) = Babat" in out
    data = json.loads(runner("--store", store_path, "summary", "33.21", "--json")[1])
    assert data["desa_with_figures"] == 249


def test_serve_answers_and_a_busy_port_is_a_clear_error(tmp_path):
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "geojkn", "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        body = None
        for _ in range(60):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.25)
        assert body is not None and b'"status":"ok"' in body
        busy = subprocess.run([sys.executable, "-m", "geojkn", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
        assert busy.returncode == 2 and "--port" in busy.stderr and "Traceback" not in busy.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_xlsx_with_title_rows_and_a_named_sheet(tiny_store, tmp_path, runner):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Catatan"
    sheet = book.create_sheet("Rekap Maret")
    sheet.append(["REKAP KEPESERTAAN JKN-KIS KABUPATEN CONTOH"])
    sheet.merge_cells("A1:E1")
    sheet.append(["Posisi Maret 2024"])
    sheet.append([])
    sheet.append(["Kode Wilayah", "Desa/Kelurahan", "Jumlah Penduduk", "Peserta Terdaftar", "Peserta Aktif"])
    sheet.append([9901012001, "Sidomulyo", 1000, 940, 700])
    sheet.append(["99.01.01.2002", "Karanganyar", "2.010", "1.700", "1.100"])  # (2.000 alone could be 2)
    sheet.append(["JUMLAH", None, 3010, 2640, 1800])
    book.save(tmp_path / "rekap.xlsx")
    status, out, err = runner("--store", tiny_store, "import-figures", tmp_path / "rekap.xlsx",
                           "--sheet", "Rekap Maret", "--period", "2024-03")
    assert status == 0, err
    assert "1 baris jumlah dilewati" in out and "baris 7 (JUMLAH)" in out  # the total row is named, not stored
    data = json.loads(runner("--store", tiny_store, "summary", "99.01.01", "--json")[1])
    assert (data["period"], data["population"], data["registered"], data["active"]) == ("2024-03", 3010, 2640, 1800)
    status, _, err = runner("--store", tiny_store, "import-figures", tmp_path / "rekap.xlsx", "--sheet", "Mei")
    assert status == 2 and "Rekap Maret" in err


def test_a_desa_missing_from_the_file_makes_the_totals_partial_and_says_so(tiny_store, tmp_path, runner):
    write_figures(tmp_path / "feb.csv", TINY_DESA[:3], [1000, 2000, 1500], [990, 1700, 1300], [700, 1000, 900])
    assert runner("--store", tiny_store, "import-figures", tmp_path / "feb.csv", "--period", "2024-02").status == 0
    data = json.loads(runner("--store", tiny_store, "summary", "99.01", "--json").out)
    assert data["complete"] is False and (data["desa_with_figures"], data["desa_total"]) == (3, 4)
    assert (data["population"], data["registered"]) == (4500, 3990)  # the three desa with figures, like with like
    # the change since January compares the same three desa, not 3 desa against 4
    change = data["change"]
    assert (change["compared"], change["left_out"], change["level"]) == (3, 1, "desa")
    assert change["registered"] == 3990 - (950 + 1500 + 1200)
    assert change["coverage_points"] == pytest.approx((3990 / 4500 - 3650 / 4500) * 100)
    text = runner("--store", tiny_store, "summary", "99.01").out
    assert "sebagian: hanya 3 dari 4 desa/kel." in text and "3 desa/kel. dibandingkan, 1 tanpa data" in text
    ranked = runner("--store", tiny_store, "rank", "99.01", "--lang", "en").out
    row = next(line for line in ranked.splitlines() if "Tegalrejo" in line)
    assert "86.67 % *" in row and "1 partial" in ranked and "* partial: this figure covers only part" in ranked
    # the total under a ranking says how it is formed, so it can differ from the region's own gap and say why
    assert "still to enrol" in ranked and "(the sum over the units; a unit at the target counts 0)" in ranked


def test_an_empty_cell_counts_as_a_desa_without_figures_everywhere(tiny_store, tmp_path, runner, client):
    lines = (tmp_path / "jan.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("2.000", "")  # 99.01.01.2002 loses its population
    (tmp_path / "empty.csv").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    assert runner("--store", tiny_store, "import-figures", tmp_path / "empty.csv", "--period", "2024-03").status == 0
    summary = json.loads(runner("--store", tiny_store, "summary", "99.01", "--json").out)
    ranked = json.loads(runner("--store", tiny_store, "rank", "99.01", "--format", "json").out)
    assert summary["population"] == 3000 and summary["complete"] is False  # never null, never silently whole
    kecamatan = {u["code"]: u for u in ranked["units"]}
    assert kecamatan["99.01.01"]["complete"] is False and kecamatan["99.01.02"]["complete"] is True
    assert sum(u["to_reactivate"] for u in ranked["units"]) == summary["to_reactivate"]


def test_status_says_which_targets_are_met_and_how_many_people_are_missing(tiny_store, runner):
    data = json.loads(runner("--store", tiny_store, "summary", "99.01", "--json").out)
    # 5000 residents, 4170 registered, 3000 active: 95 % needs 4750 registered, 80 % active needs 4000 active
    assert data["status"] == {"target": 0.95, "meets_target": False, "gap": 580, "active_target": 0.8,
                              "meets_active_target": False, "active_gap": 1000}
    lower = json.loads(runner("--store", tiny_store, "summary", "99.01", "--json", "--target", "0.8",
                              "--active-target", "0.6").out)["status"]
    assert (lower["meets_target"], lower["meets_active_target"], lower["gap"], lower["active_gap"]) == (
        True, True, 0, 0)
    text = runner("--store", tiny_store, "summary", "99.01", "--lang", "en").out
    assert "Coverage target 95 %: not reached, 580 more registered needed" in text
    assert "Active target 80 %: not reached, 1,000 more active needed" in text


def test_serve_production_prepares_nothing_in_the_process_that_forks_the_workers(tiny_store, runner, monkeypatch):
    """The process that starts gunicorn's workers only checks the settings: a preparing thread of its own, inside
    GDAL when it forks, would leave the workers waiting on a lock that no thread of theirs holds."""
    import threading

    seen: list[set[str]] = []
    before = set(threading.enumerate())  # other tests' servers may have left their own threads
    monkeypatch.setenv("GEOJKN_SECRET_KEY", "s" * 40)
    monkeypatch.setattr("geojkn.web.production.serve_production",
                        lambda *args: seen.append({t.name for t in set(threading.enumerate()) - before}))
    result = runner("--store", tiny_store, "serve", "--production", "--workers", "2")
    assert result.status == 0, result.err
    assert seen and not {"geojkn-watch", "geojkn-prepare"} & seen[0]
