"""Benchmark: standalone export of Jepara+Demak (444 desa) against GeoDataFrame.explore() on the same data.

Run from the repository root: python benchmarks/bench_export.py [--repeat 5]
Prints the median build time (build + write) and output size of both, and their ratios.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geojkn.maps import build_map, export_html  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
BOUNDARIES = DATA / "boundaries" / "jepara_demak_cahyadsn_2025.gpkg"
FACILITIES = DATA / "facilities" / "faskes_bppsdmk2019_jepara_demak.geojson"


def load() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Desa with synthetic (seeded) figures, the kecamatan outline and the facilities."""
    desa = gpd.read_file(BOUNDARIES, layer="desa_kelurahan")
    kec = gpd.read_file(BOUNDARIES, layer="kecamatan")
    names = dict(zip(kec["kode"], kec["nama"], strict=True))
    rng = np.random.default_rng(2022)
    units = gpd.GeoDataFrame({"code": desa["kode"], "name": desa["nama"], "level": "desa",
                              "parent_code": desa["kode"].str[:8],
                              "kecamatan_name": desa["kode"].str[:8].map(names)},
                             geometry=desa.geometry, crs=desa.crs)
    units["population"] = rng.integers(1500, 12000, len(units)).astype(float)
    units["registered"] = np.round(units["population"] * rng.uniform(0.6, 1.02, len(units)))
    units["active"] = np.round(units["registered"] * rng.uniform(0.55, 0.95, len(units)))
    units["coverage"] = units["registered"] / units["population"]
    units["active_coverage"] = units["active"] / units["population"]
    units["activity_rate"] = units["active"] / units["registered"]
    units["gap"] = (np.ceil(0.95 * units["population"]) - units["registered"]).clip(lower=0)
    units["to_reactivate"] = units["registered"] - units["active"]
    outline = gpd.GeoDataFrame({"code": kec["kode"], "name": kec["nama"]}, geometry=kec.geometry,
                               crs=kec.crs)
    raw = gpd.read_file(FACILITIES)
    kinds = raw["jenis_faskes"].map({"PUSKESMAS": "puskesmas", "RUMAH SAKIT": "rumah_sakit"})
    facilities = gpd.GeoDataFrame({"name": raw["nama_faskes"], "type": kinds}, geometry=raw.geometry,
                                  crs=raw.crs)
    return units, outline, facilities


def ours(units, outline, facilities, path: Path) -> None:
    """geojkn: build the map and write the standalone export."""
    fmap = build_map(units, "coverage", outline=outline, facilities=facilities,
                     title="Kabupaten Jepara dan Demak", source="synthetic", period="2022-01")
    path.write_text(export_html(fmap), encoding="utf-8")


def explore(units, outline, facilities, path: Path) -> None:
    """The peer: GeoDataFrame.explore() on the same layers, saved with .save()."""
    fmap = units.explore(column="coverage", scheme="Quantiles", k=5, cmap="YlOrRd_r",
                         tooltip=["name", "kecamatan_name", "coverage", "registered", "population",
                                  "active", "gap"], tiles=None, name="desa")
    outline.explore(m=fmap, style_kwds={"fill": False, "color": "#111"}, tooltip=["name"], name="kec")
    facilities.explore(m=fmap, column="type", marker_type="circle_marker",
                       marker_kwds={"radius": 5}, tooltip=["name", "type"], name="faskes")
    fmap.save(str(path))


def measure(func, data, path: Path, repeat: int) -> tuple[float, int]:
    """Median seconds and the output size in bytes over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(*data, path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), path.stat().st_size


def main() -> None:
    """Run both, print the medians and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not BOUNDARIES.exists():
        sys.exit(f"shared data not found at {DATA}")
    data = load()
    with tempfile.TemporaryDirectory() as tmp:
        geojkn_time, geojkn_size = measure(ours, data, Path(tmp) / "geojkn.html", args.repeat)
        peer_time, peer_size = measure(explore, data, Path(tmp) / "explore.html", args.repeat)
    print(f"units: {len(data[0])} desa, {len(data[2])} facilities, {args.repeat} runs each (median)")
    print(f"geojkn export_html : {geojkn_time:7.3f} s  {geojkn_size / 1e6:6.2f} MB  (standalone, offline)")
    print(f"gdf.explore().save : {peer_time:7.3f} s  {peer_size / 1e6:6.2f} MB  (loads JS/CSS from CDNs)")
    print(f"ratio geojkn/explore: time {geojkn_time / peer_time:.2f}x, size {geojkn_size / peer_size:.2f}x")


if __name__ == "__main__":
    main()
