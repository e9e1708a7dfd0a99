"""Our own HTML legend (branca's colormap legend would load d3 from a CDN): every string escaped."""

from __future__ import annotations

from folium.template import Template

from ..formatting import format_int, format_percent
from ..options import Lang
from ..period import Period
from ..vocabulary import FACILITY_GROUP_NAMES, metric_title, period_text, word
from .classify import Classification, class_labels
from .elements import Direct
from .palettes import (
    BELOW_TARGET_BORDER,
    FACILITY_COLORS,
    IMPLAUSIBLE_BORDER,
    NO_DATA_BACKGROUND,
    NO_DATA_BORDER,
    NO_DATA_LINE,
)
from .safety import escape_text

LEGEND_CSS = f"""
.geojkn-legend {{ background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.35 Arial, Helvetica, sans-serif;
  color: #222; max-width: 290px; }}
.geojkn-legend h4 {{ margin: 0 0 2px; font-size: 14px; }}
.geojkn-legend .gj-metric {{ font-weight: bold; margin-bottom: 4px; }}
.geojkn-legend .gj-meta {{ color: #555; }}
.geojkn-legend .gj-note {{ font-size: 11px; margin-top: 3px; }}
.geojkn-legend table {{ border-collapse: collapse; margin: 4px 0; }}
.geojkn-legend td {{ padding: 1px 4px 1px 0; vertical-align: middle; }}
.geojkn-legend td.gj-count {{ text-align: right; color: #555; padding-left: 10px; }}
.geojkn-legend .gj-swatch {{ display: inline-block; width: 22px; height: 13px;
  border: 1px solid #636363; }}
.geojkn-legend .gj-nodata {{ border: 1px dashed {NO_DATA_BORDER};
  background: repeating-linear-gradient(45deg, {NO_DATA_BACKGROUND} 0 3px, {NO_DATA_LINE} 3px 4px); }}
.geojkn-legend .gj-partial {{ background: repeating-linear-gradient(45deg, #fd8d3c 0 3px, #ffffff 3px 6px); }}
.geojkn-legend .gj-odd {{ border: 1.5px dashed {IMPLAUSIBLE_BORDER};
  background: repeating-linear-gradient(45deg, {NO_DATA_BACKGROUND} 0 3px, {NO_DATA_LINE} 3px 4px); }}
.geojkn-legend .gj-below {{ background: #fff; border: 2.5px dotted {BELOW_TARGET_BORDER}; }}
.geojkn-legend .gj-ring {{ background: #fff; border: 2px dashed #555; box-shadow: none; }}
.geojkn-legend .gj-dot {{ display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  border: 1.5px solid #fff; box-shadow: 0 0 0 1px #555; margin: 0 5px 0 4px; }}
"""


def legend_html(classification: Classification, *, title: str | None, metric_name: str | None = None,
                period: Period | str | None,
                source: str | None, lang: Lang = Lang.ID, target: float = 0.95,
                facility_groups: tuple[str, ...] = (), below_target: bool = False,
                partial: tuple[bool, ...] = (), approximate: bool = False, note: str | None = None,
                implausible: int = 0) -> str:
    """The legend as an HTML fragment: title, metric, period, source, classes with counts, extras, and a note on
    the method where the metric needs one."""
    goal = format_percent(target, 0, lang)
    parts = ['<div class="geojkn-legend-body">']
    if title:
        parts.append(f"<h4>{escape_text(title)}</h4>")
    name = metric_name or metric_title(classification.metric, lang, goal)
    parts.append(f'<div class="gj-metric">{escape_text(name)}</div>')
    parts.append(_class_table(classification, lang, goal, below_target, partial, implausible))
    parts.append(_facility_list(facility_groups, lang, approximate))
    when = period_text(period, lang)
    if when:
        parts.append(f'<div class="gj-meta">{escape_text(word("period", lang))}: {escape_text(when)}</div>')
    if source:
        parts.append(f'<div class="gj-meta">{escape_text(word("source", lang))}: {escape_text(source)}</div>')
    if note:
        parts.append(f'<div class="gj-meta gj-note">{escape_text(note)}</div>')
    parts.append("</div>")
    return "".join(parts)


def _row(swatch: str, label: str, count: str = "") -> str:
    return f'<tr><td>{swatch}</td><td>{label}</td><td class="gj-count">{count}</td></tr>'


def _class_table(classification: Classification, lang: Lang, goal: str, below_target: bool,
                 partial: tuple[bool, ...], implausible: int = 0) -> str:
    """Each class with the number of whole units in it, then no data, partial units, units whose figures cannot be
    true, and the target outline."""
    rows = []
    labels = class_labels(classification, lang)
    whole = [cls for cls, part in zip(classification.index, partial or (False,) * len(classification.index),
                                      strict=True) if not part]
    for i, (color, label) in enumerate(zip(classification.colors, labels, strict=True)):
        swatch = f'<span class="gj-swatch" style="background:{escape_text(color)}"></span>'
        rows.append(_row(swatch, escape_text(label), format_int(whole.count(i), lang)))
    rows.append(_row('<span class="gj-swatch gj-nodata"></span>', escape_text(word("no_data", lang)),
                     format_int(classification.no_data, lang)))
    if any(partial):
        rows.append(_row('<span class="gj-swatch gj-partial"></span>', escape_text(word("partial_legend", lang)),
                         format_int(sum(partial), lang)))
    if implausible:
        rows.append(_row('<span class="gj-swatch gj-odd"></span>', escape_text(word("implausible_map", lang)),
                         format_int(implausible, lang)))
    if below_target:
        rows.append(_row('<span class="gj-swatch gj-below"></span>',
                         escape_text(word("below_target", lang, target=goal))))
    return f'<table class="gj-classes">{"".join(rows)}</table>'


def _facility_list(groups: tuple[str, ...], lang: Lang, approximate: bool) -> str:
    if not groups:
        return ""
    rows = [f'<div class="gj-meta">{escape_text(word("facilities", lang))}</div><table class="gj-facilities">']
    for group in groups:
        dot = f'<span class="gj-dot" style="background:{escape_text(FACILITY_COLORS[group])}"></span>'
        rows.append(_row(dot, escape_text(FACILITY_GROUP_NAMES[lang][group])))
    if approximate:
        rows.append(_row('<span class="gj-dot gj-ring"></span>', escape_text(word("approximate_legend", lang))))
    rows.append("</table>")
    return "".join(rows)


class Legend(Direct):
    """A Leaflet control in the bottom-right corner that holds the legend HTML."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function() {
                var legend = L.control({position: "bottomright"});
                legend.onAdd = function() {
                    var div = L.DomUtil.create("div", "geojkn-legend");
                    div.innerHTML = {{ this.body|tojson }};
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                };
                legend.addTo({{ this._parent.get_name() }});
            })();
        {% endmacro %}
    """)

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "Legend"
        # The body is already escaped HTML; tojson turns '<' into \\u003c, so no '</script>' can appear.
        self.body = body
        self.css = LEGEND_CSS
