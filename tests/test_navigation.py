"""From the map to the work: breadcrumbs, links, search and the desa page, through the test client."""

from __future__ import annotations

import re

import pytest

from maps_fixtures import page_data, unit_codes


def test_every_dashboard_names_its_parents_as_links(client):
    page = client.get("/r/99.01.05.2015?metric=gap&lang=en").get_data(as_text=True)
    crumb = page[page.index('id="crumb"'):page.index("</nav>")]
    assert re.search(r'href="/r/99\.01\?[^"]*metric=gap', crumb) and 'href="/r/99.01.05?' in crumb
    assert "Kabupaten Sukamaju" in crumb and "Kecamatan Jatimakmur" in crumb and "Desa/kel. Pandanmakmur" in crumb
    assert "Provinsi 99" not in crumb  # a province known only by its code, above one kabupaten, adds nothing


def test_names_in_rankings_are_links_that_keep_the_choices(client):
    page = client.get("/r/99.01?metric=gap&target=0.98&period=2024-06").get_data(as_text=True)
    table = page[page.index('id="rank-desa"'):]
    link = re.search(r'<a href="(/r/99\.01\.\d\d\.\d{4})\?([^"]*)"', table)
    assert link and "metric=gap" in link.group(2) and "target=0.98" in link.group(2)
    assert "period=2024-06" in link.group(2)  # the month on screen goes along
    assert "level=" not in link.group(2)  # the unit's own


def test_a_click_on_the_served_map_opens_the_unit_but_not_in_an_export(client):
    served = page_data(client.get("/r/99.01/map?metric=gap").get_data(as_text=True))
    assert served["link"][0] == "/r/" and served["link"][1].startswith("?metric=gap")
    assert "99.01.05.2015" in unit_codes(served)
    exported = page_data(client.get("/r/99.01/export.html").get_data(as_text=True))
    assert exported["link"] is None  # an offline file has no server to open pages from


def test_search_finds_units_by_name_or_code_and_tells_namesakes_apart(client, runner):
    found = client.get("/api/search?q=sido&lang=en").get_json()
    assert found and all("sido" in u["name"].lower() for u in found)
    assert all(u["within"].startswith("Kecamatan") for u in found if u["level"] == "desa")
    assert client.get("/api/search?q=99.01.05").get_json()[0]["code"] == "99.01.05"
    assert client.get("/api/search?q=990105").get_json()[0]["code"] == "99.01.05"
    page = client.get("/search?q=%3Cimg%20src%3Dx%3E").get_data(as_text=True)
    assert "&lt;img src=x&gt;" in page and "<img src=x>" not in page
    assert client.get("/api/search").status_code == 400
    printed = runner("search", "Pandanmakmur", "--lang", "en").out
    assert printed.startswith("99.01.05.2015\tDesa/kel. Pandanmakmur\tKecamatan Jatimakmur, Kabupaten Sukamaju")


@pytest.mark.shared
def test_three_tlogorejo_in_demak_are_told_apart(shared_data, store_path, runner):
    from conftest import JEPARA_DEMAK
    assert runner("--store", store_path, "import-boundaries", JEPARA_DEMAK).status == 0
    lines = runner("--store", store_path, "search", "tlogorejo").out.strip().splitlines()
    assert [line.split("\t")[2] for line in lines] == ["Kecamatan Karangawen, Kabupaten Demak",
                                                         "Kecamatan Guntur, Kabupaten Demak",
                                                         "Kecamatan Wonosalam, Kabupaten Demak"]


def test_a_desa_page_says_where_it_stands_and_what_is_near(client):
    page = client.get("/r/99.01.05.2015?lang=en").get_data(as_text=True)
    assert 'name="level"' not in page  # nothing to choose: a desa is shown by itself
    place = re.sub(r"<[^>]+>", "", page[page.index('id="place"'):page.index("</p>", page.index('id="place"'))])
    assert re.search(r"Rank \d+ of \d+ desa/kel\. in Kecamatan Jatimakmur", place)
    nearest = page[page.index('id="nearest"'):page.index("</ul>", page.index('id="nearest"'))]
    assert nearest.count("<li>") == 3 and " km" in nearest


def test_the_dashboard_shows_the_desa_jkn_and_the_status_at_a_glance(tmp_path, runner):
    from geojkn import create_app

    from conftest import TINY_DESA, write_figures

    store = tmp_path / "s.gpkg"
    from conftest import tiny_units
    tiny_units().to_file(tmp_path / "w.geojson", driver="GeoJSON")
    runner("--store", store, "import-boundaries", tmp_path / "w.geojson")
    write_figures(tmp_path / "f.csv", TINY_DESA, [1000, 2000, 1500, 500], [960, 1500, 1440, 520], [800, 1000, 900, 400])
    runner("--store", store, "import-figures", tmp_path / "f.csv", "--period", "2024-01")
    client = create_app({"TESTING": True, "STORE": str(store), "PUBLIC_READ": True}).test_client()
    page = client.get("/r/99.01?lang=en&active_target=0.6").get_data(as_text=True)  # 3.100 of 5.000 active
    jkn = re.sub(r"<[^>]+>", "", page[page.index('id="desa-jkn"'):page.index("</details>")])
    # the fourth desa (520 registered of 500 residents) is implausible: never a Desa JKN
    assert "Desa JKN (≥ 95 %): 2 desa/kel. in 2 kecamatan" in jkn and "Sidomulyo" in jkn and "Tegalsari" not in jkn
    status = re.sub(r"<[^>]+>", "", page[page.index('id="status"'):page.index("</ul>", page.index('id="status"'))])
    assert "Coverage target 95 %: not reached, 330 more registered needed" in status
    assert "Active target 60 %: reached" in status
    assert client.get("/api/regions/99.01/desa-jkn").get_json()["desa"] == 2
