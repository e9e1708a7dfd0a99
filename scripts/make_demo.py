#!/usr/bin/env python
"""Generate the fictional demo regency in shapes/: boundaries, two periods of figures, facilities, demo store."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import shutil
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping

ROOT = Path(__file__).resolve().parents[1]
SEED = 20240630
REGENCY_CODE, REGENCY_NAME = "99.01", "Kabupaten Sukamaju"  # province 99 does not exist: fictional
SEAT_KECAMATAN = "Sukamaju"  # the seat kecamatan shares the regency's name, as many real ones do
ISLAND_KECAMATAN = "Kepulauan Watuarum"
# Open Banda Sea, far from any real regency, inside Indonesia's bounds.
LON0, LAT0 = 127.62, -6.10
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON = 111.320 * math.cos(math.radians(LAT0))
MAINLAND_KECAMATAN = 14
ISLAND_LABEL = MAINLAND_KECAMATAN  # k-means labels the mainland 0..13; the island takes the next label
SPACING_KM = 2.35  # typical distance between desa seeds away from towns; tuned for ~200 desa
KELURAHAN = 6
PERIODS = {"2024-06": "Juni 2024", "2024-12": "Desember 2024"}
MISSING = {"2024-06": 5, "2024-12": 3}
TARGET_REGISTERED = {"2024-06": 0.868, "2024-12": 0.884}
TARGET_ACTIVE = {"2024-06": 0.648, "2024-12": 0.661}
SEGMENT_SHARES = {"desa": (0.44, 0.15, 0.22, 0.15, 0.04), "kelurahan": (0.27, 0.10, 0.41, 0.17, 0.05)}
HEADER = ("Kode Desa", "Nama Desa", "Kecamatan", "Jumlah Penduduk", "Peserta Terdaftar", "Peserta Aktif",
          "PBI JK", "PBPU Pemda", "PPU", "PBPU", "BP")
FILES = ("demo_wilayah.geojson", "demo_kepesertaan_2024-06.csv", "demo_kepesertaan_2024-12.csv",
         "demo_faskes.csv")

PREFIXES = ("Sido", "Karang", "Tegal", "Sumber", "Kali", "Banyu", "Wono", "Jati", "Tanjung", "Kedung",
            "Suko", "Tirto", "Purwo", "Margo", "Giri", "Pandan", "Sendang", "Gunung", "Tambak", "Watu")
SUFFIXES = ("rejo", "harjo", "sari", "mulyo", "jati", "agung", "makmur", "asri", "joyo", "arum",
            "wangi", "anyar", "kerto", "luhur", "sono", "utomo", "rahayu", "dadi", "kulon", "kidul")
DIRECTIONS = ("Lor", "Kidul", "Wetan", "Kulon")
REPEATS = (("Sidorejo", 3), ("Karangsari", 2), ("Tegalrejo", 2))  # real regencies repeat desa names
# Combinations that are also the names of real regencies or towns: a planner would take them for real places.
REAL_PLACES = {"Karanganyar", "Sukoharjo", "Banyuwangi", "Gunungkidul", "Purworejo", "Purwodadi", "Wonosari"}


def rng_for(step: str) -> np.random.Generator:
    """An independent generator per step, so changing one step leaves the others' numbers alone."""
    return np.random.default_rng([SEED, zlib.crc32(step.encode())])


# ---------------------------------------------------------------- shapes (local frame in km, origin LON0/LAT0)

def noisy_ring(rng: np.random.Generator, centre: tuple[float, float], radii: tuple[float, float],
               wobble: float, rough: float, steps: int = 4) -> Polygon:
    """A coastline-like polygon: an ellipse bent by low harmonics, then roughened by midpoint displacement."""
    theta = np.linspace(0, 2 * np.pi, 36, endpoint=False)
    bend = 1 + sum(rng.normal(0, wobble / k) * np.cos(k * theta + rng.uniform(0, 2 * np.pi)) for k in range(2, 9))
    pts = np.c_[centre[0] + radii[0] * bend * np.cos(theta), centre[1] + radii[1] * bend * np.sin(theta)]
    for _ in range(steps):
        seg = np.roll(pts, -1, axis=0) - pts
        normal = np.c_[-seg[:, 1], seg[:, 0]]
        mid = pts + seg / 2 + normal * rng.normal(0, rough, (len(pts), 1))
        pts = np.stack([pts, mid], axis=1).reshape(-1, 2)
    fixed = shapely.make_valid(Polygon(pts))
    return max(shapely.get_parts(fixed), key=lambda p: p.area)  # a loop of the noise may pinch off: drop it


def mainland(rng: np.random.Generator) -> Polygon:
    """The mainland: roughly 45 x 35 km."""
    return noisy_ring(rng, (0.0, 0.0), (21.0, 16.5), wobble=0.34, rough=0.2)


def island_group(rng: np.random.Generator) -> shapely.MultiPolygon:
    """An offshore island 20-25 km off the south-east coast, with two islets."""
    main = noisy_ring(rng, (36.0, -30.0), (4.2, 2.2), wobble=0.15, rough=0.15, steps=3)
    islets = [noisy_ring(rng, c, r, wobble=0.1, rough=0.12, steps=3)
              for c, r in (((41.8, -27.6), (0.9, 0.6)), ((30.6, -32.6), (0.6, 0.45)))]
    return shapely.MultiPolygon([main, *islets])


def inland_point(land: Polygon, angle_deg: float, depth_km: float) -> np.ndarray:
    """The point on the ray from the origin at `angle_deg` lying `depth_km` inside the coast."""
    direction = np.array([math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))])
    best = np.zeros(2)
    for t in np.arange(0.0, 40.0, 0.1):
        p = Point(*(direction * t))
        if land.contains(p) and land.exterior.distance(p) >= depth_km:
            best = direction * t
    return best


def town_sites(land: Polygon) -> np.ndarray:
    """The regency seat (near the north coast) and three market towns; desa are smaller near towns."""
    return np.array([inland_point(land, a, d) for a, d in ((78, 2.0), (200, 6.0), (318, 5.0), (20, 9.0))])


def seed_points(rng: np.random.Generator, land: shapely.Geometry, towns: np.ndarray, spacing: float) -> np.ndarray:
    """Desa seeds by dart throwing: a minimum spacing that shrinks near towns, so town desa are small."""
    x0, y0, x1, y1 = land.bounds
    cand = rng.uniform((x0, y0), (x1, y1), (30000, 2))
    cand = cand[shapely.contains_xy(land, cand[:, 0], cand[:, 1])]
    town_dist = np.min(np.linalg.norm(cand[:, None, :] - towns[None, :, :], axis=2), axis=1)
    radius = spacing * (0.45 + 0.55 * (1 - np.exp(-town_dist / 5.0)))
    kept: list[int] = []
    for i in range(len(cand)):
        if not kept or np.min(np.linalg.norm(cand[kept] - cand[i], axis=1)) >= radius[i]:
            kept.append(i)
    return cand[kept]


def voronoi_cells(seeds: np.ndarray, land: shapely.Geometry) -> list[shapely.Geometry]:
    """The Voronoi cell of every seed clipped to the land, in seed order."""
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=land.envelope.buffer(5.0))
    cells = list(shapely.get_parts(diagram))
    tree = shapely.STRtree(cells)
    order = [tree.query(Point(*s), predicate="intersects")[0] for s in seeds]  # works on every GEOS version
    return [shapely.intersection(cells[i], land) for i in order]


def shared_length(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Length of the border two cells share (0 when they only touch at a point or not at all)."""
    return shapely.intersection(a.boundary, b.boundary).length if a.intersects(b) else 0.0


def merge_fragments(cells: list[shapely.Geometry], seeds: np.ndarray) -> list[shapely.Geometry]:
    """Give cell pieces cut off by a bay to the neighbour they border; pieces that border nothing stay (islets)."""
    cells = list(cells)
    tree = shapely.STRtree(cells)
    for i, cell in enumerate(cells):
        parts = list(shapely.get_parts(cell))
        if len(parts) == 1:
            continue
        own = [p for p in parts if p.distance(Point(*seeds[i])) < 1e-9]
        for part in (p for p in parts if p.distance(Point(*seeds[i])) >= 1e-9):
            near = [j for j in tree.query(part) if j != i]
            border = {j: shared_length(part, cells[j]) for j in near}
            best = max(border, key=border.get, default=None)
            if best is not None and border[best] > 1e-6:
                cells[best] = shapely.union(cells[best], part)
            else:
                own.append(part)
        cells[i] = shapely.union_all(own)
    return cells


def adjacency(cells: list[shapely.Geometry]) -> dict[int, dict[int, float]]:
    """For every cell, the neighbours it shares a border with and that border's length."""
    tree = shapely.STRtree(cells)
    graph: dict[int, dict[int, float]] = {i: {} for i in range(len(cells))}
    for i, cell in enumerate(cells):
        for j in tree.query(cell):
            if j > i and (length := shared_length(cell, cells[j])) > 1e-6:
                graph[i][int(j)] = graph[int(j)][i] = length
    return graph


def kmeans(rng: np.random.Generator, points: np.ndarray, k: int, rounds: int = 40) -> np.ndarray:
    """Plain k-means (k-means++ start) on the seeds: neighbouring desa form one kecamatan."""
    centres = [points[rng.integers(len(points))]]
    while len(centres) < k:
        d2 = np.min(np.linalg.norm(points[:, None] - np.array(centres)[None], axis=2) ** 2, axis=1)
        centres.append(points[rng.choice(len(points), p=d2 / d2.sum())])
    centres_arr = np.array(centres)
    for _ in range(rounds):
        labels = np.argmin(np.linalg.norm(points[:, None] - centres_arr[None], axis=2), axis=1)
        centres_arr = np.array([points[labels == c].mean(axis=0) for c in range(k)])
    return labels


def components(members: list[int], graph: dict[int, dict[int, float]]) -> list[list[int]]:
    """Connected groups of `members` in the adjacency graph, largest first."""
    left, groups = set(members), []
    while left:
        stack, group = [min(left)], []
        left.discard(stack[0])
        while stack:
            node = stack.pop()
            group.append(node)
            for nb in graph[node]:
                if nb in left:
                    left.discard(nb)
                    stack.append(nb)
        groups.append(sorted(group))
    return sorted(groups, key=len, reverse=True)


def make_contiguous(labels: np.ndarray, graph: dict[int, dict[int, float]]) -> np.ndarray:
    """Move desa cut off from the rest of their kecamatan to the neighbouring kecamatan they border most."""
    labels = labels.copy()
    for _ in range(20):
        moved = False
        for k in np.unique(labels):
            for group in components([int(i) for i in np.flatnonzero(labels == k)], graph)[1:]:
                for i in group:
                    outside = {labels[j]: w for j, w in graph[i].items() if labels[j] != k}
                    if outside:
                        labels[i], moved = max(outside, key=outside.get), True
        if not moved:
            return labels
    raise RuntimeError("kecamatan could not be made contiguous")


def add_lakes(rng: np.random.Generator, cells: list[shapely.Geometry], seeds: np.ndarray,
              land: Polygon, avoid: np.ndarray) -> list[shapely.Geometry]:
    """Cut a lake out of two inland desa far from the seat, leaving a hole in each."""
    cells = list(cells)
    depth = np.array([land.exterior.distance(Point(*s)) for s in seeds])
    away = np.linalg.norm(seeds - avoid, axis=1)
    picked: list[int] = []
    for i in np.argsort(-(depth + 0.3 * away)):
        if len(picked) == 2:
            break
        if all(np.linalg.norm(seeds[i] - seeds[j]) > 10 for j in picked):
            picked.append(int(i))
    for i in picked:
        nearest = np.sort(np.linalg.norm(seeds - seeds[i], axis=1))[1]
        for radius in min(0.8, 0.3 * nearest) * np.array([1.0, 0.8, 0.6, 0.45]):
            lake = noisy_ring(rng, tuple(seeds[i]), (radius * 1.3, radius * 0.8), wobble=0.1, rough=0.1, steps=3)
            if lake.within(cells[i]) and lake.exterior.distance(cells[i].boundary) > 0.1:
                cells[i] = cells[i].difference(lake)
                break
    return cells


def warp_field(rng: np.random.Generator) -> list[tuple[float, np.ndarray, float, int]]:
    """Sine waves (amplitude km, wave vector, phase, axis) that bend straight Voronoi edges into border-like lines."""
    waves = []
    for amp, wavelength in ((0.30, 7.0), (0.12, 2.8), (0.05, 1.2), (0.018, 0.45)):
        for axis in (0, 1):
            angle = rng.uniform(0, 2 * np.pi)
            vec = 2 * np.pi / wavelength * np.array([math.cos(angle), math.sin(angle)])
            waves.append((amp, vec, rng.uniform(0, 2 * np.pi), axis))
    return waves


def to_lonlat(geom: shapely.Geometry, waves: list) -> shapely.Geometry:
    """Warp a km-frame geometry (the same smooth warp everywhere, so shared borders stay shared) to lon/lat."""
    def move(xy: np.ndarray) -> np.ndarray:
        out = xy.copy()
        for amp, vec, phase, axis in waves:
            out[:, axis] += amp * np.sin(xy @ vec + phase)
        return np.c_[LON0 + out[:, 0] / KM_PER_DEG_LON, LAT0 + out[:, 1] / KM_PER_DEG_LAT]
    bent = shapely.transform(shapely.segmentize(geom, 0.3), move)
    return shapely.normalize(shapely.orient_polygons(shapely.set_precision(bent, 1e-5)))


def build_cells() -> tuple[list[shapely.Geometry], np.ndarray, np.ndarray, np.ndarray]:
    """Desa cells in the km frame, their seeds, kecamatan labels (island last) and the town sites."""
    land = mainland(rng_for("mainland"))
    towns = town_sites(land)
    seeds = seed_points(rng_for("seeds"), land, towns, SPACING_KM)
    cells = merge_fragments(voronoi_cells(seeds, land), seeds)
    cells = add_lakes(rng_for("lakes"), cells, seeds, land, towns[0])
    labels = make_contiguous(kmeans(rng_for("kmeans"), seeds, MAINLAND_KECAMATAN), adjacency(cells))
    islands = island_group(rng_for("island"))
    isle_seeds = np.array([[33.6, -30.4], [36.4, -29.4], [39.2, -29.9]])
    isle_cells = merge_fragments(voronoi_cells(isle_seeds, islands), isle_seeds)
    labels = np.r_[labels, np.full(len(isle_seeds), ISLAND_LABEL)]
    return cells + isle_cells, np.r_[seeds, isle_seeds], labels, towns


# ---------------------------------------------------------------- codes and names

def name_pool(rng: np.random.Generator) -> list[str]:
    """Shuffled unique Javanese-sounding names made of a prefix and a suffix, some with a direction."""
    names = [p + s for p in PREFIXES for s in SUFFIXES if p.lower() != s and p + s not in REAL_PLACES]
    names = [names[i] for i in rng.permutation(len(names))]
    repeated = {n for n, _ in REPEATS}
    out = []
    for n in names:
        if n in repeated:
            continue
        plain = n.endswith(("kulon", "kidul"))  # no "Margokulon Kulon"
        out.append(f"{n} {DIRECTIONS[rng.integers(4)]}" if rng.random() < 0.07 and not plain else n)
    return list(dict.fromkeys(out))


def number_kecamatan(seeds: np.ndarray, labels: np.ndarray) -> dict[int, str]:
    """Kecamatan numbers 01.. from north-west to south-east, the island last."""
    centres = {k: seeds[labels == k].mean(axis=0) for k in np.unique(labels)}
    order = sorted(centres, key=lambda k: (k == ISLAND_LABEL, -round(centres[k][1] / 9), centres[k][0]))
    return {k: f"{REGENCY_CODE}.{n:02d}" for n, k in enumerate(order, start=1)}


def desa_table(seeds: np.ndarray, labels: np.ndarray, towns: np.ndarray) -> pd.DataFrame:
    """One row per desa: code, kecamatan code, kelurahan flag and seed; codes follow Kemendagri's pattern."""
    kec = number_kecamatan(seeds, labels)
    df = pd.DataFrame({"x": seeds[:, 0], "y": seeds[:, 1], "kec": [kec[k] for k in labels],
                       "island": labels == ISLAND_LABEL})
    seat_kec = df.loc[np.argmin(np.linalg.norm(seeds - towns[0], axis=1)), "kec"]
    town_dist = np.linalg.norm(seeds - towns[0], axis=1)
    urban = np.argsort(np.where(df["kec"] == seat_kec, town_dist, np.inf))[:KELURAHAN]
    df["kelurahan"] = df.index.isin(urban)
    df["town_dist"] = np.min(np.linalg.norm(seeds[:, None] - towns[None], axis=2), axis=1)
    df = df.sort_values(["kec", "kelurahan", "y", "x"], ascending=[True, False, False, True])
    serial = df.groupby(["kec", "kelurahan"]).cumcount() + 1
    df["code"] = df["kec"] + "." + (np.where(df["kelurahan"], 1000, 2000) + serial).astype(str)
    return df.sort_values("code")


def name_desa(rng: np.random.Generator, df: pd.DataFrame, pool: list[str]) -> pd.DataFrame:
    """Give every desa a name; a few names repeat in different kecamatan, never inside one."""
    df = df.copy()
    df["name"] = pool[: len(df)]
    df.loc[df["kelurahan"].idxmax(), "name"] = "Kauman"  # a Javanese town's mosque quarter
    taken: set[str] = set()
    for name, times in REPEATS:
        kecs = [k for k in rng.permutation(df["kec"].unique()) if k not in taken][:times]
        taken.update(kecs)
        for k in kecs:
            rows = df.index[(df["kec"] == k) & ~df["kelurahan"]]
            df.loc[rows[rng.integers(len(rows))], "name"] = name
    return df


def kecamatan_table(rng: np.random.Generator, df: pd.DataFrame, towns: np.ndarray, pool: list[str]) -> pd.DataFrame:
    """One row per kecamatan: its seat desa and its name (often the seat's name, as in real regencies)."""
    rows, spare = [], iter(pool[len(df):])
    for kec, group in df.groupby("kec"):
        pts = group[["x", "y"]].to_numpy()
        nearest_town = towns[np.argmin(np.linalg.norm(towns - pts.mean(axis=0), axis=1))]
        anchor = nearest_town if np.min(np.linalg.norm(pts - nearest_town, axis=1)) < 3 else pts.mean(axis=0)
        seat = group.index[np.argmin(np.linalg.norm(pts - anchor, axis=1))]
        if group["kelurahan"].any():
            name = SEAT_KECAMATAN
        elif group["island"].all():
            name = ISLAND_KECAMATAN
        else:
            name = df.at[seat, "name"] if rng.random() < 0.55 else next(spare)
        rows.append({"code": kec, "name": name, "seat": seat})
    return pd.DataFrame(rows).set_index("code")


# ---------------------------------------------------------------- enrollment figures

def kecamatan_effects(rng: np.random.Generator, df: pd.DataFrame) -> pd.DataFrame:
    """Per kecamatan base coverage and activity rate; the island and the two remotest kecamatan lag behind."""
    kec = df.groupby("kec").agg(island=("island", "all"), remote=("town_dist", "mean"))
    kec["coverage"] = rng.normal(0.94, 0.04, len(kec))
    kec["rate"] = rng.normal(0.77, 0.035, len(kec))
    lagging = kec[~kec["island"]].nlargest(2, "remote").index
    kec.loc[lagging, ["coverage", "rate"]] = [[0.67, 0.68], [0.73, 0.70]]
    kec.loc[kec["island"], ["coverage", "rate"]] = [0.60, 0.63]
    return kec


def close_gap(coverage: np.ndarray, population: np.ndarray, target: float, fixed: np.ndarray) -> np.ndarray:
    """Scale every desa's gap to 100 % by one factor so the regency total lands on `target`."""
    open_ = ~fixed
    gap = ((1 - coverage) * population)[open_].sum()
    needed = (1 - target) * population.sum() + ((coverage - 1) * population)[fixed].sum()
    out = coverage.copy()
    out[open_] = 1 - (1 - coverage[open_]) * needed / gap
    return out


def base_rates(rng: np.random.Generator, df: pd.DataFrame) -> pd.DataFrame:
    """Population, raw coverage and activity rate of every desa for the first period."""
    kec = kecamatan_effects(rng, df)
    n = len(df)
    pop = np.exp(rng.normal(np.log(4300), 0.42, n)) * (1 + 0.6 * np.exp(-df["town_dist"].to_numpy() / 3))
    pop = np.where(df["kelurahan"], rng.uniform(9000, 17500, n), np.clip(pop, 1500, 12000))
    cov = kec.loc[df["kec"], "coverage"].to_numpy() + rng.normal(0, 0.045, n) - 0.002 * df["town_dist"].to_numpy()
    rate = kec.loc[df["kec"], "rate"].to_numpy() + rng.normal(0, 0.04, n)
    over = np.zeros(n, bool)
    town = np.flatnonzero((df["town_dist"] < 3).to_numpy() & ~df["island"].to_numpy())
    over[rng.choice(town, 4, replace=False)] = True  # registered here, living elsewhere: happens in towns
    cov = np.where(over, rng.uniform(1.004, 1.045, n), np.clip(cov, 0.6, 0.985))
    return pd.DataFrame({"pop": pop.round(), "cov": cov, "rate": rate, "over": over}, index=df.index)


def period_counts(rng: np.random.Generator, df: pd.DataFrame, base: pd.DataFrame, period: str) -> pd.DataFrame:
    """Integer counts for one period: registered and active hit the regency targets, segments sum up."""
    pop, cov, rate, over = (base[c].to_numpy() for c in ("pop", "cov", "rate", "over"))
    cov = close_gap(cov, pop, TARGET_REGISTERED[period], over)
    registered = np.round(pop * cov).astype(int)
    rate = np.clip(rate * TARGET_ACTIVE[period] * pop.sum() / (registered * rate).sum(), 0.6, 0.9)
    out = pd.DataFrame({"population": pop.astype(int), "registered": registered,
                        "active": np.round(registered * rate).astype(int)}, index=df.index)
    for i, (reg, kel) in enumerate(zip(registered, df["kelurahan"], strict=True)):
        shares = rng.dirichlet(80 * np.array(SEGMENT_SHARES["kelurahan" if kel else "desa"]))
        out.loc[df.index[i], ["pbi_jk", "pbpu_pemda", "ppu", "pbpu", "bp"]] = rng.multinomial(reg, shares)
    return out.astype(int)


def next_period(rng: np.random.Generator, base: pd.DataFrame) -> pd.DataFrame:
    """Six months later: a few more residents, part of each desa's gap closed, activity slightly up."""
    nxt = base.copy()
    nxt["pop"] = (base["pop"] * (1 + rng.normal(0.005, 0.002, len(base)))).round()
    closed = (1 - base["cov"]) * rng.uniform(0.0, 0.25, len(base))
    nxt["cov"] = np.where(base["over"], base["cov"], base["cov"] + closed)
    nxt["rate"] = base["rate"] + rng.normal(0.012, 0.015, len(base))
    return nxt


def missing_desa(rng: np.random.Generator, df: pd.DataFrame) -> dict[str, list]:
    """Desa absent from each period's file (late reports); two are missing in both."""
    rural = rng.permutation(df.index[~df["kelurahan"]])
    first = list(rural[: MISSING["2024-06"]])
    return {"2024-06": first, "2024-12": first[:2] + list(rural[MISSING["2024-06"]:][: MISSING["2024-12"] - 2])}


def all_figures(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Counts for both periods, without the desa that each period's file leaves out."""
    rng = rng_for("figures")
    base = base_rates(rng, df)
    out = {}
    for period in PERIODS:
        counts = period_counts(rng, df, base, period)
        out[period] = counts.drop(index=missing_desa(rng_for("missing"), df)[period])
        base = next_period(rng, base)
    return out


# ---------------------------------------------------------------- facilities

def point_in(rng: np.random.Generator, geom: shapely.Geometry, spread: float = 0.004) -> tuple[float, float]:
    """A (lat, lon) near the desa's centre, rounded to 5 decimals and safely inside the desa."""
    inner = geom.buffer(-0.0006)  # ~65 m from the border, so rounding never moves it out
    centre = inner.representative_point() if not inner.is_empty else geom.representative_point()
    for _ in range(400):
        lon, lat = np.round(rng.normal((centre.x, centre.y), spread), 5)
        if inner.contains(Point(lon, lat)):
            return float(lat), float(lon)
    return round(centre.y, 5), round(centre.x, 5)


def puskesmas(df: pd.DataFrame, kec: pd.DataFrame) -> list[tuple[str, str, int]]:
    """One puskesmas per kecamatan at its seat, a second in the far part of the larger ones."""
    sizes = df.groupby("kec").size()
    rows = []
    for code, row in kec.iterrows():
        if sizes[code] < 15:
            rows.append((f"Puskesmas {row['name']}", "Puskesmas", row["seat"]))
            continue
        members = df[df["kec"] == code]
        seat_x, seat_y = df.at[row["seat"], "x"], df.at[row["seat"], "y"]
        far = members.index[np.argmax(np.hypot(members["x"] - seat_x, members["y"] - seat_y))]
        rows += [(f"Puskesmas {row['name']} I", "Puskesmas", row["seat"]),
                 (f"Puskesmas {row['name']} II", "Puskesmas", far)]
    return rows


def private_sites(rng: np.random.Generator, df: pd.DataFrame, kec: pd.DataFrame, n: int) -> list:
    """Desa for private practices: mostly kecamatan seats, otherwise desa close to a town."""
    seats = kec["seat"].to_numpy()
    weight = np.exp(-df["town_dist"].to_numpy() / 3)
    picks = []
    for _ in range(n):
        picks.append(rng.choice(seats) if rng.random() < 0.7 else rng.choice(df.index, p=weight / weight.sum()))
    return picks


def facility_rows(df: pd.DataFrame, kec: pd.DataFrame, geoms: dict, towns: np.ndarray) -> list[tuple]:
    """Every kind of facility geojkn knows, placed in desa: (nama, jenis, lat, lon)."""
    rng = rng_for("facilities")
    kel = df.index[df["kelurahan"]]
    market = [int(np.argmin(np.hypot(df["x"] - tx, df["y"] - ty))) for tx, ty in towns[1:3]]
    market = [df.index[i] for i in market]
    rows = puskesmas(df, kec)
    rows += [(f"RSUD {REGENCY_NAME}", "RSUD", kel[0]),
             (f"RSIA Bunda {df.at[kel[2], 'name']}", "RSIA", kel[2]),
             (f"RS Islam {kec.at[df.at[market[0], 'kec'], 'name']}", "Rumah Sakit", market[0]),
             (f"RS Pratama {kec.at[df.at[market[1], 'kec'], 'name']}", "Rumah Sakit", market[1])]
    words = ("Husada", "Medika", "Sehat", "Sejahtera", "Bakti", "Mitra", "Mulia", "Harapan")
    kinds = (("Klinik Pratama {w} {d}", "Klinik Pratama", 10), ("Dokter Keluarga {d}", "Dokter Praktik Perorangan", 9),
             ("Praktik Dokter Gigi {d}", "Dokter Gigi", 4), ("Laboratorium Klinik {w} {d}", "Laboratorium Klinik", 2),
             ("Optik {w} {d}", "Optik", 3), ("Apotek {w} {d}", "Apotek", 7))
    for pattern, jenis, count in kinds:
        for site in private_sites(rng, df, kec, count):
            rows.append((pattern.format(w=words[rng.integers(len(words))], d=df.at[site, "name"]), jenis, site))
    return [(name, jenis, *point_in(rng, geoms[site])) for name, jenis, site in _unique(rows)]


def _unique(rows: list) -> list:
    """Number facilities whose names would clash (two practices in one desa)."""
    seen: dict[str, int] = {}
    out = []
    for name, jenis, site in rows:
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name} {seen[name]}", jenis, site))
    return out


# ---------------------------------------------------------------- writers

def rounded(coords: object) -> object:
    """Coordinates rounded to 5 decimals (about 1 m), as nested lists."""
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], float):
        return [round(c, 5) for c in coords]
    return [rounded(c) for c in coords]


def write_geojson(path: Path, units: list[tuple[str, str, shapely.Geometry]]) -> None:
    """A FeatureCollection with one feature per line (readable, and diffs stay small)."""
    lines = []
    for code, name, geom in units:
        shape = mapping(geom)
        feature = {"type": "Feature", "properties": {"kode": code, "nama": name},
                   "geometry": {"type": shape["type"], "coordinates": rounded(shape["coordinates"])}}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    body = ",\n".join(lines)
    path.write_text(f'{{"type":"FeatureCollection","name":"demo_wilayah","features":[\n{body}\n]}}\n', encoding="utf-8")


def ribuan(n: int) -> str:
    """An integer the way Indonesian spreadsheets write it: 12.345."""
    return f"{n:,}".replace(",", ".")


def write_figures(path: Path, df: pd.DataFrame, kec: pd.DataFrame, counts: pd.DataFrame, period: str) -> None:
    """A BPS/Dinkes style export: ';', UTF-8 with BOM, a title row, Indonesian numbers and a JUMLAH row."""
    cols = ["population", "registered", "active", "pbi_jk", "pbpu_pemda", "ppu", "pbpu", "bp"]
    title = f"Rekap Kepesertaan JKN-KIS {REGENCY_NAME} (data fiktif) {PERIODS[period]}"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, delimiter=";", lineterminator="\n")
        out.writerow([title] + [""] * (len(HEADER) - 1))
        out.writerow(HEADER)
        for i, row in counts.iterrows():
            d = df.loc[i]
            out.writerow([d["code"], d["name"], kec.at[d["kec"], "name"]] + [ribuan(int(row[c])) for c in cols])
        out.writerow(["JUMLAH", "", ""] + [ribuan(int(counts[c].sum())) for c in cols])


def write_facilities(path: Path, rows: list[tuple]) -> None:
    """A plain comma-separated facility list with decimal-point coordinates."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["nama", "jenis", "lat", "lon"])
        out.writerows((name, jenis, f"{lat:.5f}", f"{lon:.5f}") for name, jenis, lat, lon in rows)


# ---------------------------------------------------------------- assembly

def generate(out: Path) -> dict:
    """Write the four demo files into `out` and return the figures they hold."""
    cells, seeds, labels, towns = build_cells()
    pool = name_pool(rng_for("names"))
    df = name_desa(rng_for("repeats"), desa_table(seeds, labels, towns), pool)
    kec = kecamatan_table(rng_for("kecamatan"), df, towns, pool)
    waves = warp_field(rng_for("warp"))
    geoms = {i: to_lonlat(cells[i], waves) for i in df.index}
    kec_geoms = {k: shapely.normalize(shapely.union_all([geoms[i] for i in g.index], grid_size=1e-5))
                 for k, g in df.groupby("kec")}
    regency = shapely.normalize(shapely.union_all(list(kec_geoms.values()), grid_size=1e-5))
    units = [(REGENCY_CODE, REGENCY_NAME, regency)] + [(k, kec.at[k, "name"], g) for k, g in kec_geoms.items()]
    units += [(df.at[i, "code"], df.at[i, "name"], geoms[i]) for i in df.index]
    out.mkdir(parents=True, exist_ok=True)
    write_geojson(out / FILES[0], units)
    figures = all_figures(df)
    for period, counts in figures.items():
        write_figures(out / f"demo_kepesertaan_{period}.csv", df, kec, counts, period)
    facilities = facility_rows(df, kec, geoms, towns)
    write_facilities(out / FILES[3], facilities)
    return summarise(df, figures, facilities)


def summarise(df: pd.DataFrame, figures: dict[str, pd.DataFrame], facilities: list[tuple]) -> dict:
    """Counts and regency totals per period, as the README reports them."""
    totals = {}
    for period, counts in figures.items():
        pop, reg, act = (int(counts[c].sum()) for c in ("population", "registered", "active"))
        totals[period] = {"desa_with_figures": len(counts), "population": pop, "registered": reg, "active": act,
                          "coverage": reg / pop, "active_coverage": act / pop,
                          "above_100": int((counts["registered"] > counts["population"]).sum()),
                          "at_95": int((counts["registered"] >= 0.95 * counts["population"]).sum()),
                          "min": float((counts["registered"] / counts["population"]).min())}
    kinds = pd.Series([jenis for _, jenis, _, _ in facilities]).value_counts().to_dict()
    return {"kecamatan": df["kec"].nunique(), "desa": len(df), "kelurahan": int(df["kelurahan"].sum()),
            "periods": totals, "facilities": kinds}


def build_store(out: Path) -> None:
    """Import the demo files through the geojkn command line into a fresh store, then swap it into place."""
    try:
        from geojkn.cli import main as geojkn_main
    except ImportError as exc:
        raise SystemExit(f"make_demo: the demo files are written, but {out / 'demo.gpkg'} cannot be built: "
                         f"the geojkn command line is not importable ({exc}). Install geojkn with "
                         "`pip install -e .`, or pass --no-store to skip the store.") from None
    work = Path(tempfile.mkdtemp(prefix=".demo-store-", dir=out))
    store = str(work / "demo.gpkg")
    commands = [["import-boundaries", f"{out.name}/{FILES[0]}"]]
    commands += [["import-figures", f"{out.name}/demo_kepesertaan_{p}.csv", "--period", p,
                  "--source", "Data fiktif (scripts/make_demo.py)"] for p in PERIODS]
    commands += [["import-facilities", f"{out.name}/{FILES[3]}"]]
    try:
        with contextlib.chdir(out.parent):  # the store records file names as a user would type them
            for command in commands:
                print("geojkn --store demo.gpkg " + " ".join(command), flush=True)
                status = geojkn_main(["--store", store, *command])
                if status:
                    raise SystemExit(f"make_demo: `geojkn {command[0]}` failed with status {status}")
        os.replace(store, out / "demo.gpkg")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def percent(x: float) -> str:
    """A share as Indonesians write it: 87,31 %."""
    return f"{100 * x:.2f} %".replace(".", ",")


def report(summary: dict) -> str:
    """The generated figures in a few readable lines."""
    lines = [f"{summary['kecamatan']} kecamatan, {summary['desa']} desa/kelurahan ({summary['kelurahan']} kelurahan)"]
    for period, t in summary["periods"].items():
        lines.append(f"{period}: {t['desa_with_figures']} desa with figures, population {ribuan(t['population'])}, "
                     f"registered {ribuan(t['registered'])} ({percent(t['coverage'])}), active {ribuan(t['active'])} "
                     f"({percent(t['active_coverage'])}), {t['at_95']} desa >= 95 %, {t['above_100']} above 100 %, "
                     f"lowest {percent(t['min'])}")
    lines.append("facilities: " + ", ".join(f"{k} {v}" for k, v in summary["facilities"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: python scripts/make_demo.py [--out DIR] [--no-store]."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "shapes", help="output folder (default: shapes/)")
    parser.add_argument("--no-store", action="store_true", help="write the files only, skip building demo.gpkg")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    print(report(generate(out)))
    if not args.no_store:
        build_store(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
