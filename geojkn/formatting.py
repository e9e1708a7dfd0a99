"""Numbers written the way planners read them: Indonesian (987.918; 81,49 %) or English (987,918; 81.49 %)."""

from __future__ import annotations

import math

MISSING = "–"


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_int(value: object, lang: str = "id") -> str:
    """A whole number with thousands separators: 987.918 (id) or 987,918 (en)."""
    if _is_missing(value):
        return MISSING
    text = f"{round(float(value)):,}"
    return text.replace(",", ".") if lang == "id" else text


def format_decimal(value: object, digits: int = 2, lang: str = "id") -> str:
    """A decimal number: 1.234,56 (id) or 1,234.56 (en)."""
    if _is_missing(value):
        return MISSING
    text = f"{float(value):,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_percent(ratio: object, digits: int = 2, lang: str = "id") -> str:
    """A ratio as a percentage: 0.8149 -> '81,49 %' (id) or '81.49 %' (en)."""
    if _is_missing(ratio):
        return MISSING
    return f"{format_decimal(float(ratio) * 100, digits, lang)} %"
