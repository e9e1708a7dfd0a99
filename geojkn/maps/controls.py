"""Page furniture for a map: plain background, styles of names and tooltips, zoom-to-landmass buttons, fitting."""

from __future__ import annotations

from folium.template import Template

from .elements import Direct
from .geometry import Bounds
from .palettes import MAP_BACKGROUND


class PageStyle(Direct):
    """A light background for maps without tiles, and the look of names, tooltips and buttons."""

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
                .geojkn-label { pointer-events: none; }
                .geojkn-label span { display: block; white-space: nowrap; text-align: center;
                    font: 11px/14px Arial, Helvetica, sans-serif; color: #111;
                    text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
                .geojkn-label.gj-upper span { font: bold 12px/16px Arial, Helvetica, sans-serif;
                    letter-spacing: 0.04em; text-transform: uppercase; color: #000; }
                .leaflet-tooltip { font: 12px Arial, Helvetica, sans-serif; }
                table.gj-tip { border-collapse: collapse; }
                table.gj-tip th { text-align: left; font-weight: bold; padding: 0 8px 0 0; vertical-align: top; }
                table.gj-tip td { padding: 0; }
                @media print {  /* on paper: the map, its legend, names and scale; no buttons */
                    .leaflet-control-zoom, .geojkn-zoom, .leaflet-control-layers { display: none !important; }
                }
            </style>
        {% endmacro %}
    """)

    def __init__(self, background: str = MAP_BACKGROUND) -> None:
        super().__init__()
        self._name = "PageStyle"
        self.background = background


class ZoomTo(Direct):
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
                            map.fitBounds(place.bounds, map.geojknPadding ? map.geojknPadding() : {});
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


class Fitting(Direct):
    """What makes a map work at every size: a metric-only scale bar; on a small screen (under 800 px wide or
    500 px high) the layer list and the legend start folded, each behind its own button; and the home view
    fitted so that no unit lies under the legend (the map is fitted again, with the legend's width as padding,
    once the legend is on the page and whenever the window changes size). Added after the legend and the
    layer control; the zoom buttons fit the same way."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>
                .geojkn-legend .gj-fold { display: none; font: bold 12px Arial, sans-serif; border: 0;
                    background: none; padding: 0; cursor: pointer; color: #222; }
                .geojkn-legend.gj-small .gj-fold { display: block; }
                .geojkn-legend.gj-folded > :not(.gj-fold) { display: none; }
                .leaflet-control-scale-line { font-size: 11px; }
                .geojkn-zoom.gj-small .gj-zoom-title { cursor: pointer; }
                .geojkn-zoom.gj-small .gj-zoom-title::after { content: " ▾"; }
                .geojkn-zoom.gj-folded a { display: none; }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function() {
                var map = {{ this._parent.get_name() }};
                var home = {{ this.home|tojson }};
                var small = function() { return window.innerWidth < 800 || window.innerHeight < 500; };
                L.control.scale({imperial: false, metric: true, maxWidth: 120}).addTo(map);
                var legend = document.querySelector(".geojkn-legend");
                if (legend) {
                    var fold = document.createElement("button");
                    fold.className = "gj-fold";
                    fold.type = "button";
                    fold.textContent = {{ this.legend_word|tojson }};
                    fold.setAttribute("aria-expanded", "true");
                    fold.addEventListener("click", function() {
                        var folded = legend.classList.toggle("gj-folded");
                        fold.setAttribute("aria-expanded", folded ? "false" : "true");
                    });
                    legend.insertBefore(fold, legend.firstChild);
                }
                var layers = document.querySelector(".leaflet-control-layers");
                var toggle = layers && layers.querySelector(".leaflet-control-layers-toggle");
                if (toggle) {  /* on a small screen the list opens from its button and closes on the map */
                    toggle.addEventListener("click", function(e) {  /* Leaflet opens it on focus too */
                        e.preventDefault();
                        layers.classList.add("leaflet-control-layers-expanded");
                    });
                    map.on("click", function() {
                        if (small()) { layers.classList.remove("leaflet-control-layers-expanded"); }
                    });
                }
                var whole = {{ this.whole|tojson }}, outlying = {{ this.outlying|tojson }};
                var shown = function() { return legend && !legend.classList.contains("gj-folded"); };
                var padding = function() {
                    var title = document.querySelector(".geojkn-title");  /* an export's title, bottom left */
                    var below = Math.max(shown() ? 10 : 40, title ? title.offsetHeight + 40 : 0);
                    return {paddingTopLeft: [10, 10], paddingBottomRight: [shown() ? legend.offsetWidth + 20 : 10,
                            below], animate: false};
                };
                var underLegend = function(bounds) {  /* does a landmass lie (partly) under the legend now? */
                    var a = map.latLngToContainerPoint(bounds[0]), b = map.latLngToContainerPoint(bounds[1]);
                    var box = map.getContainer().getBoundingClientRect(), r = legend.getBoundingClientRect();
                    var left = Math.min(a.x, b.x) + box.left, right = Math.max(a.x, b.x) + box.left;
                    var top = Math.min(a.y, b.y) + box.top, bottom = Math.max(a.y, b.y) + box.top;
                    return !(right < r.left || left > r.right || bottom < r.top || top > r.bottom);
                };
                var fitHome = function() {
                    map.stop();  /* a pan Leaflet started on resize would otherwise land after this fit */
                    map.fitBounds(home, padding());
                    /* an outlying island the legend would hide: show the whole region instead */
                    if (shown() && outlying.some(underLegend)) { map.fitBounds(whole, padding()); }
                };
                map.geojknPadding = padding;
                var zoomBox = document.querySelector(".geojkn-zoom");
                var zoomTitle = zoomBox && zoomBox.querySelector(".gj-zoom-title");
                if (zoomTitle) {  /* on a small screen the zoom buttons fold behind their title */
                    zoomTitle.setAttribute("role", "button");
                    zoomTitle.addEventListener("click", function() {
                        if (small()) { zoomBox.classList.toggle("gj-folded"); }
                    });
                }
                var arrange = function() {
                    if (layers) { layers.classList.toggle("leaflet-control-layers-expanded", !small()); }
                    if (zoomBox) {
                        zoomBox.classList.toggle("gj-small", small());
                        zoomBox.classList.toggle("gj-folded", small());
                    }
                    if (legend) {
                        legend.classList.toggle("gj-small", small());
                        if (small()) { legend.classList.add("gj-folded"); }
                        var fold = legend.querySelector(".gj-fold");
                        var open = !legend.classList.contains("gj-folded");
                        if (fold) { fold.setAttribute("aria-expanded", open ? "true" : "false"); }
                    }
                    fitHome();
                };
                map.geojknFitHome = fitHome;
                arrange();
                /* once the page is laid out (a frame may be sized only then), measure and fit again */
                var again = function() { map.invalidateSize(false); arrange(); };
                window.addEventListener("load", function() { setTimeout(again, 250); });
                window.addEventListener("beforeprint", again);
                window.addEventListener("afterprint", again);
                var timer = null;
                window.addEventListener("resize", function() {
                    clearTimeout(timer);
                    timer = setTimeout(again, 200);
                });
            })();
        {% endmacro %}
    """)

    def __init__(self, home: Bounds, whole: Bounds, outlying: list[Bounds], legend_word: str) -> None:
        super().__init__()
        self._name = "Fitting"
        self.home = [list(home[0]), list(home[1])]
        self.whole = [list(whole[0]), list(whole[1])]
        self.outlying = [[list(b[0]), list(b[1])] for b in outlying]
        self.legend_word = legend_word


class TitleBlock(Direct):
    """The exported map's own title: the region, what is mapped and when, the key figures, the target and the
    source, in the bottom-left corner; folded to its first line on a small screen; and a print layout that
    puts the whole map on one A4 landscape page. Every line must arrive HTML-escaped."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>
                .geojkn-title { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 4px;
                    box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.4 Arial, Helvetica, sans-serif;
                    color: #1d2b36; max-width: 340px; }
                .geojkn-title h1 { font-size: 15px; margin: 0 0 2px; }
                .geojkn-title p { margin: 2px 0; }
                .geojkn-title .gj-key { font-weight: bold; font-size: 13px; }
                .geojkn-title .gj-muted { color: #5b6b78; font-size: 11px; }
                .geojkn-title.gj-small h1 { cursor: pointer; }
                .geojkn-title.gj-small h1::after { content: " ▾"; }
                .geojkn-title.gj-folded p { display: none; }
                @media print {
                    @page { size: A4 landscape; margin: 8mm; }
                    html, body { width: 281mm; height: 194mm; margin: 0; overflow: hidden; }
                    .folium-map { position: absolute !important; inset: 0 !important; width: 281mm !important;
                        height: 194mm !important; }
                    .leaflet-control-zoom, .geojkn-zoom, .leaflet-control-layers, .geojkn-legend .gj-fold {
                        display: none !important; }
                    .geojkn-title.gj-folded p, .geojkn-legend.gj-folded > * { display: block !important; }
                }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function() {
                var map = {{ this._parent.get_name() }};
                var lines = {{ this.lines|tojson }};
                var control = L.control({position: "bottomleft"});
                control.onAdd = function() {
                    var box = L.DomUtil.create("div", "geojkn-title");
                    var head = L.DomUtil.create("h1", "", box);
                    head.innerHTML = lines[0];  /* escaped by the builder, like every line */
                    lines.slice(1).forEach(function(line, i) {
                        var kind = i === 0 ? "gj-key" : (i === lines.length - 2 ? "gj-muted" : "");
                        var p = L.DomUtil.create("p", kind, box);
                        p.innerHTML = line;
                    });
                    head.addEventListener("click", function() {
                        if (box.classList.contains("gj-small")) { box.classList.toggle("gj-folded"); }
                    });
                    L.DomEvent.disableClickPropagation(box);
                    return box;
                };
                control.addTo(map);
                var small = function() { return window.innerWidth < 800 || window.innerHeight < 500; };
                var box = document.querySelector(".geojkn-title");
                var arrange = function() {
                    box.classList.toggle("gj-small", small());
                    box.classList.toggle("gj-folded", small());
                };
                arrange();
                window.addEventListener("resize", arrange);
                var refit = function() {
                    map.invalidateSize(false);
                    if (map.geojknFitHome) { map.geojknFitHome(); }
                };
                window.addEventListener("beforeprint", refit);
                window.addEventListener("afterprint", refit);
            })();
        {% endmacro %}
    """)

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self._name = "TitleBlock"
        self.lines = lines
