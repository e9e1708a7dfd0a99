"""The served dashboard in headless Chromium, with every request outside 127.0.0.1 blocked."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import shapely
from shapely.ops import polylabel
from werkzeug.serving import make_server

from geojkn import create_app
from geojkn.cli import main
from geojkn.formatting import format_int, format_percent
from geojkn.store import open_store

from conftest import FASKES_JD, JEPARA_DEMAK, TEST_OUTPUT, tiny_units

PAYLOADS = ("<img src=x onerror=window.__pwned=1>", "</script><script>window.__pwned=2</script>",
            "${window.__pwned=3}", "back`tick", "back\\slash")
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"

pytestmark = [pytest.mark.browser]


class Server:
    """The app on a free port of 127.0.0.1, in a thread."""

    def __init__(self, store: str | None) -> None:
        app = create_app({"TESTING": True, "STORE": store, "PUBLIC_READ": True})
        self.httpd = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()



@pytest.fixture(scope="module")
def demo_server():
    server = Server(None)
    yield server
    server.close()


def open_page(browser, url: str):
    """A page with outside requests blocked; records blocked URLs, script errors and dialogs."""
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    page.blocked, page.errors, page.dialogs = [], [], []
    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "data:", "about:", "file://")):
            r.continue_()
        else:
            page.blocked.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    return page


def map_frame(page):
    frame = page.frame_locator("#map")
    frame.locator(".geojkn-legend").wait_for(state="visible")
    return frame, next(f for f in page.frames if f.url.startswith(page.url.split("/r/")[0]) and "/map" in f.url)


def hover_point(frame, lon: float, lat: float) -> str:
    """Move the mouse to a place on the map, as a person does, and return the tooltip text."""
    frame.page.wait_for_timeout(600)  # the map settles its first view (fitted again once the page is laid out)
    x, y = frame.evaluate(f"""() => {{
        const p = {FIND_MAP}.latLngToContainerPoint([{lat}, {lon}]);
        return [p.x, p.y];
    }}""")
    box = frame.frame_element().bounding_box()
    frame.page.mouse.move(box["x"] + x, box["y"] + y)
    tip = frame.locator(".leaflet-tooltip").first
    tip.wait_for(state="visible")
    return tip.inner_text()


def test_dashboard_shows_map_legend_tooltip_and_facility_toggle(browser, demo_server):
    page = open_page(browser, demo_server.url + "/r/99.01?period=2024-12")
    locator, frame = map_frame(page)
    assert frame.evaluate("geojkn.maps[0].count()") == 212
    assert "88,44 % * penduduk terdaftar" in page.locator("#headline").inner_text()  # 209 of 212 desa: partial
    legend = locator.locator(".geojkn-legend").inner_text()
    assert "< 80,00 %" in legend and "tanpa data" in legend
    # a desa's figures on hover: the lowest ranked desa, at the point deepest inside it
    worst = page.request.get(demo_server.url + "/api/regions/99.01/ranking.json?level=desa").json()["units"][0]
    geometry = open_store(None).units("desa").set_index("code").loc[worst["code"], "geometry"]
    inside = polylabel(max(shapely.get_parts(geometry), key=lambda part: part.area))
    text = hover_point(frame, inside.x, inside.y)
    assert worst["name"] in text and worst["kecamatan_name"] in text
    assert format_percent(worst["coverage"]) in text and format_int(worst["registered"]) in text
    # facility layer toggled off and on through the layer control
    frame.evaluate(f"() => {{ {FIND_MAP}.setZoom(15, {{animate: false}}); }}")
    page.wait_for_timeout(300)
    frame.evaluate(f"() => {{ {FIND_MAP}.setView([-6.2, 127.7], 11, {{animate: false}}); }}")
    page.wait_for_timeout(300)
    label = locator.locator(".leaflet-control-layers-overlays label", has_text="FKTP")
    assert label.locator("input").is_checked()
    label.locator("input").uncheck()
    page.wait_for_timeout(200)
    assert frame.evaluate("geojkn.facilityGroups[0].shown('fktp')") == 0
    label.locator("input").check()
    page.wait_for_timeout(300)
    assert frame.evaluate("geojkn.facilityGroups[0].shown('fktp')") > 0
    frame.evaluate(f"() => {{ {FIND_MAP}.fire('resize'); }}")
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.reload()
    map_frame(page)
    page.wait_for_timeout(800)
    page.screenshot(path=str(TEST_OUTPUT / "dashboard.png"))
    assert page.errors == [] and page.blocked == [] and page.dialogs == []
    page.close()


def test_download_button_gives_the_standalone_file(browser, demo_server, tmp_path):
    page = open_page(browser, demo_server.url + "/r/99.01?level=kecamatan")
    with page.expect_download() as info:
        page.locator("#download").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name.startswith("geojkn-99.01-kecamatan-coverage-")
    offline = open_page(browser, path.as_uri())
    offline.wait_for_function(f"{FIND_MAP} !== undefined")
    assert offline.evaluate("geojkn.maps[0].count()") == 15
    assert offline.blocked == [] and offline.errors == []
    offline.close()
    page.close()


@pytest.fixture
def payload_store(tmp_path):
    """A store whose every name is an injection attempt."""
    units = tiny_units()
    units["nama"] = [PAYLOADS[i % len(PAYLOADS)] for i in range(len(units))]
    units.to_file(tmp_path / "w.geojson", driver="GeoJSON")
    pairs = zip(units.kode[:4], units.nama[:4], strict=True)
    rows = [f"{c};{n};1.500;{900 + 10 * i};700" for i, (c, n) in enumerate(pairs)]
    (tmp_path / "f.csv").write_text("kode;nama;penduduk;terdaftar;aktif\n" + "\n".join(rows) + "\n", encoding="utf-8")
    fac = [f'"{p.replace(chr(34), chr(34) * 2)}";puskesmas;{-5.95 + 0.01 * i};{127.05 + 0.02 * i}'
           for i, p in enumerate(PAYLOADS)]
    (tmp_path / "fk.csv").write_text("nama;jenis;lat;lon\n" + "\n".join(fac) + "\n", encoding="utf-8")
    store = str(tmp_path / "s.gpkg")
    for argv in (["import-boundaries", tmp_path / "w.geojson"],
                 ["import-figures", tmp_path / "f.csv", "--period", "2024-01"],
                 ["import-facilities", tmp_path / "fk.csv"]):
        assert main(["--store", store, *map(str, argv)]) == 0
    return store


def test_names_carrying_scripts_stay_inert_on_the_dashboard(browser, payload_store):
    server = Server(payload_store)
    try:
        page = open_page(browser, server.url + "/r/99.01")
        locator, frame = map_frame(page)
        scripts = frame.locator("script").count()
        frame.evaluate(f"() => {{ {FIND_MAP}.setZoom(14, {{animate: false}}); }}")
        page.wait_for_timeout(300)
        texts = frame.evaluate("""() => {
            const out = [], units = geojkn.maps[0];
            for (let u = 0; u < units.data.n; u++) out.push(units.showTooltip(u));
            geojkn.facilityGroups.forEach(groups => { out.push(...groups.tooltips()); });
            return out;
        }""")
        joined = "\n".join(texts) + page.locator("aside").inner_text()
        for payload in PAYLOADS:
            assert payload in joined
        assert frame.evaluate("window.__pwned") is None and page.evaluate("window.__pwned") is None
        assert frame.locator("img").count() == 0 and page.locator("img").count() == 0
        assert frame.locator("script").count() == scripts
        assert page.dialogs == [] and page.errors == []
        page.close()
    finally:
        server.close()


@pytest.mark.shared
def test_real_jepara_demak_dashboard_shows_every_desa(browser, shared_data, tmp_path, store_path):
    store = str(store_path)
    assert main(["--store", store, "import-boundaries", str(JEPARA_DEMAK)]) == 0
    assert main(["--store", store, "import-facilities", str(FASKES_JD)]) == 0
    from geojkn.readers.boundaries import read_boundaries
    desa = read_boundaries(JEPARA_DEMAK)[0].query("level == 'desa'")
    rng = np.random.default_rng(3)
    pop = rng.integers(2000, 9000, len(desa))
    reg = (pop * rng.uniform(0.7, 1.0, len(desa))).astype(int)
    lines = [f"{c};{p};{r};{int(r * 0.75)}" for c, p, r in zip(desa.code, pop, reg, strict=True)]
    (tmp_path / "f.csv").write_text("kode;penduduk;terdaftar;aktif\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert main(["--store", store, "import-figures", str(tmp_path / "f.csv"), "--period", "2022-01"]) == 0
    server = Server(store)
    try:
        page = open_page(browser, server.url + "/r/33?level=desa")
        _, frame = map_frame(page)
        assert frame.evaluate("geojkn.maps[0].count()") == 444
        # zoomed in past what the page carries (a band within a pixel two steps past the first view on a screen):
        # it asks for finer shapes of the same desa
        points = "geojkn.maps[0].geo.arcs.reduce((sum, arc) => sum + arc.length, 0)"
        page.wait_for_timeout(500)  # the first view settled
        before = frame.evaluate(f"[geojkn.maps[0].band(), {points}]")
        geometry = desa.geometry.iloc[0]
        spot = polylabel(max(shapely.get_parts(geometry), key=lambda part: part.area))
        frame.evaluate(f"() => {{ {FIND_MAP}.setView([{spot.y}, {spot.x}], {before[0]} + 1, {{animate: false}}); }}")
        for _ in range(100):  # the page's policy allows no evaluated strings: wait_for_function cannot watch it
            if frame.evaluate("geojkn.maps[0].band()") > before[0]:
                break
            page.wait_for_timeout(100)
        after = frame.evaluate(f"[geojkn.maps[0].band(), geojkn.maps[0].count(), {points}]")
        page.wait_for_timeout(300)
        assert after[0] > before[0] and after[1] == 444 and after[2] > before[1], (before, after)
        page.screenshot(path=str(TEST_OUTPUT / "dashboard_jepara_demak_zoomed.png"))
        assert page.locator("#rank-kecamatan tbody tr").count() == 10
        headline = page.locator("#headline").inner_text()
        assert "penduduk terdaftar" in headline and "–" not in headline
        assert page.errors == [] and page.blocked == []
        page.wait_for_timeout(500)
        page.screenshot(path=str(TEST_OUTPUT / "dashboard_jepara_demak.png"))
        page.close()
    finally:
        server.close()


def click_point(frame, lon: float, lat: float) -> None:
    """Click a place on the map, as a person does."""
    x, y = frame.evaluate(f"""() => {{
        const p = {FIND_MAP}.latLngToContainerPoint([{lat}, {lon}]);
        return [p.x, p.y];
    }}""")
    box = frame.frame_element().bounding_box()
    frame.page.mouse.click(box["x"] + x, box["y"] + y)


def inside(level: str, code: str):
    geometry = open_store(None).units(level).set_index("code").loc[code, "geometry"]
    return polylabel(max(shapely.get_parts(geometry), key=lambda part: part.area))


def test_a_planner_goes_from_the_map_to_the_work_and_back_by_clicks(browser, demo_server):
    # an earlier month and another target, chosen on the first page, stay on every page the clicks lead to
    page = open_page(browser, demo_server.url + "/r/99.01?level=kecamatan&metric=gap&lang=en&period=2024-06"
                     "&target=0.9")
    _, frame = map_frame(page)
    page.wait_for_timeout(600)  # the map settles its first view (fitted again once the page is laid out)
    frame.evaluate(f"() => {{ {FIND_MAP}.setZoom({FIND_MAP}.getZoom() + 1, {{animate: false}}); }}")
    spot = inside("kecamatan", "99.01.05")
    frame.evaluate(f"() => {{ {FIND_MAP}.setView([{spot.y}, {spot.x}], {FIND_MAP}.getZoom(), {{animate: false}}); }}")
    with page.expect_navigation():
        click_point(frame, spot.x, spot.y)
    assert "/r/99.01.05?" in page.url and "metric=gap" in page.url and "lang=en" in page.url
    assert "period=2024-06" in page.url and "target=0.9" in page.url
    assert page.locator("#crumb").inner_text().startswith("Kabupaten Sukamaju › Kecamatan Jatimakmur")
    _, frame = map_frame(page)
    page.wait_for_timeout(600)
    spot = inside("desa", "99.01.05.2015")
    frame.evaluate(f"() => {{ {FIND_MAP}.setView([{spot.y}, {spot.x}], 14, {{animate: false}}); }}")
    page.wait_for_timeout(300)
    with page.expect_navigation():
        click_point(frame, spot.x, spot.y)
    assert "/r/99.01.05.2015?" in page.url and "period=2024-06" in page.url and "target=0.9" in page.url
    assert "Pandanmakmur" in page.locator("h1").inner_text()
    place = page.locator("#place").inner_text()
    assert "Rank" in place and "Kecamatan Jatimakmur" in place
    assert page.locator("#nearest li").count() >= 1
    with page.expect_navigation():
        page.locator("#crumb a", has_text="Kabupaten Sukamaju").click()
    assert page.url.split("?")[0].endswith("/r/99.01") and "period=2024-06" in page.url
    # a ranking row's name is a link to that unit
    first = page.locator("#rank-kecamatan tbody tr a").first
    name = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert name in page.locator("h1").inner_text() and "period=2024-06" in page.url and "target=0.9" in page.url
    assert page.errors == [] and page.blocked == []
    page.close()


def test_the_search_box_finds_a_unit_as_you_type(browser, demo_server):
    page = open_page(browser, demo_server.url + "/r/99.01?period=2024-06&metric=gap&level=kecamatan")
    page.locator("#search").type("Pandanmak", delay=30)
    results = page.locator("#search-results li")
    results.first.wait_for(state="visible")
    assert "Pandanmakmur" in results.first.inner_text() and "Kecamatan Jatimakmur" in results.first.inner_text()
    with page.expect_navigation():
        results.first.locator("a").click()
    assert "/r/99.01.05.2015" in page.url and "Pandanmakmur" in page.locator("h1").inner_text()
    assert "period=2024-06" in page.url and "metric=gap" in page.url and "level=" not in page.url  # kept, but its level
    page.close()


def test_every_page_stays_inert_with_script_names_and_the_policy_blocks_nothing_of_ours(browser, payload_store,
                                                                                        tmp_path):
    """Logged in as an admin: every page, an upload whose file name and source are payloads, its preview,
    the history and the export, with names that carry scripts. No script of theirs runs, and the
    Content-Security-Policy refuses nothing the pages themselves need."""
    from geojkn.options import Role
    from geojkn.store import open_store
    from geojkn.uploads import safe_name

    open_store(str(payload_store)).accounts().add("admin", Role.ADMIN, (), "kata-sandi-panjang-1")
    app = create_app({"TESTING": True, "STORE": payload_store, "SECRET_KEY": "k" * 40})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    try:
        page = open_page(browser, base + "/r/99.01")
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        assert "/login" in page.url
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", "kata-sandi-panjang-1")
        page.click("button[type=submit]")
        page.wait_for_url(base + "/r/99.01")
        for path in ("/", "/r/99.01", "/r/99.01.01", "/r/99.01.01.2001", "/search?q=back", "/upload"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
        figures = tmp_path / "payload.csv"
        figures.write_text("kode;penduduk;terdaftar;aktif\n99.01.01.2001;1.500;990;700\n", encoding="utf-8")
        page.set_input_files("input[name=file]", files=[{"name": PAYLOADS[0] + ".csv", "mimeType": "text/csv",
                                                          "buffer": figures.read_bytes()}])
        page.fill("input[name=period]", "2024-01")
        page.fill("input[name=source]", PAYLOADS[1])
        page.check("input[name=month][value=merge]")
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state("networkidle")
        kept = safe_name(PAYLOADS[0] + ".csv")  # the server keeps the name without its markup
        assert "/upload/" in page.url and kept in page.locator("main").inner_text()
        page.click("text=Simpan perubahan")
        page.wait_for_load_state("networkidle")
        assert "/history" in page.url and kept in page.locator("main").inner_text()
        export = tmp_path / "export.html"
        with page.expect_download() as download:  # the export is a download: save it and open it as a file
            page.evaluate(f"() => {{ const a = document.createElement('a'); a.href = '{base}/r/99.01/export.html';"
                          " a.download = 'x.html'; document.body.appendChild(a); a.click(); }")
        download.value.save_as(export)
        page.goto(export.as_uri())
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__pwned") is None
        assert page.dialogs == [] and page.errors == [], (page.dialogs, page.errors)
        assert not [m for m in console if "Content Security Policy" in m or "Refused" in m], console
        page.close()
    finally:
        httpd.shutdown()
