"""Read health facilities (puskesmas, klinik, dokter, rumah sakit, lab, optik, apotek) as points in EPSG:4326."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ..codes import parse_code
from ..errors import DataError
from ..schema import AREA_CODE, CRS, FACILITY_CODE, FACILITY_NAME, FACILITY_TYPE, TYPE_SOURCE
from .facility_types import facility_types
from .files import SPATIAL, TABLES, checked
from .numbers import decimal_column
from .tabular import ROW, cell_text, find_columns, header_of, list_rows, read_table

COLUMNS = (FACILITY_NAME, FACILITY_TYPE, TYPE_SOURCE, FACILITY_CODE, AREA_CODE, ROW)
INDONESIA = (94.0, -11.5, 142.0, 6.5)  # lon/lat box around the archipelago
_LAT, _LON, _NAME, _TYPE, _CODE, _AREA = "latitude", "longitude", "name", "type", "code", "area"
# Kemenkes RS Online hospital codes: 7 digits, the first four the Kemendagri province and kabupaten/kota
# (3320046 is a hospital in 33.20). Other facility codes mix in BPS numbers that do not map one-to-one.
RS_ONLINE_CODE = re.compile(r"^\d{7}$")

# Names accepted for each column; case, spaces and punctuation do not matter (see tabular.norm_header).
ALIASES: dict[str, tuple[str, ...]] = {
    _NAME: ("nama", "nama_faskes", "name", "nama_rs", "nama_fasilitas", "nama_ppk"),
    _TYPE: ("jenis", "jenis_faskes", "tipe", "type", "kategori", "jenis_rs", "jenis_fasilitas", "jenis_ppk"),
    _CODE: ("kode_faskes", "kode", "code", "kode_rs", "kode_ppk", "kode_fasilitas"),
    _LAT: ("lat", "latitude", "y", "lat_", "lintang"),
    _LON: ("lon", "lng", "long", "longitude", "x", "long_", "bujur"),
    _AREA: ("kode_wilayah", "kode_kemendagri", "kode_desa", "kode_kelurahan", "kode_kecamatan", "kode_kec",
            "kode_kab", "kode_kabupaten", "kode_kota", "kode_daerah"),
}


def _inside(lon: pd.Series, lat: pd.Series) -> pd.Series:
    west, south, east, north = INDONESIA
    return lon.between(west, east) & lat.between(south, north)


def check_coordinates(lon: pd.Series, lat: pd.Series, rows: pd.Series, source: str) -> None:
    """DataError naming rows whose coordinates are missing, swapped or outside Indonesia."""
    missing = lon.isna() | lat.isna()
    swapped = ~missing & ~_inside(lon, lat) & _inside(lat, lon)
    outside = ~missing & ~_inside(lon, lat) & ~swapped
    problems = []
    if missing.any():
        problems.append(f"missing or unreadable coordinates in {list_rows(rows[missing].tolist())}")
    if swapped.any():
        problems.append(f"latitude and longitude look swapped in {list_rows(rows[swapped].tolist())}")
    if outside.any():
        shown = [f"{x:.4f}, {y:.4f}" for x, y in zip(lon[outside], lat[outside], strict=True)]
        problems.append(f"coordinates (lon, lat) outside Indonesia in {list_rows(rows[outside].tolist(), shown)}")
    if problems:
        raise DataError(f"{source}: {'; '.join(problems)}. Give each facility a latitude between -11.5 and 6.5 "
                        f"and a longitude between 94 and 142, in decimal degrees (e.g. -6.5036, 110.8047).")


def _from_table(path: Path) -> tuple[pd.DataFrame, dict[str, str | None], pd.Series, pd.Series]:
    """A CSV/XLSX file: the table, its columns by role, and longitude/latitude per row."""
    table = read_table(path, ALIASES)
    roles = find_columns([c for c in table.columns if c != ROW], ALIASES, required=(_NAME, _TYPE),
                         source=path.name)
    if roles[_LAT] is None and roles[_LON] is None:  # placed by area code instead (read_facilities)
        nothing = pd.Series(np.nan, index=table.index, dtype="float64")
        return table, roles, nothing, nothing
    find_columns([c for c in table.columns if c != ROW], ALIASES, required=(_LAT, _LON), source=path.name)
    lat_header, lon_header = header_of(roles, _LAT), header_of(roles, _LON)
    lat, bad_lat = decimal_column(table, lat_header)
    lon, bad_lon = decimal_column(table, lon_header)
    bad = sorted(set(bad_lat) | set(bad_lon))
    if bad:
        values = table.set_index(ROW).loc[bad, [lat_header, lon_header]].fillna("").agg(", ".join, axis=1)
        raise DataError(f"{path.name}: coordinates that are not decimal numbers in "
                        f"{list_rows(bad, values.tolist())}. Write them as -6.5036 or -6,5036 (no thousands dots).")
    return table, roles, lon, lat


def _point_layer(path: Path) -> str:
    layers = [(name, str(kind)) for name, kind in pyogrio.list_layers(path)]
    points = [name for name, kind in layers if "point" in kind.lower()]
    if not points:
        found = ", ".join(f"{n} ({k})" for n, k in layers) or "none"
        raise DataError(f"{path.name}: no point layer (layers: {found}). Facilities must be points, or a CSV "
                        f"with latitude and longitude columns.")
    return points[0]


def _points(frame: gpd.GeoDataFrame, source: str) -> tuple[pd.Series, pd.Series]:
    """Longitude/latitude of each feature; one-point MultiPoints count as points."""
    geoms = frame.geometry.map(lambda g: g.geoms[0] if isinstance(g, shapely.MultiPoint) and len(g.geoms) == 1
                               else g)
    wrong = geoms.map(lambda g: g is not None and not g.is_empty and not isinstance(g, shapely.Point))
    if wrong.any():
        raise DataError(f"{source}: features that are not points: {list_rows((np.flatnonzero(wrong) + 1).tolist())}."
                        f" Give each facility one point.")
    lon = geoms.map(lambda g: np.nan if g is None or g.is_empty else g.x).astype("float64")
    lat = geoms.map(lambda g: np.nan if g is None or g.is_empty else g.y).astype("float64")
    return lon, lat


def _from_spatial(path: Path, layer: str | None) -> tuple[pd.DataFrame, dict[str, str | None], pd.Series, pd.Series]:
    """A file pyogrio reads: attributes as text (row = feature number) and longitude/latitude in EPSG:4326."""
    try:
        frame = gpd.read_file(path, layer=layer or _point_layer(path), engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataError(f"{path.name}: cannot read it as a spatial file ({exc}). Use GeoJSON, GeoPackage, "
                        f"Shapefile, or a CSV/XLSX with latitude and longitude columns.") from exc
    if frame.crs is not None:
        frame = frame.to_crs(CRS)  # without a CRS, assume lon/lat: the Indonesia check catches anything else
    lon, lat = _points(frame, path.name)
    attributes = [c for c in frame.columns if c != frame.geometry.name]
    table = pd.DataFrame({c: frame[c].map(lambda v: None if pd.isna(v) else cell_text(v) or None).astype(object)
                          for c in attributes}, index=frame.index)
    table[ROW] = np.arange(1, len(frame) + 1)
    roles = find_columns(attributes, {k: ALIASES[k] for k in (_NAME, _TYPE, _CODE)}, required=(_NAME, _TYPE),
                         source=path.name)
    return table.reset_index(drop=True), roles, lon.reset_index(drop=True), lat.reset_index(drop=True)


def _texts(values: pd.Series) -> pd.Series:
    """Text with runs of spaces collapsed ("KEDUNG  I" -> "KEDUNG I"); None, not NaN, when missing."""
    cleaned = [" ".join(str(v).split()) or None if isinstance(v, str) else None for v in values]
    return pd.Series(cleaned, index=values.index, dtype=object)


def read_facilities(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Facilities as EPSG:4326 points with name, normalised type, the type as written, code and row number."""
    with checked(path, TABLES | SPATIAL) as (real, kind):
        if kind in TABLES:
            table, roles, lon, lat = _from_table(Path(path))
        else:
            table, roles, lon, lat = _from_spatial(real, layer)
    path = Path(path)
    source_types = _texts(table[roles[_TYPE]])
    codes = _texts(table[roles[_CODE]] if roles.get(_CODE) else pd.Series(None, index=table.index))
    placed_by_area = lon.isna().all() and lat.isna().all() and roles.get(_LAT) is None
    if placed_by_area:
        areas = _area_codes(table, roles, codes, path.name)
        geometry = gpd.GeoSeries(np.full(len(table), None, dtype=object), index=table.index, crs=CRS)
    else:
        check_coordinates(lon, lat, table[ROW], path.name)
        areas = pd.Series(None, index=table.index, dtype=object)
        geometry = gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=table.index, crs=CRS)
    data = {
        FACILITY_NAME: _texts(table[roles[_NAME]]),
        FACILITY_TYPE: facility_types(source_types.tolist(), column=header_of(roles, _TYPE), source=path.name),
        TYPE_SOURCE: source_types,
        FACILITY_CODE: codes,
        AREA_CODE: areas,
        ROW: table[ROW].astype(int),
    }
    return gpd.GeoDataFrame(data, geometry=geometry, crs=CRS)


def _area_codes(table: pd.DataFrame, roles: dict[str, str | None], codes: pd.Series, source: str) -> pd.Series:
    """Where a list without coordinates places each facility: its Kemendagri area code, else the kabupaten of an
    RS Online hospital code; None where neither says (the import reports those rows, it does not guess)."""
    if roles.get(_AREA):
        return table[header_of(roles, _AREA)].map(lambda v: None if pd.isna(v) else parse_code(str(v)))
    if codes.map(lambda c: bool(c and RS_ONLINE_CODE.match(c))).any():
        return codes.map(lambda c: parse_code(c[:4]) if c and RS_ONLINE_CODE.match(c) else None)
    raise DataError(f"{source}: no coordinates (latitude and longitude columns) and no area code to place the "
                    f"facilities by. Give each facility its latitude and longitude, or a Kemendagri area code column "
                    f"('kode_wilayah', 'kode_desa', 'kode_kecamatan' or 'kode_kab') for the unit it lies in.")
