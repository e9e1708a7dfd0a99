"""Shared fixtures: tiny hand-made regions, temporary stores, and the real data in ../shared when present."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"]
TEST_OUTPUT = Path(__file__).resolve().parents[1] / "test-output"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
JEPARA_DEMAK = SHARED_DATA / "boundaries" / "jepara_demak_cahyadsn_2025.gpkg"
JATENG = SHARED_DATA / "boundaries" / "jateng_cahyadsn_2025.gpkg"
FASKES_JD = SHARED_DATA / "facilities" / "faskes_bppsdmk2019_jepara_demak.geojson"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the browser tests (Debian's package; never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(f"headless Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shared_data() -> Path:
    """The real public data beside the repo; tests that need it skip when it is absent."""
    if not JEPARA_DEMAK.exists():
        pytest.skip(f"real data not found at {SHARED_DATA} (the ../shared folder beside the repo)")
    return SHARED_DATA


def tiny_units() -> gpd.GeoDataFrame:
    """A fictional regency 99.01: 2 kecamatan of 2 desa each, 0.1 degree squares near lon 127, lat -6."""
    rows = []
    boxes = {
        "99.01.01.2001": (0, 0), "99.01.01.2002": (1, 0),
        "99.01.02.2001": (0, 1), "99.01.02.2002": (1, 1),
    }
    names = {"99.01.01.2001": "Sidomulyo", "99.01.01.2002": "Karanganyar",
             "99.01.02.2001": "Sidomulyo", "99.01.02.2002": "Tegalsari"}
    for code, (i, j) in boxes.items():
        rows.append({"kode": code, "nama": names[code], "geometry": _cell(i, j)})
    rows.append({"kode": "99.01.01", "nama": "Kedungjati", "geometry": shapely.union_all([_cell(0, 0), _cell(1, 0)])})
    rows.append({"kode": "99.01.02", "nama": "Tegalrejo", "geometry": shapely.union_all([_cell(0, 1), _cell(1, 1)])})
    rows.append({"kode": "99.01", "nama": "Kabupaten Contoh", "geometry": shapely.box(127.0, -6.0, 127.2, -5.8)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _cell(i: int, j: int):
    return shapely.box(127.0 + 0.1 * i, -6.0 + 0.1 * j, 127.1 + 0.1 * i, -5.9 + 0.1 * j)


@pytest.fixture
def tiny_geojson(tmp_path: Path) -> Path:
    """The tiny regency written as one GeoJSON file with all levels."""
    path = tmp_path / "wilayah.geojson"
    tiny_units().to_file(path, driver="GeoJSON")
    return path


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Where a test's store lives (not created yet)."""
    return tmp_path / "store.gpkg"
