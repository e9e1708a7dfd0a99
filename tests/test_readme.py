"""The README is the user's manual: every command, option, setting and route, read from their declarations."""

from pathlib import Path

import pytest

from geojkn.options import COMMANDS, OPTIONS_BY_NAME, PRESET_TIERS, SETTINGS, Option
from geojkn.web.params import PARAMETERS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def table_row(first_cell: str) -> str:
    """The README table row whose first cell starts with `first_cell`."""
    rows = [line for line in README.splitlines() if line.startswith(f"| {first_cell}")]
    assert rows, f"no README table row starts with {first_cell!r}"
    return rows[0]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_and_its_options_are_documented(command):
    row = table_row(f"`{command.name}")
    for option in command.options:
        assert option.flag in row, f"{command.name} {option.flag} is not in its README row"


@pytest.mark.parametrize("option", OPTIONS_BY_NAME.values(), ids=lambda o: o.name)
def test_every_option_has_a_row_with_its_values_and_default(option: Option):
    row = table_row(f"`{option.flag}`")
    for value in option.choices:
        assert f"`{value}`" in row, f"{option.flag}: value {value} is not in its README row"
    default = option.default
    if option.setting:
        assert f"`{option.setting}`" in row, f"{option.flag}: the setting {option.setting} is not named"
        default = next(s.default for s in SETTINGS if s.name == option.setting)
    if default is not None and not option.switch:
        shown = _written(default)
        assert f"`{shown}`" in row, f"{option.flag}: the default {shown} is not in its README row"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_with_its_default(setting):
    row = table_row(f"`{setting.name}`")
    assert setting.default is None or f"`{_written(setting.default)}`" in row


def _written(value: object) -> object:
    """A default as the README writes it: 5.0 km is 5, a preset by its name."""
    if isinstance(value, bool):
        return "1" if value else "0"
    presets = {tiers: name for name, tiers in PRESET_TIERS.items()}
    if isinstance(value, tuple) and value in presets:
        return presets[value]
    return f"{value:g}" if isinstance(value, float) else value


def test_every_route_and_its_parameters_are_documented(monkeypatch):
    from geojkn import create_app

    monkeypatch.delenv("GEOJKN_STORE", raising=False)
    app = create_app({"TESTING": True})
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "views.vendor":
            continue
        assert rule.endpoint in PARAMETERS, f"{rule.endpoint} declares no parameters in web/params.py"
        path = rule.rule.replace(".json", "").replace(".csv", "") if "ranking" in rule.rule else rule.rule
        row = table_row(f"`{path}")
        for option in PARAMETERS[rule.endpoint]:
            assert f"`{option.name}`" in row, f"{rule.rule}: parameter {option.name} is not in its README row"


def test_the_rules_state_the_thresholds_the_code_uses():
    from geojkn.analysis.file_check import DISAGREEMENT, MAIN_SHARE, STRAY_ROWS, STRAY_SHARE
    from geojkn.readers.figures import PERCENT_MAX, PERCENT_SHARE

    assert f"by more than {DISAGREEMENT:.0%}".replace("%", " %") in README
    assert MAIN_SHARE == 0.5 and "for at least half of" in README and "for less\nthan half" in README
    assert f"at most {STRAY_ROWS}, or {STRAY_SHARE:.0%}".replace("%", " %") in README
    assert f"no value above {PERCENT_MAX} whose median is below {PERCENT_SHARE:.0%}".replace("%", " %") in README


def test_the_file_checks_state_the_limits_the_code_uses():
    from geojkn.formatting import format_int
    from geojkn.readers.files import LIMITS, MB
    from geojkn.readers.numbers import MAX_COUNT

    text = " ".join(README.split())  # the manual wraps lines anywhere
    assert f"files up to {LIMITS.file_bytes // MB} MB" in text
    assert f"more than {LIMITS.members} members" in text
    assert f"more than {LIMITS.unpacked_bytes // (1024 * MB)} GB unpacked" in text
    assert f"over {LIMITS.ratio} times its packed size" in text
    assert f"up to {format_int(LIMITS.rows)} rows and {LIMITS.columns} columns" in text
    assert f"fields up to {format_int(LIMITS.field_chars)} characters" in text
    assert MAX_COUNT > 280_000_000 and "above Indonesia's population" in text
