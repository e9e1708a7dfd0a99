"""Page elements that write what their template's macros give straight into the page.

branca's MacroElement hands each macro's output to a new Element, which compiles it as a Jinja template once
more; for a map's own scripts and styles, which hold no template code, that second compile is wasted time.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, Figure, MacroElement


class Raw(Element):
    """A fixed piece of the page, written as it is (never compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class Direct(MacroElement):
    """A MacroElement whose header, html and script macros go into the page as they are rendered."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # adds to the page, like MacroElement
        figure = self.get_root()
        assert isinstance(figure, Figure), "an element is rendered inside its page"
        for part, where in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                where.add_child(Raw(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
