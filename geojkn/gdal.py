"""GDAL as geojkn needs it: only drivers that read the one file they are given.

GDAL registers its drivers once, when pyogrio is first imported, and skips those named in GDAL_SKIP. Some
drivers read other files or the network on a file's say-so (a VRT names any path or URL as its source, a
GDALG file runs a pipeline, GML and KML follow links, the web-service drivers fetch URLs) and one runs a
program (GPSBabel). geojkn reads GeoPackage, GeoJSON and Shapefile only (KEPT), so every other driver of
GDAL's vector build is skipped before pyogrio is imported (a test checks that no other driver remains);
`geojkn/__init__.py` calls `restrict()` first thing. The file checks in `readers/files.py` refuse such files
by their bytes as well, so a reader is safe even where pyogrio was imported before geojkn.
"""

from __future__ import annotations

import os
import sys

KEPT = frozenset({"GPKG", "GeoJSON", "ESRI Shapefile", "MEM",
                  "MapInfo File"})  # a name with a space cannot be skipped; file checks never hand it a file
SKIPPED = frozenset({
    # files that name other files, URLs or programs as their data
    "OGR_VRT", "VRT", "GDALG", "GML", "KML", "LIBKML", "OSM", "GPSBabel", "MapML", "VFK", "GTFS", "LVBAG",
    "PDF", "XLSX", "ODS", "CSV", "SQLite", "MBTiles", "PMTiles", "MVT", "OpenFileGDB", "S57", "DGN", "DXF",
    # web services and databases
    "HTTP", "WFS", "OAPIF", "OGCAPI", "CSW", "EEDA", "NGW", "Carto", "AmigoCloud", "Elasticsearch", "PLSCENES",
    "ADBC", "AIVector",
    # formats geojkn does not read
    "AVCBin", "AVCE00", "EDIGEO", "ESRIJSON", "FlatGeobuf", "GPX", "GeoJSONSeq", "GeoRSS", "Idrisi", "JML",
    "JSONFG", "MiraMonVector", "OGR_GMT", "OGR_PDS", "PCIDSK", "PDS4", "PGDUMP", "SXF",
    "Selafin", "TopoJSON", "VDV", "VICAR", "WAsP",
})


def restrict() -> None:
    """Add the drivers above to GDAL_SKIP (keeping any the environment names); a no-op once pyogrio is loaded."""
    if "pyogrio" in sys.modules:
        return
    given = os.environ.get("GDAL_SKIP", "").replace(",", " ").split()
    os.environ["GDAL_SKIP"] = " ".join(sorted(set(given) | SKIPPED))
    os.environ["CPL_VSIL_CURL_ALLOWED_EXTENSIONS"] = ".geojkn-never"  # /vsicurl/ opens nothing
