"""The Flask app through its test client: pages, API shapes, and every bad input answered 400/404, never 500."""

import json
import math

import pytest
from markupsafe import escape

from geojkn import create_app
from geojkn.options import BELOW, PERIOD, TARGET


def test_region_picker_lists_the_demo(client):
    page = client.get("/").get_data(as_text=True)
    assert "Kabupaten Sukamaju" in page and "/r/99.01" in page


def test_dashboard_reports_like_the_regency(client):
    summary = client.get("/api/regions/99.01/summary").get_json()
    page = client.get("/r/99.01").get_data(as_text=True)
    pct = f"{summary['coverage'] * 100:.2f}".replace(".", ",")
    act = f"{summary['active_coverage'] * 100:.2f}".replace(".", ",")
    # the demo's December lacks three desa: both rates are partial, and marked so
    assert summary["complete"] is False and f"{pct} % * penduduk terdaftar, {act} % * aktif" in page
    assert 'id="rank-kecamatan"' in page and 'id="rank-desa"' in page
    assert "/r/99.01/map?" in page and "/r/99.01/export.html?" in page


def test_english_switch(client):
    page = client.get("/r/99.01?lang=en").get_data(as_text=True)
    assert "of residents registered" in page and 'lang="en"' in page


def test_summary_api_is_the_cli_object_and_has_no_nan(client):
    body = client.get("/api/regions/99.01/summary").get_data(as_text=True)
    assert "NaN" not in body
    data = json.loads(body)
    assert data["code"] == "99.01" and data["level"] == "kabupaten"
    assert set(data["facilities"]) >= {"fktp", "fkrtl", "lab", "optik", "by_type"}


def test_units_geojson_has_one_feature_per_unit_and_nulls_for_missing(client):
    data = client.get("/api/regions/99.01/units.geojson?level=desa&period=2024-06").get_json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 212
    missing = [f for f in data["features"] if f["properties"]["population"] is None]
    assert missing and all(f["properties"]["coverage"] is None for f in missing)
    assert all(not isinstance(v, float) or math.isfinite(v) for f in data["features"] for v in f["properties"].values())


def test_ranking_json_and_csv(client):
    ranked = client.get("/api/regions/99.01/ranking.json?level=kecamatan&below=0.9").get_json()
    coverages = [u["coverage"] for u in ranked["units"]]
    assert coverages == sorted(coverages) and all(c < 0.9 for c in coverages)
    csv = client.get("/api/regions/99.01/ranking.csv?level=desa")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    assert csv.get_data(as_text=True).splitlines()[0].startswith("rank,code,name")


def test_map_page_uses_local_assets_only(client):
    page = client.get("/r/99.01/map").get_data(as_text=True)
    assert "/static/vendor/leaflet.js" in page
    for bad in ('src="http', "src='http", 'href="http', 'src="//', 'href="//'):
        assert bad not in page
    assert client.get("/static/vendor/leaflet.js").status_code == 200


def test_export_is_a_standalone_download(client):
    resp = client.get("/r/99.01/export.html?level=kecamatan&metric=gap")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="geojkn-99.01-kecamatan-gap-')
    page = resp.get_data(as_text=True)
    assert "/static/vendor" not in page and "L.map(" in page


def test_healthz(client):
    assert client.get("/healthz").get_json()["status"] == "ok"


@pytest.mark.parametrize("url,status,needle", [
    ("/r/99.77", 404, "99.77"),
    ("/api/regions/99.77/summary", 404, "99.77"),
    ("/r/33.2", 400, "not an area code"),
    ("/r/99.01?level=rt", 400, "kecamatan, desa"),
    ("/r/99.01?metric=happiness", 400, "coverage"),
    ("/r/99.01?classes=random", 400, "policy"),
    ("/r/99.01?period=2019-01", 400, "2024-06"),
    ("/r/99.01?period=Jan", 400, PERIOD.rule),
    ("/r/99.01?basemap=google", 400, "osm"),
    ("/r/99.01?lang=fr", 400, "id, en"),
    ("/r/99.01?target=lots", 400, TARGET.rule),
    ("/r/99.01?target=95", 400, TARGET.rule),
    ("/r/99.01?target=0.15", 400, TARGET.rule),
    ("/r/99.01/map?metric=x", 400, "coverage"),
    ("/r/99.01/export.html?level=x", 400, "desa"),
    ("/api/regions/99.01/units.geojson?level=x", 400, "desa"),
    ("/api/regions/99.01/ranking.json?metric=x", 400, "coverage"),
    ("/api/regions/99.01/ranking.csv?below=x", 400, BELOW.rule),
    ("/r/99.01.01?level=kecamatan", 400, "desa"),
    ("/api/regions/99.01/ranking.json?limit=0", 200, "units"),
    ("/api/regions/Sukamaju/summary", 400, "ambiguous"),
    ("/static/vendor/evil.js", 404, "evil.js"),
])
def test_bad_input_gets_a_message_never_a_500(client, url, status, needle):
    resp = client.get(url)
    assert resp.status_code == status
    assert escape(needle) in resp.get_data(as_text=True) or needle in resp.get_data(as_text=True)


def test_config_layers_environment_over_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("GEOJKN_TARGET", "0.98")
    monkeypatch.setenv("GEOJKN_LANG", "en")
    app = create_app({"TESTING": True})
    assert app.config["TARGET"] == 0.98 and app.config["LANG"] == "en"
    data = app.test_client().get("/api/regions/99.01/summary").get_json()
    assert data["target"] == 0.98


def test_test_config_wins(tmp_path):
    app = create_app({"TESTING": True, "STORE": str(tmp_path / "empty.gpkg"), "PUBLIC_READ": True})
    resp = app.test_client().get("/")
    assert resp.status_code == 200 and "empty.gpkg belum ada" in resp.get_data(as_text=True)
    assert app.test_client().get("/r/33.20").status_code == 404


def test_dashboard_ranks_by_the_chosen_metric(client):
    page = client.get("/r/99.01?metric=gap").get_data(as_text=True)
    assert "belum terdaftar terbanyak" in page
    ranked = client.get("/api/regions/99.01/ranking.json?level=kecamatan&metric=gap").get_json()["units"]
    first = page.index(ranked[0]["name"], page.index('id="rank-kecamatan"'))
    second = page.index(ranked[1]["name"], page.index('id="rank-kecamatan"'))
    assert first < second and ranked[0]["gap"] >= ranked[1]["gap"]
    assert "Perubahan sejak Juni 2024" in client.get("/r/99.01").get_data(as_text=True)


def test_dashboard_shows_every_period(client):
    page = client.get("/r/99.01").get_data(as_text=True)
    table = page[page.index('id="trend"'):]
    table = table[: table.index("</table>")]
    assert table.index("Desember 2024") < table.index("Juni 2024")
    june = client.get("/api/regions/99.01/summary?period=2024-06").get_json()
    assert f"{june['coverage'] * 100:.2f}".replace(".", ",") in table


def test_target_can_be_chosen_on_the_dashboard(client):
    page = client.get("/r/99.01?target=0.98").get_data(as_text=True)
    assert '<option value="0.98" selected>98,00 %</option>' in page
    assert "Target cakupan 98,00 %" in page
    assert "target=0.98" in page  # the map and the download follow it


def test_the_dashboard_draws_the_trend_without_any_library(client):
    page = client.get("/r/99.01").get_data(as_text=True)
    chart = page[page.index('id="trend-chart"'):page.index("</svg>", page.index('id="trend-chart"'))]
    assert chart.count("<path") == 2 and "stroke-dasharray" in chart  # two lines and the target
    assert "Jun 24" in chart and "Des 24" in chart and "<script" not in chart


@pytest.mark.shared
def test_a_served_map_offers_finer_shapes_for_its_units_and_an_export_carries_its_own(shared_data, store_path,
                                                                                       runner):
    """The page carries the band within a pixel two zoom steps past its first view; zoomed in further it asks for
    a finer band of the same units in the same order (the export, which travels alone, asks for nothing)."""
    import re

    from geojkn.maps.encoding import decode_topology, encode_topology
    from geojkn.store import open_store
    from geojkn.workspace import bands_of

    from conftest import JEPARA_DEMAK

    store = store_path
    assert runner("--store", store, "import-boundaries", JEPARA_DEMAK).status == 0
    client = create_app({"TESTING": True, "STORE": str(store), "PUBLIC_READ": True}).test_client()
    page = client.get("/r/33/map?level=desa&metric=gap").get_data(as_text=True)
    finer = json.loads(re.search(r'"finer": *(\{[^}]*\})', page).group(1))
    assert finer["url"].startswith("/r/33/map/shapes.json?") and "metric=gap" in finer["url"]
    assert finer["zooms"] and all(z > finer["drawn"] for z in finer["zooms"])
    bands = bands_of(open_store(str(store)), "desa", "33")
    assert finer["drawn"] in bands.zooms and finer["zooms"] == [z for z in bands.zooms if z > finer["drawn"]]
    for zoom in finer["zooms"][:2]:
        answer = client.get(f"{finer['url']}&zoom={zoom}")
        assert answer.status_code == 200 and answer.mimetype == "application/json"
        got, band = answer.get_json(), bands.band(zoom)
        assert got["n"] == 444 and len(band.codes) == 444
        assert decode_topology(got["topo"], 444) == decode_topology(encode_topology(band.topology, band.step), 444)
    assert client.get(finer["url"] + "&zoom=99").status_code == 400  # not a zoom: refused with its rule
    assert client.get(finer["url"]).status_code == 400  # no zoom given
    export = client.get("/r/33/export.html?level=desa").get_data(as_text=True)
    assert '"finer"' not in export


def test_the_site_has_an_icon_for_everyone(tiny_store):
    """The icon is ours (an SVG drawn in views.py), open without logging in; /favicon.ico leads to it."""
    client = create_app({"TESTING": True, "STORE": str(tiny_store), "SECRET_KEY": "k" * 40}).test_client()
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and icon.data.startswith(b"<svg")
    asked = client.get("/favicon.ico")
    assert asked.status_code == 301 and asked.headers["Location"].endswith("/favicon.svg")
    assert client.get("/r/99.01").status_code == 302  # the maps themselves still ask for a login
    assert 'rel="icon" href="/favicon.svg"' in client.get("/login").get_data(as_text=True)
