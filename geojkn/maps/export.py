"""One standalone HTML file from a map: every JS/CSS inlined, nothing fetched but optional OSM tiles."""

from __future__ import annotations

import re

import folium

from .assets import page_of, vendor_assets

# A <script src>, <link href> or <img src> that would make the browser fetch something.
_FETCHING_TAG = re.compile(r"<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?([^\"'\s>]+)",
                           re.IGNORECASE)


def export_html(fmap: folium.Map) -> str:
    """The map as one self-contained HTML page (vendor files inlined, CSS images as data: URIs)."""
    root = page_of(fmap)
    page = root.render()
    # Each vendor tag is a fixed string we generated; data never yields it, because every string from
    # data reaches the page escaped ('<' as &lt; or \u003c). Swapping it in place keeps the map as built.
    for asset in vendor_assets(root):
        page = page.replace(asset.tag(inline=False), asset.tag(inline=True), 1)
    fetched = remote_references(page)
    if fetched:
        raise ValueError(f"the map still loads files from elsewhere: {', '.join(sorted(set(fetched)))}")
    return page


def remote_references(page: str) -> list[str]:
    """URLs that tags in the page would fetch when opened (data: URIs do not count)."""
    return [url for url in _FETCHING_TAG.findall(page) if not url.lower().startswith("data:")]
