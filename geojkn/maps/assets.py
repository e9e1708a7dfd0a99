"""Leaflet's JavaScript and CSS from installed xstatic packages, and our own map script (geojkn-map.js, shipped
in this package): served by the web layer or inlined.

Folium's Map declares CDN links in class attributes (default_js/default_css). The map builder empties them on
each instance (never on the class, which would change every later map) and adds the elements below instead.
Folium's other defaults are dropped because nothing here uses them: jQuery (only folium's Popup needs it; the
maps use tooltips), Bootstrap (no working xstatic package, and only folium's awesome-marker icons use it),
awesome-markers and Font Awesome (facilities are drawn as coloured circles, which need no icon font).
"""

from __future__ import annotations

import base64
import html
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure
from folium.elements import JSCSSMixin

from .safety import escape_script

# Public name (the URL path under the vendor prefix) -> (xstatic module, path inside its data dir).
# The image names keep leaflet.css's relative url(images/...) working when the files are served.
VENDOR = {
    "leaflet.js": ("xstatic.pkg.leaflet", "leaflet.js"),
    "leaflet.css": ("xstatic.pkg.leaflet", "leaflet.css"),
    "images/layers.png": ("xstatic.pkg.leaflet", "images/layers.png"),
    "images/layers-2x.png": ("xstatic.pkg.leaflet", "images/layers-2x.png"),
    "images/marker-icon.png": ("xstatic.pkg.leaflet", "images/marker-icon.png"),
    "images/marker-icon-2x.png": ("xstatic.pkg.leaflet", "images/marker-icon-2x.png"),
    "images/marker-shadow.png": ("xstatic.pkg.leaflet", "images/marker-shadow.png"),
    "geojkn-map.js": ("geojkn.maps", "geojkn-map.js"),  # our own: decodes and draws a map's page data
}
MAP_SCRIPTS = ("leaflet.js", "geojkn-map.js")
MAP_STYLES = ("leaflet.css",)
MODES = ("served", "inline")
_CSS_URL = re.compile(r"url\((['\"]?)(images/[\w.-]+\.png)\1\)")


@dataclass(frozen=True)
class AssetMode:
    """How a map loads its JS/CSS: 'served' from <prefix>/<name>, or 'inline' in the page itself."""

    mode: str = "served"
    prefix: str = "/static/vendor"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"asset mode must be one of {MODES}, not {self.mode!r}")


def vendor_sources() -> dict[str, tuple[Path, str]]:
    """Each vendor file's name -> (package data directory, path relative to it)."""
    return {name: (_package_dir(module), rel) for name, (module, rel) in VENDOR.items()}


def vendor_files() -> dict[str, Path]:
    """Each vendor file's name -> its path on disk, for serving at <prefix>/<name>."""
    return {name: base / rel for name, (base, rel) in vendor_sources().items()}


def _package_dir(module: str) -> Path:
    found = importlib.import_module(module)
    base = getattr(found, "BASE_DIR", None)  # an xstatic package's data folder; else the package's own folder
    return Path(base) if base else Path(str(found.__file__)).parent


def vendor_text(name: str) -> str:
    """The text of a vendor JS/CSS file; CSS images become data: URIs so the text stands alone."""
    text = vendor_files()[name].read_text(encoding="utf-8")
    if name.endswith(".css"):
        text = _CSS_URL.sub(lambda m: f"url({_data_uri(m.group(2))})", text)
    return text


def _data_uri(name: str) -> str:
    data = base64.b64encode(vendor_files()[name].read_bytes()).decode("ascii")
    return f"data:image/png;base64,{data}"


class VendorAsset(Element):
    """A <script> or stylesheet for one vendor file: a link in 'served' mode, inline otherwise.

    export_html swaps the linked form for the inline one, whatever the mode the map was built in.
    """

    def __init__(self, name: str, mode: AssetMode) -> None:
        super().__init__()
        if name not in VENDOR:
            raise ValueError(f"unknown vendor file {name!r}")
        self._name = "VendorAsset"
        self.asset = name
        self.mode = mode

    def render(self, **kwargs: Any) -> str:
        """The tag for this file as the map's asset mode asks (inline also with embedded=True)."""
        return self.tag(inline=bool(kwargs.get("embedded")) or self.mode.mode == "inline")

    def tag(self, inline: bool) -> str:
        """A <script>/<style> holding the file, or a <script src>/<link> pointing at <prefix>/<name>."""
        is_js = self.asset.endswith(".js")
        if inline:
            kind = "script" if is_js else "style"
            return f"<{kind}>{escape_script(vendor_text(self.asset), kind)}</{kind}>"
        url = html.escape(f"{self.mode.prefix.rstrip('/')}/{self.asset}", quote=True)
        if is_js:
            return f'<script src="{url}"></script>'
        return f'<link rel="stylesheet" href="{url}"/>'


def vendor_assets(figure: Figure) -> list[VendorAsset]:
    """The vendor elements in a page's head, in order."""
    return [child for child in figure.header._children.values() if isinstance(child, VendorAsset)]


def page_of(fmap: folium.Map) -> Figure:
    """The HTML page (branca Figure) a map is drawn in."""
    root = fmap.get_root()
    if not isinstance(root, Figure):
        raise TypeError("a folium map is always drawn in a Figure")
    return root


def detach_cdn_links(element: JSCSSMixin) -> None:
    """Empty an element's own CDN link lists, leaving its class (and so every other map) alone."""
    element.default_js = []
    element.default_css = []


def add_assets(figure: Figure, mode: AssetMode, names: tuple[str, ...]) -> None:
    """Put vendor files into the page head, in order, each once."""
    for name in names:
        figure.header.add_child(VendorAsset(name, mode), name=f"vendor-{name}")
