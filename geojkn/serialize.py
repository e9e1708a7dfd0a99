"""Turn analysis tables into plain JSON-safe Python: None for NaN, int for whole counts, no numpy types."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def plain(value: object) -> object:
    """One value as a JSON-safe Python value."""
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value) or math.isinf(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value if isinstance(value, (str, int)) else str(value)


def records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict]:
    """Rows as JSON-safe dicts (geometry dropped)."""
    frame = pd.DataFrame(frame).drop(columns=["geometry"], errors="ignore")
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
