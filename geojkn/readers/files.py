"""A file from a user is hostile until checked: its real type from its bytes, its size bounded, archives opened
by us, not by GDAL.

Every reader opens its file through `checked()`, which
- refuses GDAL's virtual paths (`/vsicurl/...`, `/vsizip/...`) and anything that is not a plain file;
- bounds the size (100 MB) and, for tables, the rows, columns and field length;
- tells the type from the first bytes, whatever the name says: a GDAL VRT named `.gpkg`, an HTML page
  named `.csv` or an old `.xls` named `.xlsx` is refused with what it really is;
- opens zip archives itself: no absolute or `..` paths, no links, a bounded number of members, of bytes
  unpacked and of compression ratio (a zip bomb stops at the bound, not at the end of memory); a zipped
  Shapefile or GeoPackage is unpacked to a private temporary folder and checked again;
- hands the reader the real path of what it checked, so GDAL never sees a name it could read otherwise.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath

from ..errors import DataError

HEAD_BYTES = 64 * 1024
MB = 1024 * 1024


class Kind(Enum):
    """What a file really is, named as a planner would say it."""

    CSV = "text (CSV)"
    XLSX = "Excel workbook (.xlsx)"
    GPKG = "GeoPackage"
    GEOJSON = "GeoJSON"
    SHAPEFILE = "Shapefile"
    ZIP = "zip archive"


TABLES = frozenset({Kind.CSV, Kind.XLSX})
SPATIAL = frozenset({Kind.GPKG, Kind.GEOJSON, Kind.SHAPEFILE, Kind.ZIP})


@dataclass(frozen=True)
class Limits:
    """The bounds a file must keep; the defaults suit a whole province's files with room to spare."""

    file_bytes: int = 100 * MB
    members: int = 64  # a zipped Shapefile has 3-8 parts
    unpacked_bytes: int = 1024 * MB
    ratio: int = 100  # unpacked size over packed size, per member; XML and DBF rarely pass 30
    rows: int = 1_048_576  # Excel's own last row
    columns: int = 500
    field_chars: int = 100_000


LIMITS = Limits()

_SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd", ".xml", ".fix"}
_IGNORED = ("__MACOSX/", ".DS_Store", "Thumbs.db")
_BINARIES = {
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls) or another Office 97 file: open it and save it as .xlsx",
    b"%PDF": "a PDF document: export the table itself from the system that made it",
    b"\x1f\x8b": "a gzip archive: unpack it first",
    b"Rar!": "a RAR archive: unpack it first, or zip it",
    b"7z\xbc\xaf": "a 7-Zip archive: unpack it first, or zip it",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}


def _plain_path(given: str | Path) -> Path:
    """The real path of a plain file, or DataError: GDAL virtual paths, URLs and devices are refused."""
    text = str(given)
    if text.startswith("/vsi") or "/vsi" in text.replace("\\", "/").split(":", 1)[0] or "://" in text:
        raise DataError(f"{text}: geojkn reads files on this computer only, not GDAL virtual paths or URLs. "
                        "Download or unpack the file and give its path.")
    path = Path(text)
    if not path.exists():
        raise DataError(f"{path}: no such file.")
    real = path.resolve()
    if not stat.S_ISREG(real.stat().st_mode):
        raise DataError(f"{path}: is not a file (a folder or a device). Give the path of the file itself.")
    return real


def _text_kind(head: bytes, name: str) -> Kind:
    """A text file: GeoJSON when it is a JSON object, CSV when it is neither JSON nor markup."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:200].count(b"\x00") > 10:
        raise DataError(f"{name}: is saved as UTF-16 text (Excel's 'Unicode Text'). "
                        "Save it as 'CSV UTF-8 (comma delimited)' and try again.")
    if b"\x00" in head:
        raise DataError(f"{name}: holds NUL bytes, so it is not a text table (a binary file, or a damaged "
                        "export). Open it in a spreadsheet and save it as CSV UTF-8 or .xlsx.")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        if "gdal_streamed_alg" in text:
            raise DataError(f"{name}: is a GDAL pipeline (GDALG), not data. Give the GeoJSON or GeoPackage itself.")
        return Kind.GEOJSON
    if text.startswith("<"):
        what = ("a GDAL virtual dataset (VRT), which points at other files" if "OGRVRTDataSource" in text
                or "VRTDataset" in text else "XML or HTML (KML, GML, a web page)")
        raise DataError(f"{name}: is really {what}, not a table or a boundary file. "
                        "Give the data file itself (CSV, .xlsx, GeoJSON, GeoPackage or a zipped Shapefile).")
    if text.startswith("["):
        raise DataError(f"{name}: is a JSON list, not GeoJSON. GeoJSON is one object: {{\"type\": "
                        "\"FeatureCollection\", \"features\": [...]}.")
    return Kind.CSV


def sniff(path: Path, name: str | None = None) -> Kind:
    """The real type of a file from its first bytes (the name is only used in messages)."""
    name = name or path.name
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head.strip():
        raise DataError(f"{name}: is empty. Export the data again and check that the file was saved whole.")
    if head.startswith(b"SQLite format 3\x00"):
        if head[68:72] in (b"GPKG", b"GP10", b"GP11"):
            return Kind.GPKG
        raise DataError(f"{name}: is an SQLite database but not a GeoPackage. Export the layer as GeoPackage.")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise DataError(f"{name}: is a damaged zip archive ({exc}). Make the archive again.") from exc
        return Kind.XLSX if "xl/workbook.xml" in names else Kind.ZIP
    if head.startswith(b"\x00\x00\x27\x0a"):
        return Kind.SHAPEFILE
    for magic, what in _BINARIES.items():
        if head.startswith(magic):
            raise DataError(f"{name}: is {what}. geojkn reads CSV, .xlsx, GeoJSON, GeoPackage and zipped "
                            "Shapefiles.")
    return _text_kind(head, name)


def check_zip(path: Path, limits: Limits = LIMITS, name: str | None = None) -> list[zipfile.ZipInfo]:
    """The members of a zip archive that hold data, after checking every member; DataError names the first fault."""
    name = name or path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{name}: is a damaged zip archive ({exc}). Make the archive again.") from exc
    with archive:
        infos = archive.infolist()
    if len(infos) > limits.members:
        raise DataError(f"{name}: holds {len(infos)} files; at most {limits.members} are read. "
                        "Zip only the data (a Shapefile's .shp, .shx, .dbf and .prj).")
    total = 0
    kept = []
    for info in infos:
        member = PurePosixPath(info.filename.replace("\\", "/"))
        if member.is_absolute() or ".." in member.parts or ":" in info.filename:
            raise DataError(f"{name}: member '{info.filename}' points outside the archive. Make the archive again "
                            "from the files themselves.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DataError(f"{name}: member '{info.filename}' is a link. Zip the files, not links to them.")
        if info.flag_bits & 0x1:
            raise DataError(f"{name}: member '{info.filename}' is encrypted. Zip it without a password.")
        if info.is_dir() or info.filename.startswith(_IGNORED) or member.name in _IGNORED:
            continue
        total += info.file_size
        if info.file_size > limits.ratio * max(info.compress_size, 1) and info.file_size > MB:
            raise DataError(f"{name}: member '{info.filename}' unpacks {info.file_size // max(info.compress_size, 1)} "
                            f"times its packed size (a zip bomb?); at most {limits.ratio} times is read.")
        if total > limits.unpacked_bytes:
            raise DataError(f"{name}: unpacks to more than {limits.unpacked_bytes // MB} MB; "
                            "split it, or zip only the data.")
        kept.append(info)
    return kept


def _unpack(path: Path, infos: list[zipfile.ZipInfo], into: Path, limits: Limits) -> None:
    """Copy members out, counting the bytes written (the sizes in a zip header may lie)."""
    written = 0
    with zipfile.ZipFile(path) as archive:
        for info in infos:
            target = into / PurePosixPath(info.filename.replace("\\", "/")).name
            with archive.open(info) as source, target.open("wb") as out:
                while chunk := source.read(MB):
                    written += len(chunk)
                    if written > limits.unpacked_bytes or written > limits.ratio * max(path.stat().st_size, MB):
                        raise DataError(f"{path.name}: unpacks to more than its header says (a zip bomb?). "
                                        "Make the archive again.")
                    out.write(chunk)


def _data_member(infos: list[zipfile.ZipInfo], name: str, allowed: frozenset[Kind]) -> str:
    """The one data file of an archive: a Shapefile (.shp), a GeoPackage or a GeoJSON."""
    names = [PurePosixPath(i.filename.replace("\\", "/")).name for i in infos]
    if len(set(names)) != len(names):
        raise DataError(f"{name}: holds several files of the same name in different folders. "
                        "Zip one data set at a time.")
    shp = [n for n in names if n.lower().endswith(".shp")]
    other = [n for n in names if n.lower().endswith((".gpkg", ".geojson", ".json"))]
    stray = [n for n in names if Path(n).suffix.lower() not in _SHAPEFILE_PARTS | {".gpkg", ".geojson", ".json"}]
    if stray:
        raise DataError(f"{name}: holds files geojkn does not read ({', '.join(stray[:5])}). "
                        "Zip only a Shapefile's parts (.shp, .shx, .dbf, .prj), or one GeoPackage or GeoJSON.")
    found = shp + other
    if len(found) != 1:
        listed = ", ".join(found) if found else "none"
        raise DataError(f"{name}: must hold exactly one data set (one .shp with its parts, or one GeoPackage or "
                        f"GeoJSON); found {listed}.")
    if shp:
        stem = Path(shp[0]).stem.lower()
        missing = [s for s in (".shx", ".dbf") if f"{stem}{s}" not in {n.lower() for n in names}]
        if missing:
            raise DataError(f"{name}: the Shapefile {shp[0]} lacks its {' and '.join(missing)} part(s). "
                            "Zip every part of the Shapefile together.")
    return found[0]


@contextmanager
def checked(given: str | Path, allowed: frozenset[Kind], *, limits: Limits = LIMITS) -> Iterator[tuple[Path, Kind]]:
    """(a path safe to hand to a reader, its real type); a zip is unpacked into a temporary folder for the while."""
    path = _plain_path(given)
    name = Path(str(given)).name
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise DataError(f"{name}: is {size / MB:.0f} MB; geojkn reads files up to {limits.file_bytes // MB} MB. "
                        "Split the file by kabupaten or by month.")
    kind = sniff(path, name)
    if kind is Kind.ZIP and Kind.ZIP in allowed:
        infos = check_zip(path, limits, name)
        member = _data_member(infos, name, allowed)
        folder = Path(tempfile.mkdtemp(prefix="geojkn-unzip-"))
        try:
            os.chmod(folder, 0o700)
            _unpack(path, infos, folder, limits)
            inner = folder / member
            inner_kind = sniff(inner, f"{name}: {member}")
            if inner_kind not in allowed - {Kind.ZIP}:
                raise DataError(f"{name}: {member} is really {inner_kind.value}, not what its name says.")
            yield inner, inner_kind
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if kind is Kind.XLSX and Kind.XLSX in allowed:
        check_zip(path, limits, name)
    if kind not in allowed:
        wanted = ", ".join(k.value for k in sorted(allowed, key=lambda k: k.value))
        raise DataError(f"{name}: is really {kind.value}; here geojkn reads {wanted}.")
    if kind is Kind.SHAPEFILE and not path.with_suffix(".dbf").exists() and not path.with_suffix(".DBF").exists():
        raise DataError(f"{name}: the Shapefile has no .dbf beside it. Copy all its parts (.shp, .shx, .dbf, .prj) "
                        "together, or zip them.")
    yield path, kind
