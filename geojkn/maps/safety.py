"""Escaping for strings from data on their way into HTML that folium and Leaflet insert with innerHTML."""

from __future__ import annotations

import html
import math

from ..formatting import MISSING

# Folium writes tooltip text into JavaScript template literals (`...`) and Leaflet then sets it as
# innerHTML. After html.escape a string holds no '<', '>', '&', quotes; replacing the three characters
# that still mean something inside a template literal with their HTML entities makes the text inert in
# both places, and the browser shows the original characters.
_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def text_or_missing(value: object) -> str:
    """The value as text, with None/NaN shown as the missing-value dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return str(value)


def escape_text(value: object) -> str:
    """HTML-escape a value for innerHTML, also safe inside a JavaScript template literal."""
    return html.escape(text_or_missing(value), quote=True).translate(_TEMPLATE_LITERAL)


def escape_script(code: str, tag: str = "script") -> str:
    """Make code safe to inline between <tag> and </tag>: no closing tag and no comment opener inside."""
    # '<\/script' reads the same inside a JS string or regex; '<\!--' avoids the parser's escaped state.
    closing = "</" + tag
    out = []
    lower = code.lower()
    start = 0
    while True:
        found = lower.find(closing, start)
        if found < 0:
            break
        out.append(code[start:found])
        out.append("<\\/" + code[found + 2 : found + 2 + len(tag)])
        start = found + len(closing)
    out.append(code[start:])
    return "".join(out).replace("<!--", "<\\!--")
