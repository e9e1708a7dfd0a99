"""Files geojkn writes for a user (exports, work lists): never over the store or another GeoPackage, and whole.

A file is written next to its destination under a temporary name, then renamed over it, so a reader never sees
half a file and a failed write leaves the old file as it was. A symlink keeps pointing where it pointed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import DataError

_PROTECTED = (b"SQLite format 3\x00",)


def write_output(given: str | os.PathLike[str], content: str | bytes, *, store: str | None = None) -> Path:
    """Write `content` to `given` atomically; DataError if it is the store, a GeoPackage, a folder or unwritable."""
    path = Path(given)
    real = path.resolve()
    if real.is_dir():
        raise DataError(f"Cannot write {given}: it is a folder. Give a file name, such as {real.name or 'peta'}.html.")
    if store is not None and Path(store).resolve() == real:
        raise DataError(f"Cannot write {given}: it is the store itself. Give another file name with -o.")
    if real.exists():
        with real.open("rb") as handle:
            head = handle.read(16)
        if head.startswith(_PROTECTED):
            raise DataError(f"Cannot write {given}: it is a database (GeoPackage), which an export must not "
                            "replace. Give another file name with -o.")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd, name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".part", dir=real.parent)
    except OSError as exc:
        raise DataError(f"Cannot write {given}: {exc.strerror}. Choose a folder you can write to.") from exc
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if real.exists():
            os.chmod(tmp, real.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, real)
    except OSError as exc:
        raise DataError(f"Cannot write {given}: {exc.strerror}.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return real


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
