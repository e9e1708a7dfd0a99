"""Options declared once: one rule and one message for each, on the command line, on the web and in settings."""

from __future__ import annotations

import pytest
from markupsafe import escape

from geojkn import create_app
from geojkn.cli import build_parser
from geojkn.errors import DataError
from geojkn.options import COMMANDS, OPTIONS_BY_NAME, Settings
from geojkn.period import Period

BAD = [("level", "rt"), ("metric", "happiness"), ("period", "2024-13"), ("classes", "jenks"),
       ("basemap", "google"), ("target", "0.15"), ("target", "95"), ("target", "lots"), ("lang", "fr")]


def message(name: str, value: str) -> str:
    with pytest.raises(DataError) as refused:
        OPTIONS_BY_NAME[name].read(value)
    return str(refused.value)


@pytest.mark.parametrize("name, value", BAD)
def test_a_bad_value_gets_the_same_message_from_the_cli_the_web_and_the_api(name, value, runner, client, tmp_path):
    expected = message(name, value)
    result = runner("export", "99.01", "-o", tmp_path / "x.html", f"--{name}", value)
    assert result.status == 2 and expected in result.err
    page = client.get(f"/r/99.01/map?{name}={value}")
    assert page.status_code == 400 and str(escape(expected)) in page.get_data(as_text=True)
    if name in ("level", "metric", "period", "target"):
        api = client.get(f"/api/regions/99.01/ranking.json?{name}={value}")
        assert api.status_code == 400 and api.get_json()["error"] == expected


@pytest.mark.parametrize("value, share", [("0.95", 0.95), ("0,98", 0.98), ("1", 1.0), ("0.5", 0.5)])
def test_targets_read_the_same_everywhere(value, share, runner, client):
    result = runner("summary", "99.01", "--json", "--target", value)
    assert result.status == 0 and f'"target": {share}' in result.out
    assert client.get(f"/api/regions/99.01/summary?target={value}").get_json()["target"] == share


def test_every_flag_of_the_parser_is_declared_in_the_table():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps its subcommands here
    assert set(commands) == {command.name for command in COMMANDS}
    for command in COMMANDS:
        flags = {f for action in commands[command.name]._actions for f in action.option_strings} - {"-h", "--help"}
        declared = {f for option in command.options for f in (option.flag, option.short) if f}
        assert flags == declared, command.name


def test_a_bad_setting_stops_the_server_and_the_command_with_its_rule(monkeypatch, runner):
    monkeypatch.setenv("GEOJKN_TARGET", "0.15")
    with pytest.raises(DataError, match="GEOJKN_TARGET '0.15' is not a share between 0.5 and 1"):
        create_app({"TESTING": True})
    result = runner("summary", "99.01")
    assert result.status == 2 and "GEOJKN_TARGET '0.15'" in result.err and "Traceback" not in result.err


def test_the_target_setting_reaches_every_page(monkeypatch):
    monkeypatch.setenv("GEOJKN_TARGET", "0.98")
    monkeypatch.delenv("GEOJKN_STORE", raising=False)
    client = create_app({"TESTING": True}).test_client()
    summary = client.get("/api/regions/99.01/summary").get_json()
    assert summary["target"] == 0.98
    gap = f"{summary['gap']:,}".replace(",", ".")
    row = client.get("/").get_data(as_text=True).split("Kabupaten Sukamaju", 1)[1].split("</tr>", 1)[0]
    assert gap in row  # the region list prints the gap to the configured target, not to 95 %
    assert '<option value="0.98" selected>' in client.get("/r/99.01").get_data(as_text=True)


def test_settings_read_from_the_environment_are_typed():
    settings = Settings.from_environ({"GEOJKN_TARGET": "0,98", "GEOJKN_LANG": "EN", "GEOJKN_CACHE_SIZE": "4",
                                      "HOME": "/root"})
    assert (settings.target, settings.lang, settings.cache_size, settings.store) == (0.98, "en", 4, None)


@pytest.mark.parametrize("text", ["2022-01", "2022/1", "01/2022", "Januari 2022", "jan 2022", "2022-01-01"])
def test_a_period_reads_every_spelling_and_knows_its_neighbours(text):
    period = Period.parse(text)
    assert str(period) == "2022-01"
    assert str(period.previous()) == "2021-12" and str(period.next()) == "2022-02"
    assert period.previous() < period < period.next()
    assert Period(2022, 12).next() == Period(2023, 1)


@pytest.mark.parametrize("text", ["2022-13", "Q1 2022", "2022", "1850-01", ""])
def test_a_period_refuses_what_is_not_a_month(text):
    with pytest.raises(ValueError):
        Period.parse(text)


def test_each_default_is_declared_once_in_the_settings_table():
    from geojkn.options import SETTINGS, Question, Settings, View

    table = {setting.name.lower(): setting.default for setting in SETTINGS}
    assert {name: getattr(Settings(), name) for name in table} == table
    question = Question()
    for name in ("target", "active_target", "access_km", "tiers"):
        assert getattr(question, name) == table[name]
    assert (View().lang, View().basemap) == (table["lang"], table["basemap"])


def test_a_question_is_built_once_from_the_options_with_the_settings_for_the_rest():
    from geojkn.options import Question, Settings, View
    from geojkn.period import Period

    settings = Settings(target=0.98, active_target=0.9, access_km=3.0)
    asked = View.of({"period": Period(2024, 2), "target": 0.99, "lang": "en", "unrelated": 1}, settings)
    assert (asked.period, asked.target, asked.active_target, asked.access_km) == (Period(2024, 2), 0.99, 0.9, 3.0)
    assert asked.tiers == settings.tiers and asked.lang == "en"
    assert isinstance(asked, Question)  # a view is a question: the analysis takes either
    assert Question.of({"target": None}, settings).target == 0.98  # an option left unset takes the setting
