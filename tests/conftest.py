"""Shared fixtures: tiny hand-made regions, temporary stores, and the real data in ../shared when present."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import pytest
import shapely

from geojkn import create_app
from geojkn.cli import main

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


@pytest.fixture(scope="session")
def postgres() -> str:
    """The throw-away PostgreSQL server of the test run (tests/postgres.py): its connection string."""
    import postgres as cluster

    try:
        return cluster.server()
    except (RuntimeError, OSError) as exc:
        if os.environ.get("TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here and could not be used: {exc}")
        pytest.skip(f"no PostgreSQL to test the PostGIS store with: {exc}")


@pytest.fixture
def pg_store(postgres) -> Iterator[str]:
    """A new, empty database for a PostGIS store, dropped after the test: its connection string."""
    import postgres as cluster

    dsn = cluster.new_database(postgres)
    yield dsn
    cluster.drop_database(postgres, dsn)


BACKENDS = ("gpkg", "postgis")


@pytest.fixture(params=BACKENDS)
def store_path(request, tmp_path: Path) -> Path | str:
    """Where a test's store lives (not created yet): a GeoPackage file, or a new PostgreSQL database (every test
    that uses a store runs on both; one marked gpkg_only tests what only the file does, on the file alone)."""
    if request.param == "postgis":
        dsn: str = request.getfixturevalue("pg_store")
        return dsn
    return tmp_path / "store.gpkg"


def pytest_collection_modifyitems(config, items) -> None:
    """A test marked gpkg_only runs on the GeoPackage store alone (it looks at the file itself)."""
    kept, dropped = [], []
    for item in items:
        backend = getattr(getattr(item, "callspec", None), "params", {}).get("store_path")
        (dropped if backend == "postgis" and item.get_closest_marker("gpkg_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def fingerprint(location: Path | str) -> object:
    """What a store holds now, to compare before and after something that must change nothing: the file's bytes,
    or the database store's version (which moves with every write)."""
    if isinstance(location, Path):
        return location.read_bytes()
    from geojkn.store import open_store

    return open_store(location).version()


def clear_settings(monkeypatch) -> None:
    """No GEOJKN_* setting from the environment the tests run in."""
    for name in [n for n in os.environ if n.startswith("GEOJKN_")]:
        monkeypatch.delenv(name, raising=False)


class Result(NamedTuple):
    """What one `geojkn` command did: its exit status, standard output and standard error."""

    status: int
    out: str
    err: str


@pytest.fixture
def runner(capsys, monkeypatch) -> Callable[..., Result]:
    """Run `geojkn ARGS...` in this process (GEOJKN_* settings from the environment cleared first)."""
    clear_settings(monkeypatch)

    def run(*argv: object) -> Result:
        status = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return Result(status, out, err)

    return run


@pytest.fixture
def app(monkeypatch):
    """The dashboard on the bundled demo, with no GEOJKN_* setting from the environment."""
    clear_settings(monkeypatch)
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def write_figures(path: Path, codes, population, registered, active, names=None) -> Path:
    """A desa-level CSV the way a Dinkes spreadsheet exports it: ';', BOM, 1.234 thousands, a JUMLAH row. A column
    whose only grouped values are round thousands (1.000 beside 700) is written without separators, as geojkn
    asks: it could not tell 1.000 from 1 there."""
    def column(values):
        grouped = [f"{int(n):,}".replace(",", ".") for n in values]
        dotted = [text for text in grouped if "." in text]
        return grouped if any(not t.endswith(".000") for t in dotted) else [str(int(n)) for n in values]

    columns = [column(population), column(registered), column(active)]
    lines = ["Rekap Kepesertaan JKN", "Kode Desa;Nama Desa;Jumlah Penduduk;Peserta Terdaftar;Peserta Aktif"]
    for i, code in enumerate(codes):
        name = names[i] if names is not None else ""  # a name cell left empty: the code alone ties the row
        lines.append(f"{code};{name};{columns[0][i]};{columns[1][i]};{columns[2][i]}")
    lines.append(f"JUMLAH;;{sum(population)};{sum(registered)};{sum(active)}")
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


TINY_DESA = ["99.01.01.2001", "99.01.01.2002", "99.01.02.2001", "99.01.02.2002"]


@pytest.fixture
def tiny_store(store_path, tiny_geojson, tmp_path, runner) -> Path:
    """A store holding the tiny regency and one month (2024-01) of figures for its four desa."""
    assert runner("--store", store_path, "import-boundaries", tiny_geojson).status == 0
    write_figures(tmp_path / "jan.csv", TINY_DESA, [1000, 2000, 1500, 500], [950, 1500, 1200, 520],
                  [700, 1000, 900, 400])
    assert runner("--store", store_path, "import-figures", tmp_path / "jan.csv", "--period", "2024-01").status == 0
    return store_path
