"""Column names, levels and defaults shared by every layer of geojkn."""

from __future__ import annotations

# Unit (boundary) columns.
CODE = "code"
NAME = "name"
LEVEL = "level"
PARENT = "parent_code"
GEOMETRY = "geometry"

# Figures columns (counts are people).
PERIOD = "period"
POPULATION = "population"
REGISTERED = "registered"
ACTIVE = "active"
SEGMENTS = ("pbi_jk", "pbpu_pemda", "ppu", "pbpu", "bp")
COUNTS = (POPULATION, REGISTERED, ACTIVE) + SEGMENTS

# Derived metrics.
COVERAGE = "coverage"
ACTIVE_COVERAGE = "active_coverage"
ACTIVITY_RATE = "activity_rate"
GAP = "gap"
TO_REACTIVATE = "to_reactivate"
RATE_METRICS = (COVERAGE, ACTIVE_COVERAGE, ACTIVITY_RATE)
COUNT_METRICS = (GAP, TO_REACTIVATE)
METRICS = RATE_METRICS + COUNT_METRICS

# Facilities columns.
FACILITY_NAME = "name"
FACILITY_TYPE = "type"
FACILITY_TYPES = ("puskesmas", "klinik", "dokter", "rumah_sakit", "lab", "optik", "apotek")
FKTP_TYPES = ("puskesmas", "klinik", "dokter")
FKRTL_TYPES = ("rumah_sakit",)
DESA_CODE = "desa_code"
KECAMATAN_CODE = "kecamatan_code"

# Levels, from the top down; the number is the count of code parts.
PROVINSI = "provinsi"
KABUPATEN = "kabupaten"
KECAMATAN = "kecamatan"
DESA = "desa"
LEVELS = (PROVINSI, KABUPATEN, KECAMATAN, DESA)
LEVEL_PARTS = {PROVINSI: 1, KABUPATEN: 2, KECAMATAN: 3, DESA: 4}

# Map choices.
MAP_LEVELS = (KECAMATAN, DESA)
CLASS_SCHEMES = ("policy", "quantiles", "natural_breaks")
BASEMAPS = ("none", "osm")

DEFAULT_TARGET = 0.95
CRS = "EPSG:4326"
