"""Import and summary timings for all of Jawa Tengah (8,563 desa), next to plain geopandas doing the same I/O.

    python benchmarks/bench_jateng.py [--repeat 3]

Needs ../shared/data. Commands run in-process with cold caches. Prints medians of repeated runs and the ratio
to the peer measured in the same run:
- import-boundaries vs geopandas.read_file + GeoDataFrame.to_file of the same layers to a GeoPackage;
- import-figures (a synthetic desa-level CSV for all desa) vs pandas.read_csv of the same file;
- summary of the province and of one kabupaten vs a pandas groupby computing the same coverage.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geojkn.cli import main as geojkn_main

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
JATENG = DATA / "boundaries" / "jateng_cahyadsn_2025.gpkg"
FASKES = DATA / "facilities" / "faskes_bppsdmk2019_jateng.gpkg"
LAYERS = ("desa_kelurahan", "kecamatan", "kabupaten_kota")


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cli(*argv: str) -> None:
    """Run a geojkn command in this process (each command opens its own workspace, so nothing stays cached)."""
    with contextlib.redirect_stdout(io.StringIO()):
        status = geojkn_main(list(argv))
    if status != 0:
        raise SystemExit(f"geojkn {' '.join(argv)} failed with status {status}")


def startup() -> None:
    """A fresh `geojkn --help` process: the fixed cost every command line call pays on top."""
    subprocess.run([sys.executable, "-m", "geojkn", "--help"], check=True, stdout=subprocess.DEVNULL)


def figures_csv(folder: Path) -> Path:
    """Desa-level figures for every Jawa Tengah desa, written the Indonesian way."""
    desa = gpd.read_file(JATENG, layer="desa_kelurahan", columns=["kode", "nama"], read_geometry=False)
    rng = np.random.default_rng(1)
    pop = rng.integers(1500, 12000, len(desa))
    reg = (pop * rng.uniform(0.6, 1.02, len(desa))).astype(int)
    act = (reg * rng.uniform(0.6, 0.9, len(desa))).astype(int)
    frame = pd.DataFrame({"kode_desa": desa.kode, "nama_desa": desa.nama, "jumlah_penduduk": pop,
                          "peserta_terdaftar": reg, "peserta_aktif": act})
    path = folder / "kepesertaan_jateng.csv"
    frame.to_csv(path, sep=";", index=False)
    return path


def peer_boundaries(out: Path) -> None:
    for layer in LAYERS:
        gpd.read_file(JATENG, layer=layer).to_file(out, layer=layer, driver="GPKG")


def peer_summary(csv: Path) -> float:
    frame = pd.read_csv(csv, sep=";", dtype={"kode_desa": str})
    frame["kab"] = frame.kode_desa.str[:5]
    sums = frame.groupby("kab")[["jumlah_penduduk", "peserta_terdaftar"]].sum()
    return float(sums.peserta_terdaftar.sum() / sums.jumlah_penduduk.sum())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not JATENG.exists():
        sys.exit(f"skipped: {JATENG} not found (the ../shared data folder)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv = figures_csv(folder)
        rows = []

        def fresh_import() -> None:
            store = folder / "jateng.gpkg"
            store.unlink(missing_ok=True)
            cli("--store", str(store), "import-boundaries", str(JATENG))

        t_ours, _ = timed(fresh_import, args.repeat)
        t_peer, _ = timed(lambda: peer_boundaries(folder / f"peer-{time.perf_counter_ns()}.gpkg"), args.repeat)
        rows.append(("import-boundaries (8,563 desa, 576 kec, 35 kab)", t_ours, "read_file+to_file", t_peer))
        store = str(folder / "jateng.gpkg")
        t_ours, _ = timed(lambda: cli("--store", store, "import-figures", str(csv), "--period", "2024-01"), args.repeat)
        t_peer, _ = timed(lambda: pd.read_csv(csv, sep=";", dtype=str), args.repeat)
        rows.append(("import-figures (8,563 rows)", t_ours, "pandas.read_csv", t_peer))
        t_ours, _ = timed(lambda: cli("--store", store, "import-facilities", str(FASKES), "--replace"), args.repeat)
        t_peer, _ = timed(lambda: gpd.read_file(FASKES), args.repeat)
        rows.append(("import-facilities (1,034 points)", t_ours, "read_file", t_peer))
        t_peer, _ = timed(lambda: peer_summary(csv), args.repeat)
        for region in ("33", "33.20"):
            t_ours, _ = timed(lambda r=region: cli("--store", store, "summary", r, "--json"), args.repeat)
            rows.append((f"summary {region}", t_ours, "pandas groupby", t_peer))
        t_start, _ = timed(startup, args.repeat)
        print(f"{'step':<50} {'geojkn s':>9} {'peer':>20} {'peer s':>8} {'ratio':>7}")
        for name, ours, peer, peer_t in rows:
            print(f"{name:<50} {ours:9.2f} {peer:>20} {peer_t:8.2f} {ours / peer_t:7.1f}")
        print(f"a fresh `geojkn` process adds {t_start:.2f} s of start-up (Python, pandas, geopandas imports)")


if __name__ == "__main__":
    main()
