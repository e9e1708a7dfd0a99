"""Arrays and tables kept as one blob each (the prepared map shapes, the roll-ups, the distances), the same in every
store backend, and the fingerprint of an imported file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd


def file_sha256(path: Path) -> str:
    """The SHA-256 of an imported file ('' when the source is not a file)."""
    if not path.is_file():
        return ""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def pack(arrays: Mapping[str, np.ndarray], every: str | None = None) -> bytes:
    """Named arrays as one blob: a JSON header (name, type, shape of each) and the arrays' bytes; each of the type
    `every` when given, else 64-bit floats for floats and 32-bit integers for whole numbers (a topology on a 1e-6
    degree grid, positions, counts)."""
    parts, header = [], []
    for name, array in arrays.items():
        kind = every or ("<f8" if np.asarray(array).dtype.kind == "f" else "<i4")
        data = np.ascontiguousarray(array, dtype=kind)
        header.append([name, kind, list(data.shape)])
        parts.append(data.tobytes())
    head = json.dumps(header).encode("utf-8")
    return len(head).to_bytes(4, "little") + head + b"".join(parts)


def unpack(blob: bytes) -> dict[str, np.ndarray]:
    size = int.from_bytes(blob[:4], "little")
    header = json.loads(blob[4:4 + size].decode("utf-8"))
    out, at = {}, 4 + size
    for name, kind, shape in header:
        count = int(np.prod(shape)) if shape else 1
        dtype = np.dtype(kind)
        out[name] = np.frombuffer(blob, dtype=dtype, count=count, offset=at).reshape(shape)
        at += count * dtype.itemsize
    return out


def pack_frame(frame: pd.DataFrame) -> bytes:
    """A table as one blob: text columns as a list of their values and an index per row, the rest as numbers."""
    arrays: dict[str, np.ndarray] = {}
    header: list[list[object]] = []
    for name in frame.columns:
        column = frame[name]
        if column.dtype == bool:
            header.append([name, "bool", None])
            arrays[name] = column.to_numpy(dtype=np.float64)
        elif pd.api.types.is_numeric_dtype(column):
            header.append([name, str(column.dtype), None])
            arrays[name] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = column.astype(object).where(column.notna(), None)
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            header.append([name, "text", [None if u is None else str(u) for u in uniques]])
            arrays[name] = codes.astype(np.float64)
    head = json.dumps(header).encode("utf-8")
    return len(head).to_bytes(4, "little") + head + pack(arrays, every="<f8")


def unpack_frame(blob: bytes) -> pd.DataFrame:
    size = int.from_bytes(blob[:4], "little")
    header = json.loads(blob[4:4 + size].decode("utf-8"))
    arrays = unpack(blob[4 + size:])
    out: dict[str, object] = {}
    for name, kind, uniques in header:
        values = arrays[name]
        if kind == "bool":
            out[name] = values.astype(bool)
        elif kind == "text":
            table = np.array([*uniques, None], dtype=object)
            out[name] = table[np.where(values < 0, len(uniques), values).astype(np.int64)]
        else:
            out[name] = pd.Series(values).astype(kind) if kind.startswith("int") else values
    return pd.DataFrame(out)
