"""A nation-sized store: Jawa Tengah ten times over (about 85,600 desa), next to Jawa Tengah alone, on both
store backends (a GeoPackage file and a PostGIS database) side by side, in one run.

    python benchmarks/bench_nation.py [--copies 10] [--repeat 5] [--backends gpkg,postgis] [--postgres DSN]
                                      [--clients 20] [--seconds 20] [--folder DIR]

Needs ../shared/data; the PostGIS part needs PostgreSQL with PostGIS: the server --postgres names (its user may
create databases), else a throw-away cluster started here with PostgreSQL's own durable settings (tests/postgres.py).
Copy k of Jawa Tengah gets province code 33 (the first) or 80+k, and its coordinates moved east by 3.6 degrees per
column and south by 3 per row (5 columns), so every copy stays over Indonesia and no two touch; facilities and
figures move with them.

For each backend and each store (the nation, and Jawa Tengah alone) it reports: the import times (boundaries with
their maps prepared, one file per province, the backends taking each file in turn so that whatever else the machine
does falls on both alike; facilities; a month of figures), the store's size, and, each from a
fresh `geojkn serve` process with nothing kept from an earlier one (medians of --repeat fresh servers): the front
page with every region (the national overview), a kabupaten dashboard cold and warm, a province desa map cold and
warm, a `summary 33.20` command, and the server's memory; then --clients office clients for --seconds against two
server processes sharing the one store (a GeoPackage file on this disk; one PostGIS database). The ratios nation/JT
show whether a kabupaten view grows with the store; postgis/gpkg compares the backends. With --folder the
GeoPackage stores are built there or used as they are; the databases are named geojkn_nation_<n> and, with
--folder, kept and used again the same way. The figures so far are also written to results.json in the folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_jateng import FASKES, JATENG  # noqa: E402
from bench_load import OFFICE, spread  # noqa: E402
from office_load import get, load, start  # noqa: E402

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



@dataclass
class Store:
    """One store of the benchmark: where it is (a path or a connection string) and how to measure it."""

    backend: str
    n: int
    location: str
    size_mb: Callable[[], float]
    forget: Callable[[], None]  # drop what earlier servers kept (answers, prepared pages), for a cold start
    exists: Callable[[], bool]


def gpkg_store(folder: Path, n: int) -> Store:
    path = folder / f"store_{n}.gpkg"
    return Store("gpkg", n, str(path), lambda: path.stat().st_size / 1e6,
                 lambda: shutil.rmtree(path.with_name(path.stem + ".jobs"), ignore_errors=True), path.exists)


def postgis_store(server: str, n: int, fresh: bool) -> Store:
    import psycopg
    from psycopg.conninfo import make_conninfo

    name = f"geojkn_nation_{n}"
    with psycopg.connect(server, autocommit=True) as conn:
        there = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if there and fresh:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
        if fresh or not there:
            conn.execute(f"CREATE DATABASE {name}")
    dsn = make_conninfo(server, dbname=name)

    def sql(query: str) -> list[tuple[object, ...]]:
        with psycopg.connect(dsn, autocommit=True) as conn:
            cur = conn.execute(query)
            return cur.fetchall() if cur.description else []

    def exists() -> bool:
        return bool(sql("SELECT to_regclass('geojkn.units') IS NOT NULL AND EXISTS (SELECT 1 FROM geojkn.units)"
                        if sql("SELECT 1 FROM pg_namespace WHERE nspname = 'geojkn'") else "SELECT false")[0][0])

    return Store("postgis", n, dsn, lambda: float(sql(f"SELECT pg_database_size('{name}')")[0][0]) / 1e6,
                 lambda: sql("DELETE FROM geojkn.kept") and None, exists)


def geojkn(store: Store, *argv: str, cwd: Path) -> float:
    """A geojkn command as a whole process; its wall time."""
    began = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOJKN_")}
    subprocess.run([sys.executable, "-m", "geojkn", "--store", store.location, *argv], check=True, env=env,
                   cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def build(stores: list[Store], folder: Path, n: int) -> dict[str, dict[str, float]]:
    """Import the n-province files into every store (of each backend) not built yet, file by file in turn, so that
    whatever else the machine does falls on both backends alike; the import times by backend."""
    todo = [store for store in stores if not store.exists()]  # the others were kept from an earlier run (--folder)
    took: dict[str, dict[str, float]] = {store.backend: {"boundaries": 0.0} for store in todo}
    if not todo:
        return took
    boundaries, facilities, figures = copies(folder, n)
    for path in boundaries:
        for store in todo:
            took[store.backend]["boundaries"] += geojkn(store, "import-boundaries", str(path), cwd=folder)
            print(f"  {store.backend} {n}: {path.name} imported ({took[store.backend]['boundaries']:.0f} s so far)",
                  flush=True)
    for store in todo:
        took[store.backend]["facilities"] = geojkn(store, "import-facilities", str(facilities), cwd=folder)
        took[store.backend]["figures"] = geojkn(store, "import-figures", str(figures), "--period", "2024-01",
                                                cwd=folder)
    return took


def resident_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return float("nan")


def served(store: Store, province: str, repeat: int, folder: Path) -> dict[str, list[float]]:
    """Each page first (cold) and again (warm) from `repeat` fresh server processes; their memory at the end."""
    pages = (("front page", "/"), ("kabupaten dashboard", "/r/33.20"),
             ("province desa map", f"/r/{province}/map?level=desa"))
    out: dict[str, list[float]] = {}
    for _ in range(repeat):
        store.forget()
        with start(store.location, "serve", folder, settings={"GEOJKN_PREPARE_AHEAD": "0"}) as base:
            for name, path in pages:
                status, first = get(base + path, 600)
                if status != 200:
                    raise SystemExit(f"{store.backend}: {path} answered {status}")
                out.setdefault(f"{name} cold (s)", []).append(first)
                out.setdefault(f"{name} warm (s)", []).append(statistics.median(get(base + path)[1] for _ in range(5)))
            pid = int(subprocess.run(["pgrep", "-f", "--", f"serve --port {base.rsplit(':', 1)[1]}"],
                                     capture_output=True, text=True).stdout.split()[0])
            out.setdefault("server memory (MB)", []).append(resident_mb(pid))
    out["summary 33.20 command (s)"] = [geojkn(store, "summary", "33.20", "--json", cwd=folder) for _ in range(repeat)]
    return out


def shared(store: Store, clients: int, seconds: float, folder: Path) -> dict[str, list[float]]:
    """Office clients against two server processes sharing the store, preparing nothing ahead meanwhile (fresh
    servers of a nation would spend minutes preparing every province's pages: this measures the office's answers)."""
    quiet = {"GEOJKN_PREPARE_AHEAD": "0"}
    with start(store.location, "serve", folder, settings=quiet) as one, \
            start(store.location, "serve", folder, settings=quiet) as two:
        run = load([one, two], seconds, clients, OFFICE)
    dashboards = run.times(dashboards=True)
    if run.errors:
        print(f"  {store.backend} {store.n}: answers other than 200: {dict(run.errors)}")
    return {"2 servers: requests per second (/s)": [len(run.office) / run.seconds],
            "2 servers: dashboard p50 (ms)": [run.quantile(dashboards, 0.5) * 1000],
            "2 servers: dashboard p95 (ms)": [run.quantile(dashboards, 0.95) * 1000],
            "2 servers: answers not 200 (n)": [float(sum(run.errors.values()))]}


def figure(values: list[float], unit: str) -> str:
    digits = {"s": 3, "MB": 0, "ms": 0, "/s": 0, "n": 0}[unit]
    return spread(values, 1.0, digits) if len(values) > 1 else f"{values[0]:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="gpkg,postgis")
    parser.add_argument("--postgres", help="a PostgreSQL server whose user may create databases")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--folder", type=Path, help="build the stores here, or use the ones built here before")
    args = parser.parse_args()
    if not JATENG.exists():
        sys.exit(f"skipped: {JATENG} not found (the ../shared data folder)")
    backends = args.backends.split(",")
    print(f"load {os.getloadavg()[0]:.2f} before; {os.cpu_count()} cores; {args.copies} copies; medians of "
          f"{args.repeat} fresh servers (range in brackets)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        stores: list[Store] = []
        if "gpkg" in backends:
            stores += [gpkg_store(folder, n) for n in (1, args.copies)]
        if "postgis" in backends:
            server = args.postgres
            if not server:
                from postgres import start_cluster

                server = start_cluster(durable=True)
            stores += [postgis_store(server, n, fresh=args.folder is None) for n in (1, args.copies)]
        results: dict[tuple[str, int], dict[str, list[float]]] = {}
        for n in (1, args.copies):
            began = time.perf_counter()
            group = [store for store in stores if store.n == n]
            took = build(group, folder, n)
            for store in group:
                results[(store.backend, n)] = {f"import {k} (s)": [v] for k, v in took.get(store.backend, {}).items()}
                results[(store.backend, n)]["store size (MB)"] = [store.size_mb()]
            print(f"{n} province(s): built in {time.perf_counter() - began:.0f} s", flush=True)
            save(folder, results)
        for store in stores:
            far = province_code(store.n - 1)
            results[(store.backend, store.n)].update(served(store, far, args.repeat, folder))
            results[(store.backend, store.n)].update(shared(store, args.clients, args.seconds, folder))
            print(f"{store.backend} {store.n}: served", flush=True)
            save(folder, results)
    report(results, backends, args.copies)
    print(f"load {os.getloadavg()[0]:.2f} after")


def save(folder: Path, results: dict[tuple[str, int], dict[str, list[float]]]) -> None:
    """The figures so far, in results.json of the folder (a run stopped late keeps what it measured)."""
    (folder / "results.json").write_text(json.dumps({f"{b} {n}": r for (b, n), r in results.items()}, indent=1))


def report(results: dict[tuple[str, int], dict[str, list[float]]], backends: list[str], n: int) -> None:
    keys = list(dict.fromkeys(k for r in results.values() for k in r))
    head = "".join(f"{f'{b} nation':>22}{f'{b} JT':>22}" for b in backends)
    print(f"\n{'':<40}{head}{'nation/JT':>12}" + (f"{'postgis/gpkg':>14}" if len(backends) == 2 else ""))
    for key in keys:
        unit = key.rsplit("(", 1)[1].rstrip(")")
        cells, medians = "", {}
        for b in backends:
            for size in (n, 1):
                values = results.get((b, size), {}).get(key)
                cells += f"{figure(values, unit) if values else '-':>22}"
                if values:
                    medians[(b, size)] = statistics.median(values)
        ratio = " / ".join(f"{medians[(b, n)] / medians[(b, 1)]:.2f}" for b in backends
                           if (b, n) in medians and (b, 1) in medians and medians[(b, 1)])
        versus = ""
        if len(backends) == 2 and (backends[1], n) in medians and medians.get((backends[0], n)):
            versus = f"{medians[(backends[1], n)] / medians[(backends[0], n)]:.2f}"
        print(f"{key:<40}{cells}{ratio:>12}{versus:>14}")
    print("nation/JT per backend (gpkg / postgis); a kabupaten view must not grow with the store: its ratios should "
          "stay near 1")


if __name__ == "__main__":
    main()
