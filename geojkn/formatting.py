"""Numbers written the way planners read them: Indonesian (987.918; 81,49 %) or English (987,918; 81.49 %)."""

from __future__ import annotations

import math
from numbers import Real

from .options import Lang
from .schema import Metric

MISSING = "–"


def _number(value: object) -> float | None:
    """The value as a float (Python and numpy numbers), or None when it is missing or not a number."""
    if not isinstance(value, Real):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def format_int(value: object, lang: Lang = Lang.ID) -> str:
    """A whole number with thousands separators: 987.918 (id) or 987,918 (en)."""
    number = _number(value)
    if number is None:
        return MISSING
    text = f"{round(number):,}"
    return text.replace(",", ".") if lang == "id" else text


def format_decimal(value: object, digits: int = 2, lang: Lang = Lang.ID) -> str:
    """A decimal number: 1.234,56 (id) or 1,234.56 (en)."""
    number = _number(value)
    if number is None:
        return MISSING
    text = f"{number:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_plain(value: float, lang: Lang = Lang.ID) -> str:
    """A setting's number as written, without trailing zeros: 5, 2,5 (id) or 2.5 (en)."""
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "id" else text


def format_percent(ratio: object, digits: int = 2, lang: Lang = Lang.ID) -> str:
    """A ratio as a percentage: 0.8149 -> '81,49 %' (id) or '81.49 %' (en)."""
    number = _number(ratio)
    if number is None:
        return MISSING
    return f"{format_decimal(number * 100, digits, lang)} %"


def format_points(value: object, digits: int = 2, lang: Lang = Lang.ID) -> str:
    """A change in percentage points with its sign: +1,57 / −0,50 / 0,00 (id); +1.57 / −0.50 / 0.00 (en)."""
    number = _number(value)
    if number is None:
        return MISSING
    text = format_decimal(abs(number), digits, lang)
    if text.strip("0,.") == "":
        return text  # rounds to zero: no sign
    return ("+" if number > 0 else "−") + text


def format_metric(metric: Metric, value: object, lang: Lang = Lang.ID) -> str:
    """A metric's value as tables and tooltips show it: 81,49 % / +1,57 / 3,2 km / 1,25 / 1.234."""
    kind = Metric(metric).kind
    if kind == "rate":
        return format_percent(value, 2, lang)
    if kind == "change":
        return format_points(value, 2, lang)
    if kind == "distance":
        text = format_decimal(value, 1, lang)
        return text if text == MISSING else f"{text} km"
    if kind == "supply":
        return format_decimal(value, 2, lang)
    return format_int(value, lang)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Text that no spreadsheet will run as a formula: one that starts like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def format_time(moment: str, zone: str) -> str:
    """A stored moment (ISO 8601, with its offset; UTC when it has none) in the office's zone, to the minute, with
    the zone's own name: '2026-12-08 10:19 WIB'. A text that is not a moment is shown as it is."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    try:
        when = datetime.fromisoformat(moment)
    except (TypeError, ValueError):
        return str(moment)
    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
