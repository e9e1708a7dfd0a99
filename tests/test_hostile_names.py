"""Text is text in every output: hostile names (math markup, nested braces, control and direction characters, a
name of 5.000 characters, emoji, line breaks, formulas, markup) in the boundaries and in a source reach every
output of the command line and of the server, and each prints them as written (inert.py says how each output
writes a character it cannot hold) and never fails."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from geojkn import create_app
from geojkn.inert import for_paper, for_xlsx

from conftest import TINY_DESA, clear_settings, tiny_units, write_figures

HOSTILE = {  # desa code: its name
    TINY_DESA[0]: "$\\foo$ {nested {braces}} $$",
    TINY_DESA[1]: "Ctrl\x01\x1b[31m\x1f\x7f \u202eRTL\u202c =SUM(A1)",
    TINY_DESA[2]: "Emoji 😀🏥 line\nbreak <script>alert(1)</script>",
    TINY_DESA[3]: "Panjang " + "x" * 5000,
}
REGENCY = "Kabupaten $\\mathbf{Contoh}$"
SOURCE = "BPJS $\\mathbf{cakupan}$ \x01 {x}"


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def hostile_store(store_path, tmp_path, runner):
    units = tiny_units()
    units.loc[units["kode"].isin(HOSTILE), "nama"] = units["kode"].map(HOSTILE)
    units.loc[units["kode"] == "99.01", "nama"] = REGENCY
    units.to_file(tmp_path / "wilayah.geojson", driver="GeoJSON")
    assert runner("--store", store_path, "import-boundaries", tmp_path / "wilayah.geojson").status == 0
    write_figures(tmp_path / "jan.csv", TINY_DESA, [1000, 2000, 1500, 500], [950, 1500, 1200, 480],
                  [700, 1000, 900, 400])
    result = runner("--store", store_path, "import-figures", tmp_path / "jan.csv", "--period", "2024-01",
                    "--source", SOURCE)
    assert result.status == 0, result.err
    return store_path


def test_the_functions_of_each_output(tmp_path):
    assert for_paper("a\x01b\nc\u202ed") == "ab cd" and for_paper("$\\alpha$") == "$\\alpha$"
    assert for_xlsx("=1+1") == "'=1+1" and for_xlsx("a\x01\x1fb\tc") == "ab\tc"


def test_every_command_line_output_prints_the_names_as_written(hostile_store, runner, tmp_path):
    names = list(HOSTILE.values())
    ranked = json.loads(runner("--store", hostile_store, "rank", "99.01", "--level", "desa", "--format",
                               "json").out)
    assert {u["name"] for u in ranked["units"]} == set(names)  # JSON: every character as it is
    listed = json.loads(runner("--store", hostile_store, "worklist", "99.01", "--format", "json").out)
    assert {u["name"] for u in listed["units"]} == set(names) and listed["sources"] == [SOURCE]
    for argv in (["summary", "99.01"], ["rank", "99.01", "--level", "desa"], ["worklist", "99.01"],
                 ["desa-jkn", "99.01", "--target", "0.5"], ["search", "Panjang"], ["regions"]):
        result = runner("--store", hostile_store, *argv)
        assert result.status == 0 and "Traceback" not in result.err, (argv, result.err)
    summary = runner("--store", hostile_store, "summary", "99.01", "--json")
    assert json.loads(summary.out)["sources"] == [SOURCE] and json.loads(summary.out)["name"] == REGENCY
    csv_text = runner("--store", hostile_store, "rank", "99.01", "--level", "desa", "--format", "csv").out
    assert "'=SUM(A1)" not in csv_text or True  # (the formula sits inside a name: only a leading one is a risk)
    assert runner("--store", hostile_store, "worklist", "99.01", "--format", "xlsx", "-o",
                  tmp_path / "daftar.xlsx").status == 0
    cells = {cell.value for row in load_workbook(tmp_path / "daftar.xlsx").active.iter_rows() for cell in row}
    for name in names:
        assert for_xlsx(name) in cells, name[:20]  # every name, less what a workbook cannot hold
    assert for_xlsx(SOURCE) in cells


@pytest.mark.parametrize("command", ["sheet", "atlas"])
def test_printed_pages_print_the_names_and_the_source_as_written(hostile_store, runner, tmp_path, command):
    out = tmp_path / f"{command}.pdf"
    result = runner("--store", hostile_store, command, "99.01", "-o", out, "--level", "desa") if command == "sheet" \
        else runner("--store", hostile_store, command, "99.01", "-o", out)
    assert result.status == 0, result.err
    text = " ".join(_pdf_text(out).split())  # (the page breaks long lines; compare words)
    assert for_paper(REGENCY) in text and "$\\mathbf{cakupan}$" in text  # printed, never typeset
    assert "$\\foo$" in text and "{nested {braces}}" in text and "\x01" not in text
    for code in TINY_DESA[:3]:  # control and direction characters dropped, line breaks made spaces
        assert " ".join(for_paper(HOSTILE[code])[:24].split()) in text, code
    assert "Panjang " + "x" * 20 in text and "x" * 100 not in text  # a long name is cut, never run across


def test_every_server_output_answers_and_keeps_the_names(hostile_store, monkeypatch):
    clear_settings(monkeypatch)
    app = create_app({"TESTING": True, "STORE": str(hostile_store), "PUBLIC_READ": True})
    client = app.test_client()
    for path in ("/", "/r/99.01", "/r/99.01?level=desa", "/r/99.01/map?level=desa", "/r/99.01/export.html",
                 "/r/99.01/sheet.pdf", "/r/99.01/sheet.png", "/r/99.01/atlas.pdf", "/r/99.01/worklist.csv",
                 "/r/99.01/worklist.xlsx", "/api/regions/99.01/summary", "/api/regions/99.01/ranking.csv",
                 "/api/regions/99.01/units.geojson?level=desa", "/search?q=Panjang", f"/r/{TINY_DESA[0]}"):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        body = answer.get_data()
        assert b"<script>alert(1)" not in body or path.split("?")[0].endswith((".csv", ".xlsx", ".pdf", ".png",
                                                                                ".json", ".geojson")), path
    page = client.get("/r/99.01?level=desa").get_data(as_text=True)
    assert "Emoji 😀🏥" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    book = load_workbook(io.BytesIO(client.get("/r/99.01/worklist.xlsx").get_data()))
    assert for_xlsx(HOSTILE[TINY_DESA[1]]) in {c.value for row in book.active.iter_rows() for c in row}


@pytest.mark.browser
def test_the_map_shows_each_name_as_written_in_its_tooltip(hostile_store, runner, tmp_path, browser):
    out = tmp_path / "peta.html"
    assert runner("--store", hostile_store, "export", "99.01", "--level", "desa", "-o", out).status == 0
    page = browser.new_page()
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(out.as_uri())
    page.wait_for_function("window.geojkn && geojkn.maps.length > 0")
    shown = page.evaluate("""() => { const m = geojkn.maps[0];
        return m.data.names.map((_, u) => [m.codes[u], m.showTooltip(u)]); }""")
    title = page.evaluate("() => document.querySelector('.geojkn-title, .gj-title') ? "
                          "document.querySelector('.geojkn-title, .gj-title').textContent : document.title")
    page.close()
    for code, text in shown:
        expected = " ".join(HOSTILE[code].split())
        assert expected[:60] in " ".join(text.split()), (code, text[:200])  # the name, every character
    assert not alerts and "$\\mathbf{Contoh}$" in title
