"""Tests for geojkn.maps.export and geojkn.maps.assets: one offline file, vendor files from packages."""

from __future__ import annotations

import re

import folium
import pytest
from folium.plugins import MarkerCluster

from geojkn.maps import AssetMode, build_map, export_html, vendor_files, vendor_sources
from geojkn.maps.assets import vendor_text
from geojkn.maps.export import remote_references
from geojkn.maps.safety import escape_script, escape_text

from maps_fixtures import PAYLOADS, grid_facilities, grid_outline, grid_units

CDN_HOSTS = ("jsdelivr", "cdnjs", "unpkg", "code.jquery", "bootstrapcdn", "googleapis", "cloudflare")


@pytest.fixture(scope="module")
def exported() -> str:
    units = grid_units()
    return export_html(build_map(units, "coverage", outline=grid_outline(units),
                                 facilities=grid_facilities(), title="Kabupaten Jepara"))


def test_vendor_files_exist_in_installed_packages():
    files = vendor_files()
    assert {"leaflet.js", "leaflet.css", "images/layers.png", "geojkn-map.js"} <= set(files)
    for name, path in files.items():
        assert path.is_file() and path.stat().st_size > 0, name
        base, rel = vendor_sources()[name]
        assert (base / rel) == path
        assert "xstatic" in str(base) or name == "geojkn-map.js"  # ours ships in the geojkn package


def test_export_needs_nothing_from_the_network(exported):
    assert remote_references(exported) == []
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=", exported, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", exported, re.I)
    lower = exported.lower()
    for host in CDN_HOSTS:
        assert host not in lower, host


def test_export_inlines_leaflet_our_map_script_and_css_images(exported):
    assert "leaflet-control-layers-toggle" in exported and "window.geojkn.Units = Units" in exported
    assert "url(data:image/png;base64," in exported and "url(images/" not in exported
    # Every <script> is closed once: nothing inlined closed a tag early.
    assert exported.count("<script") == exported.count("</script>")


def test_export_of_a_served_map_inlines_too():
    fmap = build_map(grid_units(), "coverage", assets=AssetMode("served", "/static/vendor"))
    assert '<script src="/static/vendor/leaflet.js">' in fmap.get_root().render()
    page = export_html(fmap)
    assert "/static/vendor" not in page and remote_references(page) == []


def test_inline_mode_renders_standalone_without_export():
    fmap = build_map(grid_units(), "coverage", assets=AssetMode("inline"))
    assert remote_references(fmap.get_root().render()) == []


def test_osm_tiles_are_the_only_remote_reference():
    page = export_html(build_map(grid_units(), "coverage", basemap="osm"))
    hosts = set(re.findall(r"https?://([\w.-]+)/[^\"'\s]*\{[zxy]\}", page))
    assert hosts == {"tile.openstreetmap.org"}
    assert remote_references(page) == []


def test_a_map_with_a_cdn_plugin_is_refused():
    fmap = build_map(grid_units(), "coverage")
    MarkerCluster().add_to(fmap)  # a cluster that kept folium's CDN links
    with pytest.raises(ValueError, match="cdnjs"):
        export_html(fmap)


def test_export_leaves_the_class_defaults_alone():
    before = list(folium.Map.default_js)
    export_html(build_map(grid_units(), "coverage"))
    assert folium.Map.default_js == before


def test_escape_script_removes_closing_tags_and_comment_openers():
    code = 'var a = "</script><script>x</SCRIPT>"; var b = "<!--";'
    safe = escape_script(code)
    assert "</script" not in safe.lower() and "<!--" not in safe
    assert safe == 'var a = "<\\/script><script>x<\\/SCRIPT>"; var b = "<\\!--";'
    assert "</style" not in escape_script("a{content:'</style>'}", "style")


def test_vendor_text_has_no_closing_tags_after_escaping():
    for name in ("leaflet.js", "geojkn-map.js"):
        assert "</script" not in escape_script(vendor_text(name)).lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_text_is_inert_in_html_and_template_literals(payload):
    text = escape_text(payload)
    assert not set(text) & set("<>\"'`\\$")


def test_payload_export_stays_inert():
    names = PAYLOADS
    units = grid_units(names)
    page = export_html(build_map(units, "coverage", facilities=grid_facilities(names), title=names[1]))
    outside = re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", page, flags=re.S)
    for payload in PAYLOADS:
        assert "<" not in payload or payload not in page
        assert payload not in outside  # only inside the map's JSON data, where nothing runs
    assert page.count("<script") == page.count("</script>")


def test_an_export_never_imports_requests_yet_folium_can_still_use_it(tmp_path):
    """folium imports `requests` at its top; geojkn imports it only when one of its names is used (never, for a
    map of its own data), and then it is the real module."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from geojkn.cli import main\n"
        f"main(['export', '99.01', '--output', {str(tmp_path / 'm.html')!r}])\n"
        "assert 'requests.api' not in sys.modules, 'requests was imported'\n"
        "import folium.features\n"
        "assert folium.features.requests.codes.ok == 200 and 'requests.api' in sys.modules\n"
        "import requests\n"
        "assert requests.get is sys.modules['requests'].get and type(sys.modules['requests']).__name__ == 'module'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m.html").stat().st_size > 10_000
