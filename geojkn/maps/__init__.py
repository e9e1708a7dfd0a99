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

# The package's names are imported when first used (PEP 562): a printed sheet uses the classes and labels of
# maps/ without loading folium (about a second).
_NAMES = {"AssetMode": "assets", "page_of": "assets", "vendor_files": "assets", "vendor_sources": "assets",
          "build_map": "choropleth", "Classification": "classify", "class_labels": "classify",
          "classify": "classify", "export_html": "export", "legend_html": "legend"}


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)


__all__ = sorted(_NAMES)
