"""Turn analysis tables into plain JSON-safe Python: None for NaN, int for whole counts, no numpy types."""

from __future__ import annotations

import json
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
    """Rows as JSON-safe dicts (geometry dropped): each column converted at once, as plain() converts a value."""
    frame = pd.DataFrame(frame).drop(columns=["geometry"], errors="ignore")
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    names = [str(name) for name in frame.columns]
    values = [_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)] if names else \
        [{} for _ in range(len(frame))]


def _column(column: pd.Series) -> list[object]:
    """A column's values as plain() makes them, numbers converted with numpy."""
    kind = column.dtype
    if pd.api.types.is_bool_dtype(kind) and not column.isna().any():
        return [bool(v) for v in column.to_numpy()]
    if pd.api.types.is_integer_dtype(kind) and not column.isna().any():
        return [int(v) for v in column.to_numpy()]
    if pd.api.types.is_float_dtype(kind):
        numbers = column.to_numpy(dtype="float64", na_value=np.nan)
        out = numbers.astype(object)
        finite = np.isfinite(numbers)
        safe = np.where(finite, numbers, 0)
        whole = finite & (numbers == np.floor(safe)) & (np.abs(safe) < 2**53)
        out[whole] = numbers[whole].astype(np.int64).astype(object)
        out[~finite] = None
        return [v if v is None or isinstance(v, int) else float(v) for v in out.tolist()]
    return [plain(v) for v in column.tolist()]


def pretty_json(value: object) -> str:
    """JSON for people and programs alike: an object's fields one per line, and each item of a list of objects
    (a ranking's units) on a line of its own, written by the C encoder (indent=2 would use the pure-Python one,
    which takes most of a province ranking's time)."""
    def line(item: object) -> str:
        return json.dumps(item, ensure_ascii=False)

    if not isinstance(value, dict):
        return line(value)
    fields = []
    for key, item in value.items():
        if isinstance(item, list) and item and all(isinstance(entry, dict) for entry in item):
            rows = ",\n".join(f"    {line(entry)}" for entry in item)
            fields.append(f"  {line(key)}: [\n{rows}\n  ]")
        else:
            fields.append(f"  {line(key)}: {line(item)}")
    return "{\n" + ",\n".join(fields) + "\n}"
