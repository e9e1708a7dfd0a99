"""Read boundary files (GeoJSON, GeoPackage, Shapefile, zipped Shapefile) into clean units in EPSG:4326."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ..codes import HELP, level_of, normalize_codes, parent_of
from ..errors import DataError
from ..options import Lang
from ..schema import CODE, CRS, LEVEL, NAME, PARENT
from ..vocabulary import word
from .files import SPATIAL, checked

CODE_FIELDS = ("kode", "code", "kode_desa", "kode_kel", "kode_kecamatan", "kode_kec", "kode_kab", "kode_wilayah",
               "kode_kemendagri", "kd_wilayah", "kdepum", "kdcpum", "kdpkab", "id_desa", "adm4_pcode", "adm3_pcode")
NAME_FIELDS = ("nama", "name", "nama_desa", "nama_kel", "nama_kecamatan", "nama_kec", "nama_kab", "nama_wilayah",
               "desa", "kelurahan", "desa_kelurahan", "namobj", "wadmkd", "wadmkc", "adm4_en", "adm3_en")
INDONESIA = (94.0, -11.5, 142.0, 6.5)  # lon/lat box around the archipelago
SLIVER_M2 = 1.0  # parts smaller than this after a repair are artefacts, not land


@dataclass
class BoundaryReport:
    """What the reader did to the file, for the import report: notes are vocabulary keys with their values."""

    layers: list[str] = field(default_factory=list)
    repaired: list[tuple[str, str]] = field(default_factory=list)  # (unit, what was invalid)
    notes: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def lines(self, lang: Lang = Lang.ID) -> list[str]:
        out = [word("layers_read", lang, layers=", ".join(self.layers))]
        out += [word(key, lang, **values) for key, values in self.notes]
        out += [word("repaired", lang, unit=unit, reason=reason) for unit, reason in self.repaired]
        return out


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def pick_field(columns: list[str], wanted: tuple[str, ...], given: str | None, role: str, where: str) -> str:
    """The column for a role: the one the user named, else the first known name found."""
    if given:
        if given not in columns:
            raise DataError(f"{where}: there is no field '{given}' for the {role}; fields are: {', '.join(columns)}.")
        return given
    keys = {_key(c): c for c in columns}
    for name in wanted:
        if _key(name) in keys:
            return keys[_key(name)]
    raise DataError(
        f"{where}: no {role} field found among {', '.join(columns)}. "
        f"Name it with --{role}-field, or rename it to one of: {', '.join(wanted)}."
    )


def polygon_layers(path: Path) -> list[str]:
    """Layers of a file that hold polygons (a GeoPackage may hold several, plus tables and points)."""
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises several GDAL error types for unreadable files
        raise DataError(f"{path.name}: cannot be read as a spatial file ({exc}). "
                        "Use GeoJSON, GeoPackage or Shapefile.") from exc
    found = []
    for name, geom_type in layers:
        kind = (geom_type or "").lower()
        if "polygon" in kind or kind in ("unknown", "geometry", "geometrycollection"):
            found.append(name)
    return found


def _to_lonlat(frame: gpd.GeoDataFrame, where: str, crs: str | None) -> tuple[gpd.GeoDataFrame, bool]:
    """Reproject to EPSG:4326; a file without CRS is taken as lon/lat only if it lies over Indonesia."""
    guessed = False
    if crs:
        frame = frame.set_crs(crs, allow_override=True)
    if frame.crs is None:
        if not _inside(frame.total_bounds):
            if _inside(frame.total_bounds[[1, 0, 3, 2]]):
                raise DataError(f"{where}: the coordinates look like latitude/longitude swapped "
                                "(x is within -11.5..6.5). "
                                "Swap them so x is longitude, or export the file again with a CRS.")
            raise DataError(f"{where}: the file has no coordinate reference system and its coordinates are not "
                            "longitude/latitude over Indonesia. Give it with --crs (e.g. --crs EPSG:32749).")
        guessed = True
        frame = frame.set_crs(CRS)
    frame = frame.to_crs(CRS)
    if not _inside(frame.total_bounds):
        if _inside(frame.total_bounds[[1, 0, 3, 2]]):
            raise DataError(f"{where}: latitude and longitude are swapped (x is within -11.5..6.5). "
                            "Swap the coordinate order and import again.")
        raise DataError(f"{where}: the boundaries lie outside Indonesia after reprojection to EPSG:4326 "
                        f"(bounds {', '.join(f'{v:.2f}' for v in frame.total_bounds)}). "
                        "Check the file's CRS, or give --crs.")
    return frame, guessed


def _inside(bounds: np.ndarray) -> bool:
    x0, y0, x1, y1 = bounds
    return INDONESIA[0] <= x0 and x1 <= INDONESIA[2] and INDONESIA[1] <= y0 and y1 <= INDONESIA[3]


def _polygons_only(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep the polygonal parts of a repaired geometry; lines and points left by the repair are dropped."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def repair(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[tuple[str, str]]]:
    """Make invalid polygons valid (keeping polygons, dropping slivers) and say which, by code."""
    invalid = ~frame.geometry.is_valid
    if not invalid.any():
        return frame, []
    frame = frame.copy()
    bad = frame[invalid]
    notes = [(f"{code} {name}", str(shapely.is_valid_reason(geom)).replace("[", " near ").rstrip("]"))
             for code, name, geom in zip(bad[CODE], bad[NAME], bad.geometry, strict=True)]
    fixed = [_drop_slivers(_polygons_only(shapely.make_valid(geom))) for geom in bad.geometry]
    frame.loc[invalid, "geometry"] = gpd.GeoSeries(fixed, index=bad.index, crs=frame.crs)
    return frame, notes


def _drop_slivers(geom: shapely.Geometry) -> shapely.Geometry:
    """Drop polygon parts smaller than SLIVER_M2 (area measured roughly in metres at the equator)."""
    parts = shapely.get_parts(geom)
    degree2_m2 = 111_320.0**2
    keep = [p for p in parts if p.area * degree2_m2 >= SLIVER_M2]
    return shapely.union_all(keep) if keep else shapely.Polygon()


def _read_layer(path: Path, layer: str, opts: dict) -> gpd.GeoDataFrame | None:
    """One layer as code, name, geometry in EPSG:4326; None if it holds no polygons."""
    where = f"{path.name}, layer {layer}"
    try:
        raw = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # GDAL errors come in several types
        raise DataError(f"{where}: cannot be read ({exc}).") from exc
    if not isinstance(raw, gpd.GeoDataFrame) or raw.geometry.isna().all():
        return None
    kinds = raw.geometry.geom_type
    polygonal = kinds.isin(["Polygon", "MultiPolygon"])
    if not polygonal.any() and raw.geometry.notna().any() and not raw.geometry.is_empty.all():
        return None
    columns = [c for c in raw.columns if c != raw.geometry.name]
    code_col = pick_field(columns, CODE_FIELDS, opts.get("code_field"), "code", where)
    name_col = pick_field(columns, NAME_FIELDS, opts.get("name_field"), "name", where)
    frame = gpd.GeoDataFrame(
        {CODE: normalize_codes(raw[code_col]), NAME: raw[name_col].astype(object), "raw_code": raw[code_col]},
        geometry=raw.geometry.values, crs=raw.crs,
    )
    bad = frame[frame[CODE].isna()]
    if len(bad):
        sample = ", ".join(repr(str(v)) for v in bad["raw_code"].head(5))
        raise DataError(f"{where}: {len(bad)} value(s) of field '{code_col}' are not area codes ({sample}); {HELP}.")
    other = frame[~polygonal & frame.geometry.notna() & ~frame.geometry.is_empty]
    if len(other):
        raise DataError(f"{where}: features {', '.join(other[CODE].head(10))} are not polygons "
                        f"({', '.join(sorted(set(other.geom_type)))}). Boundaries must be polygons.")
    return frame.drop(columns="raw_code")


def read_boundaries(path: str | Path, *, code_field: str | None = None, name_field: str | None = None,
                    layer: str | None = None, crs: str | None = None) -> tuple[gpd.GeoDataFrame, BoundaryReport]:
    """Every polygon layer of a file as units (code, name, level, parent_code, geometry) plus a report."""
    with checked(path, SPATIAL) as (real, _kind):
        return _read_boundaries(real, code_field=code_field, name_field=name_field, layer=layer, crs=crs)


def _read_boundaries(path: Path, *, code_field: str | None, name_field: str | None, layer: str | None,
                     crs: str | None) -> tuple[gpd.GeoDataFrame, BoundaryReport]:
    report = BoundaryReport()
    layers = [layer] if layer else polygon_layers(path)
    frames = []
    opts = {"code_field": code_field, "name_field": name_field}
    for name in layers:
        frame = _read_layer(path, name, opts)
        if frame is None:
            report.notes.append(("layer_skipped", {"layer": name}))
            continue
        where = f"{path.name}, layer {name}"
        frame, guessed = _to_lonlat(frame, where, crs)
        if guessed:
            report.notes.append(("no_crs", {"where": where}))
        report.layers.append(f"{name} ({len(frame)})")
        frames.append(frame)
    if not frames:
        raise DataError(f"{path.name}: no polygon layer found. "
                        "Boundaries must be polygons with a code and a name field.")
    units = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=CRS)
    _check(units, path)
    units, report.repaired = repair(units)
    empty = units[units.geometry.is_empty]
    if len(empty):
        raise DataError(f"{path.name}: the polygons of {', '.join(empty[CODE].head(20))} vanish when repaired. "
                        "Fix them in a GIS and import again.")
    units[LEVEL] = units[CODE].map(level_of)
    units[PARENT] = units[CODE].map(parent_of)
    return units[[CODE, NAME, LEVEL, PARENT, "geometry"]], report


def _check(units: gpd.GeoDataFrame, path: Path) -> None:
    """Empty geometries and duplicate codes are errors: nothing sensible can be stored for them."""
    empty = units[units.geometry.isna() | units.geometry.is_empty]
    if len(empty):
        raise DataError(f"{path.name}: {len(empty)} feature(s) have no geometry: {', '.join(empty[CODE].head(20))}. "
                        "Remove them or give them a polygon.")
    dupes = units[units[CODE].duplicated(keep=False)]
    if len(dupes):
        codes = sorted(dupes[CODE].unique())
        raise DataError(f"{path.name}: {len(codes)} code(s) appear more than once: {', '.join(codes[:20])}. "
                        "Each unit must appear once; dissolve or renumber the duplicates.")
