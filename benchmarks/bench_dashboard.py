"""Served dashboard requests for Jepara+Demak (444 desa, 12 months of figures), next to the bare I/O they need.

    python benchmarks/bench_dashboard.py [--repeat 7]

Needs ../shared/data. Builds a store in a temporary folder with the `geojkn` command, then times requests
through the Flask test client (no network, no server threads):
- cold: the first request of a fresh process (nothing cached yet), each in its own subprocess;
- warm: the same request again in a process that has already answered it once.
The peer is the least any dashboard must do for one kabupaten: read its desa layer from the GeoPackage with
pyogrio and compute coverage per kecamatan with a pandas groupby, measured in the same run.
Prints medians and the ratio to the peer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
BOUNDARIES = DATA / "boundaries" / "jepara_demak_cahyadsn_2025.gpkg"
FACILITIES = DATA / "facilities" / "faskes_bppsdmk2019_jepara_demak.geojson"
PERIODS = [f"2022-{m:02d}" for m in range(1, 13)]
PATHS = ("/r/33.20", "/r/33.20/map", "/api/regions/33.20/summary", "/r/33.21?level=kecamatan&metric=gap")

# Runs in a fresh interpreter: time the first request, then `repeat` more of the same.
_CHILD = """
import json, sys, time
from geojkn import create_app
store, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = create_app({"TESTING": True, "STORE": store}).test_client()
times = []
for _ in range(repeat + 1):
    start = time.perf_counter()
    response = client.get(path)
    times.append(time.perf_counter() - start)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
print(json.dumps(times))
"""


def geojkn(*argv: str) -> None:
    subprocess.run([sys.executable, "-m", "geojkn", *argv], check=True, stdout=subprocess.DEVNULL)


def build_store(folder: Path) -> Path:
    """Jepara and Demak boundaries, facilities and 12 months of seeded desa figures."""
    import pyogrio

    store = folder / "jd.gpkg"
    geojkn("--store", str(store), "import-boundaries", str(BOUNDARIES))
    geojkn("--store", str(store), "import-facilities", str(FACILITIES))
    desa = pyogrio.read_dataframe(BOUNDARIES, layer="desa_kelurahan", read_geometry=False)
    rng = np.random.default_rng(7)
    pop = rng.integers(1500, 12000, len(desa))
    share = rng.uniform(0.6, 0.95, len(desa))
    for month, period in enumerate(PERIODS):
        reg = np.minimum(pop, (pop * (share + 0.004 * month)).astype(int))
        act = (reg * 0.78).astype(int)
        path = folder / f"kepesertaan_{period}.csv"
        pd.DataFrame({"kode_desa": desa["kode"], "penduduk": pop, "peserta": reg, "peserta_aktif": act}).to_csv(
            path, sep=";", index=False)
        geojkn("--store", str(store), "import-figures", str(path), "--period", period)
    return store


def requests(store: Path, path: str, repeat: int) -> tuple[float, float]:
    """Median time of the first request in a fresh process, and median of the warm requests after it."""
    first, warm = [], []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _CHILD, str(store), path, "3"], check=True,
                             capture_output=True, text=True).stdout
        times = json.loads(out.strip().splitlines()[-1])
        first.append(times[0])
        warm.extend(times[1:])
    return statistics.median(first), statistics.median(warm)


def peer(store: Path, repeat: int) -> float:
    """Read one kabupaten's desa from the store and compute coverage per kecamatan: the I/O floor."""
    import pyogrio

    def once() -> float:
        desa = pyogrio.read_dataframe(store, layer="desa", where="code LIKE '33.20.%'")
        figures = pyogrio.read_dataframe(store, layer="figures", read_geometry=False,
                                         where=f"period = '{PERIODS[-1]}' AND code LIKE '33.20.%'")
        table = desa.merge(figures, on="code")
        sums = table.groupby(table["code"].str[:8])[["population", "registered"]].sum()
        return float((sums["registered"] / sums["population"]).mean())

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not BOUNDARIES.exists():
        sys.exit(f"skipped: {BOUNDARIES} not found (the ../shared data folder)")
    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(Path(tmp))
        floor = peer(store, args.repeat)
        print(f"peer (pyogrio read of 33.20's desa and one month + pandas groupby): {floor * 1000:.0f} ms")
        print(f"{'request':<42} {'first ms':>9} {'x peer':>7} {'warm ms':>9} {'x peer':>7}")
        for path in PATHS:
            first, warm = requests(store, path, args.repeat)
            print(f"{path:<42} {first * 1000:9.0f} {first / floor:7.1f} {warm * 1000:9.1f} {warm / floor:7.2f}")


if __name__ == "__main__":
    main()
