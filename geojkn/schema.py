"""Column names, levels, metrics and defaults shared by every layer of geojkn: each declared once, here."""

from __future__ import annotations

from enum import StrEnum

# Unit (boundary) columns.
CODE = "code"
NAME = "name"
LEVEL = "level"
PARENT = "parent_code"
GEOMETRY = "geometry"
DERIVED = "derived"  # a unit whose shape was made from the units inside it (no polygon of its own)
KABUPATEN_NAME = "kabupaten_name"  # a unit's kabupaten, shown where a region spans several
KECAMATAN_NAME = "kecamatan_name"  # a desa's kecamatan, shown beside its name (names repeat across kecamatan)

# Figures columns (counts are people).
PERIOD = "period"
POPULATION = "population"
REGISTERED = "registered"
ACTIVE = "active"
SEGMENTS = ("pbi_jk", "pbpu_pemda", "ppu", "pbpu", "bp")
COUNTS = (POPULATION, REGISTERED, ACTIVE) + SEGMENTS
# What each segment adds to the change in registered coverage since an earlier period, in percentage points.
SEGMENT_CHANGES = tuple(f"{segment}_change" for segment in SEGMENTS)
CHANGE_COMPARED = "change_compared"  # desa a unit's change is measured on (figures in both months, no break)
ACTIVE_CHANGE_COMPARED = "active_change_compared"  # ... of which active participants are given in both months
DATA_BREAKS = "data_breaks"  # desa whose population moved too much between the two months to compare them
SOURCE = "source"  # where a row of figures comes from (import-figures --source, else the file's name)
DESA_WITH_FIGURES = "desa_with_figures"  # desa inside a unit whose population and registered are given
DESA_TOTAL = "desa_total"  # desa inside a unit (stored boundaries)
COMPLETE = "complete"  # a unit's population and registered cover the whole unit (see analysis/rollup.py)
ACTIVE_COMPLETE = "active_complete"  # ... and its active participants too: its active rates are whole
DESA_WITH_ACTIVE = "desa_with_active"  # desa inside a unit whose population, registered and active are all given
# Counts that cannot be true ("tidak wajar"): registered above population, active above registered, or
# registered residents of a unit whose population is 0. Kept as the file says, marked, never rewarded.
IMPLAUSIBLE = "implausible"
SKIPPED_TOTALS = "skipped_totals"  # a read table's attrs: the (row, label) of the total rows its reader left out
MARKS = "marks"  # what a row's figures stand on where it is less than whole (analysis/marks.py), in lists
# Population and registered behind the active rates where they cover fewer desa than the unit's own
# (a partial unit whose active participants are not given everywhere); dropped once the rates are computed.
ACTIVE_BASE = ("active_base_population", "active_base_registered")


class Metric(StrEnum):
    """What a map colours and a ranking orders by, with its kind: a share ('rate'), people ('count'), points of
    coverage since an earlier month ('change'), km ('distance'), FKTP per 10.000 residents ('supply') or the
    step of an award ladder ('tier': 0 below every tier, 1 the lowest, ...)."""

    COVERAGE = "coverage"
    ACTIVE_COVERAGE = "active_coverage"
    ACTIVITY_RATE = "activity_rate"
    GAP = "gap"
    TO_REACTIVATE = "to_reactivate"
    CHANGE = "change"  # registered coverage now minus coverage in an earlier period, in percentage points
    ACTIVE_CHANGE = "active_change"  # the same for active coverage
    NEAREST_FKTP_KM = "nearest_fktp_km"  # straight line from a desa to its nearest FKTP (above desa: see access.py)
    NEAREST_PUSKESMAS_KM = "nearest_puskesmas_km"
    NEAREST_HOSPITAL_KM = "nearest_hospital_km"
    POPULATION_BEYOND = "population_beyond"  # residents of desa farther than the access distance from any FKTP
    FKTP_PER_10K = "fktp_per_10k"  # FKTP inside the unit per 10.000 residents
    REGISTERED_PER_FKTP = "registered_per_fktp"  # registered participants per FKTP inside the unit
    TIER = "tier"  # the highest award tier (TIERS setting) whose registered and active shares a unit reaches

    @property
    def kind(self) -> str:
        return _KINDS.get(self, "count")

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    @property
    def is_change(self) -> bool:
        return self.kind == "change"

    @property
    def lowest_first(self) -> bool:
        """Whether the units needing action are those with the lowest values (rates, changes, FKTP supply)."""
        return self.kind in ("rate", "change", "supply", "tier")


COVERAGE = Metric.COVERAGE
ACTIVE_COVERAGE = Metric.ACTIVE_COVERAGE
ACTIVITY_RATE = Metric.ACTIVITY_RATE
GAP = Metric.GAP
TO_REACTIVATE = Metric.TO_REACTIVATE
CHANGE = Metric.CHANGE
ACTIVE_CHANGE = Metric.ACTIVE_CHANGE
NEAREST_FKTP_KM = Metric.NEAREST_FKTP_KM
NEAREST_PUSKESMAS_KM = Metric.NEAREST_PUSKESMAS_KM
NEAREST_HOSPITAL_KM = Metric.NEAREST_HOSPITAL_KM
POPULATION_BEYOND = Metric.POPULATION_BEYOND
FKTP_PER_10K = Metric.FKTP_PER_10K
REGISTERED_PER_FKTP = Metric.REGISTERED_PER_FKTP
TIER = Metric.TIER
RATE_METRICS = (COVERAGE, ACTIVE_COVERAGE, ACTIVITY_RATE)
COUNT_METRICS = (GAP, TO_REACTIVATE, POPULATION_BEYOND, REGISTERED_PER_FKTP)
CHANGE_METRICS = (CHANGE, ACTIVE_CHANGE)
DISTANCE_METRICS = (NEAREST_FKTP_KM, NEAREST_PUSKESMAS_KM, NEAREST_HOSPITAL_KM)
ACCESS_METRICS = (*DISTANCE_METRICS, POPULATION_BEYOND, FKTP_PER_10K, REGISTERED_PER_FKTP)
_KINDS = {**dict.fromkeys(RATE_METRICS, "rate"), **dict.fromkeys(CHANGE_METRICS, "change"),
          **dict.fromkeys(DISTANCE_METRICS, "distance"), FKTP_PER_10K: "supply", TIER: "tier"}
FKTP = "fktp"  # FKTP placed inside a unit
TIER_NAME = "tier_name"  # the name of the tier a unit reaches (none below every tier or without whole figures)
METRICS = tuple(Metric)


class Level(StrEnum):
    """The four levels of Indonesian administration geojkn knows, from the top down."""

    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"
    KECAMATAN = "kecamatan"
    DESA = "desa"

    @property
    def depth(self) -> int:
        """How many parts its codes have: 33 (1), 33.20 (2), 33.20.01 (3), 33.20.01.2001 (4)."""
        return LEVELS.index(self) + 1

    def below(self) -> tuple[Level, ...]:
        """The levels under this one, nearest first."""
        return LEVELS[self.depth:]


PROVINSI = Level.PROVINSI
KABUPATEN = Level.KABUPATEN
KECAMATAN = Level.KECAMATAN
DESA = Level.DESA
LEVELS = tuple(Level)
LEVEL_PARTS = {level: i + 1 for i, level in enumerate(LEVELS)}

# Facilities columns.
FACILITY_NAME = "name"
FACILITY_TYPE = "type"
TYPE_SOURCE = "type_source"
FACILITY_CODE = "facility_code"
UNIT_CODE = "unit_code"  # the smallest stored unit the point lies in, found at import
APPROXIMATE = "approximate"  # placed in a unit by its area code, not by coordinates (the point is the unit's)
AREA_CODE = "area_code"  # the unit a facility without coordinates names (dotted Kemendagri code)
FACILITY_TYPES = ("puskesmas", "klinik", "dokter", "rumah_sakit", "lab", "optik", "apotek",
                  "pustu", "poskesdes", "rumah_bersalin", "bidan")
FKTP_TYPES = ("puskesmas", "klinik", "dokter")
FKRTL_TYPES = ("rumah_sakit",)
# Kept, mapped and counted on their own, never as FKTP or FKRTL: JKN does not contract them (a pustu or a
# poskesdes works under its puskesmas, a bidan in an FKTP's network).
NON_JKN_TYPES = ("pustu", "poskesdes", "rumah_bersalin", "bidan")
FACILITY_GROUPS = {"fktp": FKTP_TYPES, "fkrtl": FKRTL_TYPES, "lab": ("lab",), "optik": ("optik",),
                   "apotek": ("apotek",), "non_jkn": NON_JKN_TYPES}

CRS = "EPSG:4326"
