"""Tiny hand-made map data for the maps tests: a 3x3 grid of desa in 2 kecamatan, a far island, a gap."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import MultiPolygon, Point, Polygon, box

from geojkn.maps.encoding import decode_topology, read_varints, unzigzag

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BOUNDARIES = SHARED_DATA / "boundaries" / "jepara_demak_cahyadsn_2025.gpkg"
FACILITIES = SHARED_DATA / "facilities" / "faskes_bppsdmk2019_jepara_demak.geojson"

PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "${alert(1)}",
    "back`tick",
    "back\\slash",
)
SIDE = 0.02  # degrees, about 2.2 km
ISLAND_NAME = "Pulau Jauh"
NO_DATA_CODE = "33.20.02.2009"
# Coverage per grid cell (row-major), chosen to hit each policy band and both sides of its edges.
COVERAGES = (0.70, 0.80, 0.85, 0.90, 0.949, 0.95, 0.99, 1.05, math.nan)


def _with_metrics(frame: gpd.GeoDataFrame, target: float = 0.95) -> gpd.GeoDataFrame:
    out = frame.copy()
    out["coverage"] = out["registered"] / out["population"]
    out["active_coverage"] = out["active"] / out["population"]
    out["activity_rate"] = out["active"] / out["registered"]
    gap = np.ceil(target * out["population"] - 1e-9) - out["registered"]
    out["gap"] = gap.clip(lower=0)
    out["to_reactivate"] = out["registered"] - out["active"]
    return out


def grid_units(names: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """Nine desa in a 3x3 grid (kecamatan 33.20.01 = left two columns, 33.20.02 = right column),
    the last one without figures, plus one desa on an island ~80 km north (kecamatan 33.20.10)."""
    rows = []
    for pos, cov in enumerate(COVERAGES):
        r, c = divmod(pos, 3)
        kec = "33.20.01" if c < 2 else "33.20.02"
        pop = 1000.0 + 100 * pos
        reg = math.nan if math.isnan(cov) else round(pop * cov)
        rows.append({"code": f"{kec}.200{pos}" if pos < 9 else NO_DATA_CODE,
                     "name": names[pos % len(names)] if names else f"Desa {pos}",
                     "kecamatan_name": "Kedung" if c < 2 else "Pecangaan", "parent_code": kec,
                     "population": pop if not math.isnan(cov) else math.nan, "registered": reg,
                     "active": reg * 0.8 if not math.isnan(reg) else math.nan,
                     "geometry": box(110.6 + c * SIDE, -6.7 + r * SIDE, 110.6 + (c + 1) * SIDE,
                                     -6.7 + (r + 1) * SIDE)})
    rows[-1]["code"] = NO_DATA_CODE
    rows.append({"code": "33.20.10.2001", "name": ISLAND_NAME, "kecamatan_name": "Karimunjawa",
                 "parent_code": "33.20.10", "population": 2000.0, "registered": 1500.0, "active": 1000.0,
                 "geometry": box(110.45, -5.85, 110.47, -5.83)})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["level"] = "desa"
    return _with_metrics(frame)


def grid_outline(units: gpd.GeoDataFrame, names: dict[str, str] | None = None) -> gpd.GeoDataFrame:
    """The kecamatan of the grid units, dissolved from them."""
    kec = units.dissolve(by="parent_code", as_index=False)[["parent_code", "kecamatan_name", "geometry"]]
    kec = kec.rename(columns={"parent_code": "code", "kecamatan_name": "name"})
    if names:
        kec["name"] = kec["code"].map(names).fillna(kec["name"])
    return kec


def grid_facilities(names: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """Five facilities inside the grid: two puskesmas, a klinik, a hospital and an optik."""
    kinds = ("puskesmas", "puskesmas", "klinik", "rumah_sakit", "optik")
    points = [Point(110.605 + 0.012 * i, -6.695 + 0.011 * i) for i in range(len(kinds))]
    labels = [names[i % len(names)] if names else f"Faskes {i}" for i in range(len(kinds))]
    return gpd.GeoDataFrame({"name": labels, "type": list(kinds)}, geometry=points, crs="EPSG:4326")


def real_units() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Jepara+Demak desa with synthetic figures (seeded), and their kecamatan outline."""
    desa = gpd.read_file(BOUNDARIES, layer="desa_kelurahan")
    kec = gpd.read_file(BOUNDARIES, layer="kecamatan")
    names = dict(zip(kec["kode"], kec["nama"], strict=True))
    rng = np.random.default_rng(2022)
    units = gpd.GeoDataFrame({
        "code": desa["kode"], "name": desa["nama"], "level": "desa", "parent_code": desa["kode"].str[:8],
        "kecamatan_name": desa["kode"].str[:8].map(names)}, geometry=desa.geometry, crs=desa.crs)
    units["population"] = rng.integers(1500, 12000, len(units)).astype(float)
    units["registered"] = np.round(units["population"] * rng.uniform(0.6, 1.02, len(units)))
    units["active"] = np.round(units["registered"] * rng.uniform(0.55, 0.95, len(units)))
    units.loc[[7, 300], ["population", "registered", "active"]] = np.nan
    outline = gpd.GeoDataFrame({"code": kec["kode"], "name": kec["nama"]}, geometry=kec.geometry,
                               crs=kec.crs)
    return _with_metrics(units), outline


def real_facilities() -> gpd.GeoDataFrame:
    """The Kemenkes 2019 Jepara/Demak facilities as name/type points."""
    raw = gpd.read_file(FACILITIES)
    kinds = raw["jenis_faskes"].map({"PUSKESMAS": "puskesmas", "RUMAH SAKIT": "rumah_sakit"})
    return gpd.GeoDataFrame({"name": raw["nama_faskes"], "type": kinds}, geometry=raw.geometry,
                            crs=raw.crs)


def page_data(page: str) -> dict:
    """The data of the (first) map in a rendered page: its <script type="application/json"> block."""
    found = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', page, re.S)
    assert found, "the page holds no map data"
    return json.loads(found.group(1))


def numbers(data: dict, column: str) -> list[float | None]:
    """A number column of the page data as the page reads it (None where missing)."""
    scale = 10 ** data["num"][column]["d"]
    return [None if v == 0 else unzigzag(v - 1) / scale for v in read_varints(data["num"][column]["v"])]


def unit_codes(data: dict) -> list[str]:
    """Every unit's code, put together from its parent and its own part as the page does."""
    spec = data["codes"]
    parents = read_varints(spec["pi"])
    own = [str(v).zfill(spec["w"]) for v in read_varints(spec["s"])] if spec["w"] else spec["s"]
    return [f"{spec['p'][p]}.{o}" if spec["p"][p] else o for p, o in zip(parents, own, strict=True)]


def unit_classes(data: dict) -> list[tuple[int, bool, bool]]:
    """(class, partial, below the target) of every unit; class -1 is no data."""
    return [((v & 15) - 1, bool(v & 16), bool(v & 32)) for v in read_varints(data["cls"])]


def unit_shapes(data: dict) -> list:
    """Every unit's shape (shapely) as the page draws it."""
    out = []
    for unit in decode_topology(data["topo"], data["n"]):
        polygons = [Polygon(rings[0], rings[1:]) for rings in unit if len(rings[0]) >= 3]
        out.append(MultiPolygon(polygons) if len(polygons) != 1 else polygons[0])
    return out
