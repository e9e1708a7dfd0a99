"""Maps: choropleths of coverage with facility layers, built with folium; no web framework in here."""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class _ImportedOnFirstUse(types.ModuleType):
    """A module imported when one of its names is first used: folium imports `requests` at its top (a twentieth
    of a second) for fetching data from an address, which geojkn never asks it to do."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


if "requests" not in sys.modules:
    sys.modules["requests"] = _ImportedOnFirstUse("requests")

from .assets import AssetMode, page_of, vendor_files, vendor_sources  # noqa: E402  (folium, after the above)
from .choropleth import build_map  # noqa: E402
from .classify import Classification, class_labels, classify  # noqa: E402
from .export import export_html  # noqa: E402
from .legend import legend_html  # noqa: E402

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
