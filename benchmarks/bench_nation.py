"""A nation-sized store: Jawa Tengah ten times over (about 85,600 desa), next to Jawa Tengah alone, in one run.

    python benchmarks/bench_nation.py [--copies 10] [--repeat 3] [--folder DIR]

Needs ../shared/data. Copy k of Jawa Tengah gets province code 33 (the first) or 80+k, and its coordinates moved
east by 3.6 degrees per column and south by 3 per row (5 columns), so every copy stays over Indonesia and no two
touch; facilities and figures move with them. Reports the import time (boundaries with their maps prepared,
facilities, a month of figures), the store's size, and, served by `geojkn serve` from a fresh process: the front
page with every region's latest figures (the national overview), a kabupaten dashboard (first and repeated), a
province desa map (first and repeated), and the server's resident memory; the kabupaten dashboard and a summary
command are measured on the one-province store too, so the ratio shows whether a kabupaten view grows with the
store. With --folder the stores are built there, or, when they are there already, used as they are (the import
times are then not measured again).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_jateng import FASKES, JATENG  # noqa: E402
from bench_load import get  # noqa: E402
from bench_province import geojkn, line, serve, stop  # noqa: E402

LAYERS = ("desa_kelurahan", "kecamatan", "kabupaten_kota")


def province_code(k: int) -> str:
    return "33" if k == 0 else str(80 + k)


def copies(folder: Path, n: int) -> tuple[list[Path], Path, Path]:
    """Boundaries (one file per province, as a province office sends them: a file of every province would pass
    the 100 MB a file may have), facilities and a month of figures for n shifted copies of Jawa Tengah."""
    facilities, figures = folder / f"faskes_{n}.gpkg", folder / f"f_{n}.csv"
    boundaries = [folder / f"province_{n}_{k}.gpkg" for k in range(n)]
    names = []
    for layer in LAYERS:
        source = gpd.read_file(JATENG, layer=layer)
        for k in range(n):
            part = source.copy()
            part["kode"] = province_code(k) + part["kode"].str[2:]
            part["geometry"] = part.geometry.translate(3.6 * (k % 5), -3.0 * (k // 5))
            part[["kode", "nama", "geometry"]].to_file(boundaries[k], layer=layer, driver="GPKG")
            if layer == "desa_kelurahan":
                names.append(part[["kode", "nama"]])
    rows = pd.concat(names, ignore_index=True)
    points = gpd.read_file(FASKES)
    moved = []
    for k in range(n):
        part = points.copy()
        part["geometry"] = part.geometry.translate(3.6 * (k % 5), -3.0 * (k // 5))
        moved.append(part)
    gpd.GeoDataFrame(pd.concat(moved, ignore_index=True), crs=points.crs).to_file(facilities, driver="GPKG")
    rng = np.random.default_rng(5)
    pop = rng.integers(1500, 12000, len(rows))
    reg = (pop * rng.uniform(0.6, 1.02, len(rows))).astype(int)
    act = (reg * rng.uniform(0.6, 0.9, len(rows))).astype(int)
    pd.DataFrame({"kode_desa": rows["kode"], "nama_desa": rows["nama"], "jumlah_penduduk": pop,
                  "peserta_terdaftar": reg, "peserta_aktif": act}).to_csv(figures, sep=";", index=False)
    return boundaries, facilities, figures


def build(folder: Path, n: int) -> tuple[Path, dict[str, float]]:
    store = folder / f"store_{n}.gpkg"
    if store.exists():  # kept from an earlier run (--folder)
        return store, {}
    boundaries, facilities, figures = copies(folder, n)
    took = {"boundaries": sum(geojkn(store, "import-boundaries", str(path)) for path in boundaries),
            "facilities": geojkn(store, "import-facilities", str(facilities)),
            "figures": geojkn(store, "import-figures", str(figures), "--period", "2024-01")}
    return store, took


def resident_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return float("nan")


def served(store: Path, repeat: int, province: str) -> dict[str, float]:
    proc, base = serve(store, prepare=False)
    out: dict[str, float] = {}
    try:
        pages = (("overview", "/"), ("kabupaten", "/r/33.20"), ("province map", f"/r/{province}/map?level=desa"))
        for name, path in pages:
            status, first = get(base + path, 600)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            out[f"{name} first"] = first
            out[f"{name} again"] = statistics.median(get(base + path)[1] for _ in range(max(repeat, 5)))
        out["resident MB"] = resident_mb(proc.pid)
    finally:
        stop(proc)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folder", type=Path, help="build the stores here, or use the ones built here before")
    args = parser.parse_args()
    if not JATENG.exists():
        sys.exit(f"skipped: {JATENG} not found (the ../shared data folder)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        one, took_one = build(folder, 1)
        many, took_many = build(folder, args.copies)
        print(f"stores built in {time.perf_counter() - start:.0f} s")
        print(f"{'':<58} {'nation':>10}     {'1 prov.':>10} {'ratio':>9}")
        for kind in [k for k in ("boundaries", "facilities", "figures") if k in took_one and k in took_many]:
            line(f"import {kind} (s): Jawa Tengah | nation | nation/JT", took_one[kind], took_many[kind])
        line("store size (MB): nation | Jawa Tengah", many.stat().st_size / 1e6, one.stat().st_size / 1e6, "MB")
        small = median_summary(one, args.repeat)
        big = median_summary(many, args.repeat)
        line("summary 33.20 as a whole process (s): nation | JT | JT/nation", big, small)
        far = province_code(args.copies - 1)
        s_many = served(many, args.repeat, far)
        s_one = served(one, args.repeat, "33")
        for key in s_many:
            unit = "MB" if "MB" in key else "s"
            line(f"served {key} ({unit}): nation | Jawa Tengah | JT/nation", s_many[key], s_one[key], unit)
        print("a kabupaten view must not grow with the store: the ratios of 'kabupaten' should stay near 1")


def median_summary(store: Path, repeat: int) -> float:
    return statistics.median(geojkn(store, "summary", "33.20", "--json") for _ in range(repeat))


if __name__ == "__main__":
    main()
