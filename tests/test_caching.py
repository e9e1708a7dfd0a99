"""Answers sent once and prepared ahead: ETags and 304, gzip, options rounded to what they mean, the cache that
outlives figure imports, and the background preparation after an import."""

from __future__ import annotations

import gzip

import pytest

from geojkn import create_app
from geojkn.options import TARGET, View

from conftest import TINY_DESA, write_figures


def test_an_answer_carries_its_etag_and_a_repeat_gets_304_without_a_body(client):
    first = client.get("/r/99.01/map")
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Cache-Control"] == "no-cache"
    again = client.get("/r/99.01/map", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/r/99.01/map?metric=gap", headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200  # another map, another tag


def test_text_goes_compressed_to_browsers_that_accept_it(client):
    plain = client.get("/r/99.01/map")
    packed = client.get("/r/99.01/map", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 2
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert client.get("/healthz", headers={"Accept-Encoding": "gzip"}).headers.get("Content-Encoding") is None


def test_a_share_is_kept_to_a_hundredth_of_a_percent():
    assert TARGET.parse("0.951234567") == 0.9512 and TARGET.parse("0,95") == 0.95
    with pytest.raises(ValueError):
        TARGET.parse("1.00004")  # outside the rule is refused, not rounded into it


def test_odd_targets_share_one_map(client, app):
    ws = app.extensions["geojkn.workspace"]
    assert client.get("/r/99.01/map?target=0.95123").status_code == 200
    builds = (ws.cache.builds + ws.answers.builds)
    assert client.get("/r/99.01/map?target=0.951234").status_code == 200
    assert (ws.cache.builds + ws.answers.builds) == builds  # the same 95,12 % target: the same map, not one more build


def test_a_figures_import_keeps_units_and_distances(tiny_store, tmp_path, runner):
    app = create_app({"TESTING": True, "STORE": str(tiny_store), "PUBLIC_READ": True})
    ws = app.extensions["geojkn.workspace"]
    client = app.test_client()
    assert client.get("/r/99.01").status_code == 200
    lasting = ws.lasting.builds
    write_figures(tmp_path / "feb.csv", TINY_DESA, [1000, 2000, 1500, 500], [960, 1600, 1250, 520],
                  [700, 1000, 900, 400])
    assert runner("--store", tiny_store, "import-figures", tmp_path / "feb.csv", "--period", "2024-02").status == 0
    page = client.get("/r/99.01").get_data(as_text=True)
    assert "Februari 2024" in page
    assert ws.lasting.builds == lasting  # units, facilities and distances were not made again


def test_the_server_prepares_maps_and_dashboards_after_an_import(tiny_store, tmp_path, runner):
    app = create_app({"TESTING": True, "STORE": str(tiny_store), "PUBLIC_READ": True, "PREPARE_AHEAD": True})
    warmer = app.extensions["geojkn.warmer"]
    ws = app.extensions["geojkn.workspace"]
    warmer.poke()
    warmer.thread.join(60)
    assert warmer.prepared == ws.store.version()
    builds = (ws.cache.builds + ws.answers.builds)
    client = app.test_client()
    for url in ("/r/99/map?level=desa", "/r/99.01", "/r/99.01/map"):
        assert client.get(url).status_code == 200, url
    assert (ws.cache.builds + ws.answers.builds) == builds  # every one of them was ready
    write_figures(tmp_path / "feb.csv", TINY_DESA, [1000, 2000, 1500, 500], [960, 1600, 1250, 520],
                  [700, 1000, 900, 400])
    assert runner("--store", tiny_store, "import-figures", tmp_path / "feb.csv", "--period", "2024-02").status == 0
    warmer.poke()  # as the next request or the watcher does
    warmer.thread.join(60)
    assert warmer.prepared == ws.store.version()
    builds = (ws.cache.builds + ws.answers.builds)
    assert "Februari 2024" in client.get("/r/99.01").get_data(as_text=True)
    assert (ws.cache.builds + ws.answers.builds) == builds


def test_a_view_is_a_cache_key_of_settled_values():
    assert View(target=TARGET.parse("0.98000001")) == View(target=0.98)


def test_an_api_answer_is_made_once_per_store_version_and_settled_parameters(tiny_store, tmp_path, runner):
    app = create_app({"TESTING": True, "STORE": str(tiny_store), "PUBLIC_READ": True})
    ws, client = app.extensions["geojkn.workspace"], app.test_client()
    first = client.get("/api/regions/99.01/summary?target=0.95")
    builds = ws.answers.builds
    again = client.get("/api/regions/99.01/summary?target=0.950001")
    assert ws.answers.builds == builds and again.get_data() == first.get_data()
    assert again.mimetype == "application/json" and again.headers["ETag"] == first.headers["ETag"]
    other = client.get("/api/regions/99.01/summary?target=0.9")
    assert ws.answers.builds == builds + 1 and other.get_json()["target"] == 0.9
    assert client.get("/api/regions/99.01/summary?target=2").status_code == 400  # refused, as before
    write_figures(tmp_path / "feb.csv", TINY_DESA, [1000, 2000, 1500, 500], [960, 1600, 1250, 520],
                  [700, 1000, 900, 400])
    assert runner("--store", tiny_store, "import-figures", tmp_path / "feb.csv", "--period", "2024-02").status == 0
    assert client.get("/api/regions/99.01/summary?target=0.95").get_json()["periods"] == ["2024-01", "2024-02"]


def test_a_page_made_by_one_server_process_is_read_by_the_others(tiny_store, tmp_path, runner, monkeypatch):
    """Two apps on one store stand for two gunicorn workers: the second reads the map the first made (from the
    folder beside the store) instead of making it; an import makes both make it anew."""
    from conftest import clear_settings

    clear_settings(monkeypatch)
    config = {"TESTING": True, "STORE": str(tiny_store), "PUBLIC_READ": True, "SHARED_MB": 50}
    first, second = create_app(config), create_app(config)
    made = [app.extensions["geojkn.workspace"] for app in (first, second)]
    page = first.test_client().get("/r/99.01/map").get_data()
    assert made[0].answers.builds == 1
    import geojkn.web.views as views

    real = views.region_map
    monkeypatch.setattr(views, "region_map", lambda *a, **k: pytest.fail("the second process drew the map"))
    again = second.test_client().get("/r/99.01/map").get_data()
    assert again == page  # read from the folder beside the store
    monkeypatch.setattr(views, "region_map", real)
    write_figures(tmp_path / "feb.csv", TINY_DESA, [1000, 2000, 1500, 500], [960, 1600, 1250, 520],
                  [700, 1000, 900, 400])
    assert runner("--store", tiny_store, "import-figures", tmp_path / "feb.csv", "--period", "2024-02").status == 0
    assert second.test_client().get("/r/99.01/map").get_data() != page  # the new month, made anew


def test_the_pages_after_an_import_are_prepared_once_for_every_process(tiny_store, runner, monkeypatch):
    from geojkn.web.warm import Warmer

    from conftest import clear_settings

    clear_settings(monkeypatch)
    config = {"TESTING": True, "STORE": str(tiny_store), "PUBLIC_READ": True, "SHARED_MB": 50}
    warmers = [Warmer(create_app(config)) for _ in range(2)]
    version = warmers[0].workspace.store.version()
    warmers[0].round(version)
    assert warmers[0].prepared == version and warmers[0].workspace.answers.builds > 0
    warmers[1].poke()  # the second process sees the first prepared this version, and prepares nothing
    assert warmers[1].prepared == version and warmers[1].thread is None
    monkeypatch.setenv("GEOJKN_SECRET_KEY", "k" * 40)
    result = runner("--store", tiny_store, "prepare", "--lang", "en")
    assert result.status == 0 and "prepared already" in result.out


def test_a_shared_answer_is_kept_as_tagged_json_and_read_back_as_it_was():
    import json

    from geojkn.shared import decode, encode

    answer = (b"\x1f\x8b body", 200, [("Content-Type", "text/html"), ("ETag", '"abc"')])
    kept = json.dumps(encode(answer))
    assert decode(json.loads(kept)) == answer
    assert decode(json.loads(json.dumps(encode("<p>peta</p>")))) == "<p>peta</p>"
    with pytest.raises(TypeError):
        encode(object())  # nothing that would need running code to read back


def test_what_one_release_kept_is_never_served_by_another(tmp_path, monkeypatch):
    """Answers, downloads and the prepared mark are tied to the code that made them (resources.maker): after an
    upgrade the servers make them again instead of serving pages of the older templates."""
    from geojkn import documents, shared
    from geojkn.documents import Kind, Request
    from geojkn.options import View
    from geojkn.resources import maker
    from geojkn.store.kept import FolderKept

    answers = shared.SharedAnswers(FolderKept(tmp_path / "pages"), 10_000_000)
    answers.put("v1", ("page", "/r/99.01"), "<p>older</p>")
    key = Request(Kind.ATLAS, "99.01", View()).key("v1")
    assert answers.get("v1", ("page", "/r/99.01")) == "<p>older</p>" and len(maker()) == 16
    monkeypatch.setattr(shared, "maker", lambda: "another-release")
    monkeypatch.setattr(documents, "maker", lambda: "another-release")
    assert answers.get("v1", ("page", "/r/99.01")) is None
    assert Request(Kind.ATLAS, "99.01", View()).key("v1") != key
