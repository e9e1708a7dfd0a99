"""Timings for all of Jawa Tengah (8,563 desa, 12 months of figures), next to plain pandas/geopandas peers.

    python benchmarks/bench_jateng.py [--repeat 3] [--periods 12]

Needs ../shared/data. Commands run in-process with cold caches (each opens its own workspace, as a command
line call does). Prints medians of repeated runs and the ratio to the peer measured in the same run:
- import-boundaries vs geopandas.read_file + GeoDataFrame.to_file of the same layers to a GeoPackage;
- import-figures (a synthetic desa-level CSV for all desa; the first month and the last of `--periods`) vs
  pandas.read_csv of the same file;
- summary, rank (coverage and change) and worklist of the province and of one kabupaten, with every month in
  the store, vs a pandas groupby computing coverage per kabupaten from the CSV;
- the access distances of every desa to the nearest FKTP, puskesmas and hospital vs geopandas.sjoin_nearest
  of the desa points and the FKTP in one UTM zone (the least that answers "how far is the nearest FKTP").
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


def figures_csv(folder: Path, month: int = 0) -> Path:
    """Desa-level figures for every Jawa Tengah desa in month `month` (coverage drifts a little each month),
    written the Indonesian way."""
    desa = gpd.read_file(JATENG, layer="desa_kelurahan", columns=["kode", "nama"], read_geometry=False)
    rng = np.random.default_rng(1)
    pop = rng.integers(1500, 12000, len(desa))
    share = rng.uniform(0.6, 1.02, len(desa))
    drift = np.random.default_rng(100 + month).normal(0.002, 0.01, len(desa)) * (month > 0)
    reg = (pop * np.clip(share + 0.003 * month + drift, 0.3, 1.05)).astype(int)
    act = (reg * rng.uniform(0.6, 0.9, len(desa))).astype(int)
    frame = pd.DataFrame({"kode_desa": desa.kode, "nama_desa": desa.nama, "jumlah_penduduk": pop,
                          "peserta_terdaftar": reg, "peserta_aktif": act})
    path = folder / f"kepesertaan_jateng_{month:02d}.csv"
    frame.to_csv(path, sep=";", index=False)
    return path


def peer_access() -> float:
    """The nearest FKTP of every desa with plain geopandas: representative points and facilities in UTM 49S."""
    desa = gpd.read_file(JATENG, layer="desa_kelurahan", columns=["kode"])
    points = gpd.GeoDataFrame(desa[["kode"]], geometry=desa.geometry.representative_point(), crs=desa.crs)
    faskes = gpd.read_file(FASKES)
    joined = gpd.sjoin_nearest(points.to_crs(32749), faskes.to_crs(32749)[["geometry"]], distance_col="m")
    return float(joined["m"].max())


def our_access(store: str) -> int:
    """The access distances as geojkn computes them: a fresh workspace, every desa, three kinds of facility."""
    from geojkn.store import open_store
    from geojkn.workspace import Workspace

    return len(Workspace(open_store(store)).access())


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
    parser.add_argument("--periods", type=int, default=12)
    args = parser.parse_args()
    if not JATENG.exists():
        sys.exit(f"skipped: {JATENG} not found (the ../shared data folder)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csvs = [figures_csv(folder, month) for month in range(args.periods)]
        months = [f"2024-{m + 1:02d}" if m < 12 else f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(args.periods)]
        csv = csvs[0]
        rows = []

        def fresh_import() -> None:
            store = folder / "jateng.gpkg"
            store.unlink(missing_ok=True)
            cli("--store", str(store), "import-boundaries", str(JATENG))

        t_ours, _ = timed(fresh_import, args.repeat)
        t_peer, _ = timed(lambda: peer_boundaries(folder / f"peer-{time.perf_counter_ns()}.gpkg"), args.repeat)
        rows.append(("import-boundaries (8,563 desa, 576 kec, 35 kab)", t_ours, "read_file+to_file", t_peer))
        store = str(folder / "jateng.gpkg")
        t_read, _ = timed(lambda: pd.read_csv(csv, sep=";", dtype=str), args.repeat)
        t_ours, _ = timed(lambda: cli("--store", store, "import-figures", str(csv), "--period", months[0]),
                          args.repeat)
        rows.append(("import-figures, first month (8,563 rows)", t_ours, "pandas.read_csv", t_read))
        t_ours, _ = timed(lambda: cli("--store", store, "import-facilities", str(FASKES), "--replace"), args.repeat)
        t_peer, _ = timed(lambda: gpd.read_file(FASKES), args.repeat)
        rows.append(("import-facilities (1,034 points)", t_ours, "read_file", t_peer))
        for path, month in zip(csvs[1:-1], months[1:-1], strict=True):
            cli("--store", store, "import-figures", str(path), "--period", month)
        if args.periods > 1:
            t_ours, _ = timed(lambda: cli("--store", store, "import-figures", str(csvs[-1]), "--period", months[-1]),
                              args.repeat)
            rows.append((f"import-figures, month {args.periods} of {args.periods}", t_ours, "pandas.read_csv", t_read))
        t_peer, _ = timed(lambda: peer_summary(csv), args.repeat)
        queries = [(f"summary {r} ({args.periods} months)", ("summary", r, "--json")) for r in ("33", "33.20")]
        queries += [("rank 33 kecamatan by coverage", ("rank", "33", "--level", "kecamatan", "--format", "json")),
                    ("rank 33 desa by change", ("rank", "33", "--level", "desa", "--metric", "change",
                                                "--format", "json")),
                    ("rank 33.20 desa by coverage", ("rank", "33.20", "--level", "desa", "--format", "json")),
                    ("worklist 33.20 desa by gap", ("worklist", "33.20", "--format", "json")),
                    ("worklist 33 kecamatan by nearest_fktp_km", ("worklist", "33", "--level", "kecamatan", "--by",
                                                                  "nearest_fktp_km", "--format", "json"))]
        for name, argv in queries:
            t_ours, _ = timed(lambda a=argv: cli("--store", store, *a), args.repeat)
            rows.append((name, t_ours, "pandas groupby", t_peer))
        t_ours, _ = timed(lambda: our_access(store), args.repeat)
        t_peer, _ = timed(peer_access, args.repeat)
        rows.append(("access: 8,563 desa x FKTP, puskesmas, RS", t_ours, "sjoin_nearest FKTP", t_peer))
        t_start, _ = timed(startup, args.repeat)
        print(f"{'step':<50} {'geojkn s':>9} {'peer':>20} {'peer s':>8} {'ratio':>7}")
        for name, ours, peer, peer_t in rows:
            print(f"{name:<50} {ours:9.2f} {peer:>20} {peer_t:8.2f} {ours / peer_t:7.1f}")
        print(f"a fresh `geojkn` process adds {t_start:.2f} s of start-up (Python, pandas, geopandas imports)")


if __name__ == "__main__":
    main()
