"""Files that ship inside the package: the bundled demo (shapes/), the page templates (templates/), the map's
script (maps/geojkn-map.js) and the nginx site for an office (deploy/).

Both folders sit at the top of the source tree and are mapped into the package as geojkn.shapes and
geojkn.templates (setup.cfg), so an installed wheel finds them exactly as a source checkout does.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
from pathlib import Path


def _folder(package: str) -> Path:
    return Path(str(files(package)))


def demo_store() -> Path:
    """The bundled demo store (fictional Kabupaten Sukamaju, 99.01)."""
    return _folder("geojkn.shapes") / "demo.gpkg"


def templates_folder() -> Path:
    """The Jinja templates of the dashboard."""
    return _folder("geojkn.templates")


def nginx_site(port: int, server_name: str, upload_mb: int, listen: str = "80") -> str:
    """The nginx site that stands in front of `geojkn serve --production` on `port` (geojkn/deploy), answering on
    `listen`."""
    template = (_folder("geojkn.deploy") / "nginx-site.conf").read_text(encoding="utf-8")
    return template.format(port=port, server_name=server_name, body_mb=upload_mb + 10, listen=listen)


@cache
def maker() -> str:
    """What made an answer: a digest of geojkn's own code, templates and map script, so that answers and files kept
    for the servers by one release (or one checkout) are never served by another."""
    digest = hashlib.sha256()
    for folder in (Path(__file__).resolve().parent, templates_folder()):
        for path in sorted(p for p in folder.rglob("*") if p.suffix in (".py", ".html", ".js", ".conf")):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
