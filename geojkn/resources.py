"""Files that ship inside the package: the bundled demo (shapes/) and the page templates (templates/).

Both folders sit at the top of the source tree and are mapped into the package as geojkn.shapes and
geojkn.templates (setup.cfg), so an installed wheel finds them exactly as a source checkout does.
"""

from __future__ import annotations

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
