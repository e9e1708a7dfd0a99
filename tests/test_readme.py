"""The README is the user's manual: every command, option, route and setting must be in it."""

from pathlib import Path

import pytest

from geojkn.cli import build_parser
from geojkn.web.app import DEFAULTS, create_app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def subcommands():
    parser = build_parser()
    return parser._subparsers._group_actions[0].choices


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_command_and_option_is_documented(name):
    assert f"`{name}" in README, f"command {name} is not in the README"
    for action in subcommands()[name]._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert flag in README, f"{name} {flag} is not in the README"


def test_every_setting_is_documented():
    for key in DEFAULTS:
        assert f"`{key}`" in README


def test_every_route_is_documented(monkeypatch):
    monkeypatch.delenv("GEOJKN_STORE", raising=False)
    app = create_app({"TESTING": True})
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("views.vendor",):
            continue
        path = rule.rule
        assert f"`{path}`" in README or path.rsplit(".", 1)[0] in README, f"{path} is not in the README"
