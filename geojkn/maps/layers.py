"""The folium elements of a map's own layers: the page data as one JSON block, and layers that geojkn-map.js
draws from it (units, the kecamatan outline, names, facility groups), each listed in the layer control.

The JSON goes into the page as it is, past branca's templates: compiling a megabyte of data as a Jinja
template is most of the time a map would otherwise take to render.
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import Figure
from folium.map import Layer
from folium.template import Template

from .elements import Direct, Raw

_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                              "\u2029": "\\u2029"})


def script_json(value: object) -> str:
    """JSON that can stand inside a <script> element: no '<', '>' or '&' left to end or open anything."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).translate(_SCRIPT_SAFE)


class MapData(Direct):
    """The page data of one map (pagedata.py) in a <script type="application/json"> block."""

    def __init__(self, data: dict[str, object]) -> None:
        super().__init__()
        self._name = "MapData"
        self.data = data

    @property
    def element_id(self) -> str:
        return f"{self.get_name()}-data"

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # adds to the page, like MacroElement
        figure = self.get_root()
        assert isinstance(figure, Figure), "a map's data is written into its page"
        block = f'<script type="application/json" id="{self.element_id}">{script_json(self.data)}</script>'
        figure.html.add_child(Raw(block), name=self.get_name())


class UnitsLayer(Layer, Direct):
    """The units, drawn on canvas from the page data; also makes the outline and the names that go with them."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }}_labels = L.layerGroup();
            var {{ this.get_name() }}_units = new geojkn.Units({{ this._parent.get_name() }},
                geojkn.data({{ this.data_id|tojson }}),
                {{ this.get_name() }}_labels);
            geojkn.maps.push({{ this.get_name() }}_units);
            var {{ this.get_name() }} = {{ this.get_name() }}_units.group;
        {% endmacro %}
    """)

    def __init__(self, data: MapData, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "Units"
        self.data_id = data.element_id


class PartOfUnits(Layer, Direct):
    """A layer that the units layer made (`part`: 'outline' or 'labels'), listed on its own."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = {{ this.source }};
        {% endmacro %}
    """)

    def __init__(self, units: UnitsLayer, part: str, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "PartOfUnits"
        self.source = f"{units.get_name()}_units.outlineLayer" if part == "outline" else f"{units.get_name()}_labels"


class FacilityLayers(Direct):
    """Decodes the facilities of the page data once; each FacilityGroup takes its own layer from it."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = geojkn.facilities({{ this._parent.get_name() }},
                geojkn.data({{ this.data_id|tojson }}).facilities);
        {% endmacro %}
    """)

    def __init__(self, data: MapData) -> None:
        super().__init__()
        self._name = "FacilityLayers"
        self.data_id = data.element_id


class FacilityGroup(Layer, Direct):
    """One facility group (FKTP, rumah sakit, ...) as a layer of the control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = {{ this.source }}[{{ this.position }}];
        {% endmacro %}
    """)

    def __init__(self, layers: FacilityLayers, position: int, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "FacilityGroup"
        self.source = layers.get_name()
        self.position = position
