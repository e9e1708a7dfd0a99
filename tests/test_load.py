"""An office's bad day, smaller than the benchmark (benchmarks/bench_load.py) but the same: office clients over the
dashboards, maps and API of Jepara and Demak, hundreds of idle connections, and one client flooding the server
with atlases (a new target each time, never waiting for one). Every office request is answered, quickly; the
flooder is told to wait (429, 503) or that its file is being prepared (202), never an error. The same day on a
PostGIS store, served by two servers sharing the database, the office clients taking them in turn."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import FASKES_JD, JEPARA_DEMAK

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from office_load import Load, idle, load, nginx_binary, start  # noqa: E402

SECONDS, CLIENTS, IDLE = 15, 8, 600
OFFICE = ["/r/33.20", "/r/33.21", "/r/33.20/map", "/r/33.21/map?metric=gap", "/api/regions/33.20/summary",
          "/api/regions/33.21/ranking.json?level=desa", "/r/33.21.05", "/api/search?q=tlogorejo", "/healthz"]
MODES = ["serve", "nginx"] if nginx_binary() else ["serve", "production"]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    if not JEPARA_DEMAK.exists():
        pytest.skip("real data not found (the ../shared folder beside the repo)")
    import pyogrio

    folder = tmp_path_factory.mktemp("load")
    path = folder / "jd.gpkg"
    for argv in (["import-boundaries", JEPARA_DEMAK], ["import-facilities", FASKES_JD]):
        subprocess.run([sys.executable, "-m", "geojkn", "--store", path, *argv], check=True, capture_output=True)
    desa = pyogrio.read_dataframe(JEPARA_DEMAK, layer="desa_kelurahan", read_geometry=False)
    figures = folder / "f.csv"
    figures.write_text("kode;penduduk;terdaftar;aktif\n" + "\n".join(
        f"{code};{4000 + i % 50 * 101};{3200 + i % 40 * 97};{2500 + i % 30 * 53}"
        for i, code in enumerate(desa["kode"])) + "\n")
    subprocess.run([sys.executable, "-m", "geojkn", "--store", path, "import-figures", figures, "--period",
                    "2024-01"], check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def pg_copy(store, postgres) -> Iterator[str]:
    """The same store copied into a new PostGIS database."""
    import postgres as cluster

    dsn = cluster.new_database(postgres)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOJKN_")}
    subprocess.run([sys.executable, "-m", "geojkn", "copy-store", store, dsn], check=True, capture_output=True,
                   env=env)
    yield dsn
    cluster.drop_database(postgres, dsn)


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_office_clients_beside_idle_connections_and_an_atlas_flood_all_get_their_pages(store, tmp_path, mode):
    with start(store, mode, tmp_path) as base, idle(base, IDLE):
        result = load(base, SECONDS, CLIENTS, OFFICE, flood="33.20")
    assert_office_served(result)


@pytest.mark.shared
@pytest.mark.slow
def test_the_same_day_on_two_servers_sharing_a_postgis_database(pg_copy, tmp_path):
    with start(pg_copy, "serve", tmp_path) as one, start(pg_copy, MODES[1], tmp_path) as two, idle(two, IDLE):
        result = load([one, two], SECONDS, CLIENTS, OFFICE, flood="33.20")
    assert_office_served(result)


def assert_office_served(result: Load) -> None:
    assert not result.errors and len(result.office) >= 5 * CLIENTS, result.errors  # every office request: 200
    dashboards = result.times(dashboards=True)
    assert result.quantile(dashboards, 0.95) < 1.0, dashboards[-10:]
    assert set(result.flooded) <= {200, 202, 429, 503} and result.flooded, result.flooded  # told, never an error
