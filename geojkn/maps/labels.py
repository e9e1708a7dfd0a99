"""The words a map shows, in Indonesian ('id') and English ('en')."""

from __future__ import annotations

import re

from .. import schema
from ..errors import DataError
from ..formatting import LANGS

METRIC_NAMES = {
    "id": {
        schema.COVERAGE: "Cakupan kepesertaan (terdaftar / penduduk)",
        schema.ACTIVE_COVERAGE: "Cakupan peserta aktif (aktif / penduduk)",
        schema.ACTIVITY_RATE: "Keaktifan (aktif / terdaftar)",
        schema.GAP: "Penduduk belum terdaftar (menuju target {target})",
        schema.TO_REACTIVATE: "Peserta perlu diaktifkan kembali (terdaftar − aktif)",
    },
    "en": {
        schema.COVERAGE: "Registered coverage (registered / population)",
        schema.ACTIVE_COVERAGE: "Active coverage (active / population)",
        schema.ACTIVITY_RATE: "Activity rate (active / registered)",
        schema.GAP: "People still to enrol (to the {target} target)",
        schema.TO_REACTIVATE: "People to reactivate (registered − active)",
    },
}

WORDS = {
    "id": {
        "desa": "Desa/Kel.",
        "kecamatan": "Kecamatan",
        "code": "Kode",
        "coverage": "Cakupan terdaftar",
        "registered_population": "Terdaftar / penduduk",
        "active": "Aktif",
        "activity_rate": "Keaktifan",
        "gap": "Belum terdaftar (target {target})",
        "to_reactivate": "Perlu diaktifkan kembali",
        "no_data": "tanpa data",
        "period": "Periode",
        "source": "Sumber",
        "units": "unit",
        "below_target": "di bawah target {target}",
        "facilities": "Fasilitas kesehatan",
        "main_area": "Daratan utama",
        "whole_region": "Seluruh wilayah",
        "zoom_to": "Perbesar ke",
        "outline": "Batas kecamatan",
        "map": "Peta",
    },
    "en": {
        "desa": "Village",
        "kecamatan": "Subdistrict",
        "code": "Code",
        "coverage": "Registered coverage",
        "registered_population": "Registered / population",
        "active": "Active",
        "activity_rate": "Activity rate",
        "gap": "Still to enrol ({target} target)",
        "to_reactivate": "To reactivate",
        "no_data": "no data",
        "period": "Period",
        "source": "Source",
        "units": "units",
        "below_target": "below the {target} target",
        "facilities": "Health facilities",
        "main_area": "Main area",
        "whole_region": "Whole region",
        "zoom_to": "Zoom to",
        "outline": "Subdistrict boundaries",
        "map": "Map",
    },
}

FACILITY_GROUP_NAMES = {
    "id": {"fktp": "FKTP (puskesmas, klinik, dokter)", "rumah_sakit": "Rumah sakit",
           "lab": "Laboratorium", "optik": "Optik", "apotek": "Apotek"},
    "en": {"fktp": "Primary care (puskesmas, clinic, doctor)", "rumah_sakit": "Hospital",
           "lab": "Laboratory", "optik": "Optician", "apotek": "Pharmacy"},
}

FACILITY_TYPE_NAMES = {
    "id": {"puskesmas": "Puskesmas", "klinik": "Klinik", "dokter": "Dokter praktik",
           "rumah_sakit": "Rumah sakit", "lab": "Laboratorium", "optik": "Optik", "apotek": "Apotek"},
    "en": {"puskesmas": "Puskesmas (health centre)", "klinik": "Clinic", "dokter": "Doctor's practice",
           "rumah_sakit": "Hospital", "lab": "Laboratory", "optik": "Optician", "apotek": "Pharmacy"},
}

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def check_lang(lang: str) -> str:
    """Return lang if it is a supported language, else raise DataError naming the choices."""
    if lang not in LANGS:
        raise DataError(f"Unknown language '{lang}': use one of {', '.join(LANGS)}.")
    return lang


def word(key: str, lang: str, **values: str) -> str:
    """One interface word in the language, with {placeholders} filled in."""
    return WORDS[lang][key].format(**values)


def metric_name(metric: str, lang: str, target: str) -> str:
    """The full name of a metric in the language (the gap name states the target)."""
    return METRIC_NAMES[lang][metric].format(target=target)


def period_text(period: str | None, lang: str) -> str | None:
    """'2022-01' as 'Januari 2022' / 'January 2022'; any other text unchanged; None stays None."""
    if period is None:
        return None
    match = _PERIOD.match(str(period))
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{MONTHS[lang][int(match.group(2)) - 1]} {match.group(1)}"
    return str(period)
