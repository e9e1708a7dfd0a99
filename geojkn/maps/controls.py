"""Page furniture for a map: plain background, the no-data hatch pattern, and zoom-to-landmass buttons."""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

from .geometry import Bounds
from .palettes import (
    MAP_BACKGROUND,
    NO_DATA_BACKGROUND,
    NO_DATA_LINE,
    NO_DATA_PATTERN_ID,
    PARTIAL_PATTERN_ID,
    PARTIAL_STRIPE,
)


class PageStyle(MacroElement):
    """A light background for maps without tiles and the SVG hatch pattern no-data units fill with."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>
                .leaflet-container { background: {{ this.background }}; }
                .leaflet-control-layers { font: 13px/1.4 Arial, Helvetica, sans-serif; }
                .leaflet-bar.geojkn-zoom a { display: block; width: auto; height: auto; padding: 3px 8px;
                    font: 12px/1.4 Arial, sans-serif; color: #222; background: #fff; text-align: left;
                    white-space: nowrap; text-decoration: none; cursor: pointer; }
                .leaflet-bar.geojkn-zoom a:hover { background: #f0f0f0; }
                .leaflet-bar.geojkn-zoom .gj-zoom-title { padding: 3px 8px 1px; background: #fff;
                    font: bold 11px Arial, sans-serif; color: #555; border-radius: 4px 4px 0 0; }
            </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <svg width="0" height="0" style="position:absolute" aria-hidden="true">
                <defs>
                    <pattern id="{{ this.pattern_id }}" patternUnits="userSpaceOnUse" width="6" height="6"
                             patternTransform="rotate(45)">
                        <rect width="6" height="6" fill="{{ this.hatch_background }}"></rect>
                        <line x1="0" y1="0" x2="0" y2="6" stroke="{{ this.hatch_line }}"
                              stroke-width="2"></line>
                    </pattern>
                </defs>
            </svg>
        {% endmacro %}
    """)

    def __init__(self, background: str = MAP_BACKGROUND) -> None:
        super().__init__()
        self._name = "PageStyle"
        self.background = background
        self.pattern_id = NO_DATA_PATTERN_ID
        self.hatch_background = NO_DATA_BACKGROUND
        self.hatch_line = NO_DATA_LINE


class PartialPatterns(MacroElement):
    """One SVG pattern per class colour (the colour striped with white) that partial units fill with."""

    _template = Template("""
        {% macro html(this, kwargs) %}
            <svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
            {% for id, color in this.patterns %}
                <pattern id="{{ id }}" patternUnits="userSpaceOnUse" width="7" height="7"
                         patternTransform="rotate(45)">
                    <rect width="7" height="7" fill="{{ color }}"></rect>
                    <line x1="0" y1="0" x2="0" y2="7" stroke="{{ this.stripe }}" stroke-width="3"></line>
                </pattern>
            {% endfor %}
            </defs></svg>
        {% endmacro %}
    """)

    def __init__(self, colors: tuple[str, ...]) -> None:
        super().__init__()
        self._name = "PartialPatterns"
        self.patterns = [(PARTIAL_PATTERN_ID.format(index=i), color) for i, color in enumerate(colors)]
        self.stripe = PARTIAL_STRIPE


class OpenOnClick(MacroElement):
    """Clicking a unit opens `prefix + code + suffix` in the page that holds the map (the dashboard around the
    map's frame); added to a unit layer of a served map only: an exported file has no server to open."""

    _template = Template("""
        {% macro html(this, kwargs) %}
            <style>.geojkn-unit { cursor: pointer; }</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function() {
                var codes = {{ this.codes|tojson }};
                var prefix = {{ this.prefix|tojson }}, suffix = {{ this.suffix|tojson }};
                {{ this._parent.get_name() }}.eachLayer(function(unit) {
                    unit.on("click", function() {
                        var target = window.top || window;
                        target.location.href = prefix + encodeURIComponent(codes[+unit.feature.id]) + suffix;
                    });
                });
            })();
        {% endmacro %}
    """)

    def __init__(self, codes: list[str], prefix: str, suffix: str) -> None:
        super().__init__()
        self._name = "OpenOnClick"
        self.codes, self.prefix, self.suffix = codes, prefix, suffix


class ZoomTo(MacroElement):
    """Buttons that fit the map to the main area, to each outlying landmass, or to the whole region.

    The title and labels must arrive HTML-escaped.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            (function() {
                var map = {{ this._parent.get_name() }};
                var places = {{ this.places|tojson }};
                var control = L.control({position: "topleft"});
                control.onAdd = function() {
                    var box = L.DomUtil.create("div", "leaflet-bar geojkn-zoom");
                    var head = L.DomUtil.create("div", "gj-zoom-title", box);
                    head.innerHTML = {{ this.title|tojson }};  /* escaped HTML, like every label */
                    places.forEach(function(place) {
                        var link = L.DomUtil.create("a", "", box);
                        link.href = "#";
                        link.setAttribute("role", "button");
                        link.innerHTML = place.label;  /* escaped by the builder */
                        L.DomEvent.on(link, "click", function(e) {
                            L.DomEvent.preventDefault(e);
                            map.fitBounds(place.bounds);
                        });
                    });
                    L.DomEvent.disableClickPropagation(box);
                    return box;
                };
                control.addTo(map);
            })();
        {% endmacro %}
    """)

    def __init__(self, title: str, places: list[tuple[str, Bounds]]) -> None:
        super().__init__()
        self._name = "ZoomTo"
        self.title = title
        self.places = [{"label": label, "bounds": [list(b[0]), list(b[1])]} for label, b in places]
