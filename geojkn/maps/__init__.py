"""Maps: choropleths of coverage with facility layers, built with folium; no web framework in here."""

from __future__ import annotations

from .assets import AssetMode, page_of, vendor_files, vendor_sources
from .choropleth import build_map
from .classify import Classification, class_labels, classify
from .export import export_html
from .legend import legend_html

__all__ = [
    "AssetMode",
    "Classification",
    "build_map",
    "class_labels",
    "classify",
    "export_html",
    "legend_html",
    "page_of",
    "vendor_files",
    "vendor_sources",
]
