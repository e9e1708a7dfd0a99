"""One vocabulary: both languages say the same things, every word used exists, one term for one thing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geojkn.options import Lang
from geojkn.schema import LEVELS, METRICS
from geojkn.vocabulary import LEVEL_NAMES, METRIC_NAMES, MONTHS, PLACEHOLDER, WORDS, period_text, word

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "shapes"


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_both_languages_have_the_same_words_with_the_same_placeholders():
    english_only = {key for key in WORDS[Lang.EN] if key.endswith("_one")}
    assert set(WORDS[Lang.ID]) == set(WORDS[Lang.EN]) - english_only
    for key, text in WORDS[Lang.EN].items():
        base = key.removesuffix("_one") if key in english_only else key
        assert placeholders(text) == placeholders(WORDS[Lang.ID][base]), key
    for table in (METRIC_NAMES, LEVEL_NAMES, MONTHS):
        assert len(table[Lang.ID]) == len(table[Lang.EN])
    assert set(METRIC_NAMES[Lang.ID]) == set(METRICS) and set(LEVEL_NAMES[Lang.ID]) == set(LEVELS)


def test_every_word_the_code_and_the_pages_ask_for_exists():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "geojkn").rglob("*.py"))
    asked = set(re.findall(r'\bword\(\s*"(\w+)"', code)) | {f"reason_{k}" for k in re.findall(r'Reason\("(\w+)"', code)}
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "templates").glob("*.html"))
    asked |= set(re.findall(r"\bt\.(\w+)", pages))
    assert asked and asked <= set(WORDS[Lang.ID]), sorted(asked - set(WORDS[Lang.ID]))


def test_the_map_the_dashboard_and_the_command_line_use_the_same_terms(client, runner):
    for lang, desa in ((Lang.ID, "Desa/kel."), (Lang.EN, "Desa/kel.")):
        label = METRIC_NAMES[lang]["coverage"][0]
        map_page = client.get(f"/r/99.01/map?lang={lang}").get_data(as_text=True)
        dashboard = client.get(f"/r/99.01?lang={lang}").get_data(as_text=True)
        table = runner("rank", "99.01", "--level", "desa", "--limit", "3", "--lang", lang).out
        for text in (map_page, dashboard, table):
            assert desa in text and label in text
            assert "Village" not in text and "Subdistrict" not in text


@pytest.mark.parametrize("lang, over", [("id", "8.174 > 7.884"), ("en", "8,174 > 7,884")])
def test_import_reports_speak_the_chosen_language_with_its_numbers(lang, over, runner, tmp_path):
    store = tmp_path / "demo.gpkg"
    boundaries = runner("--store", store, "import-boundaries", SHAPES / "demo_wilayah.geojson", "--lang", lang).out
    report = runner("--store", store, "import-figures", SHAPES / "demo_kepesertaan_2024-06.csv", "--period", "2024-06",
                    "--lang", lang).out
    assert over in report
    if lang == "id":
        assert "diimpor 228 unit" in boundaries and "207 baris dibaca: 207 cocok, 0 tidak cocok." in report
    else:
        assert "imported 228 units" in boundaries and "207 rows read: 207 matched, 0 unmatched." in report


def test_the_language_setting_is_the_default_of_every_command(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("GEOJKN_LANG", "en")
    assert "Population" in runner("summary", "99.01").out
    assert "Penduduk" in runner("summary", "99.01", "--lang", "id").out


def test_periods_are_written_as_months():
    assert period_text("2022-01", Lang.ID) == "Januari 2022" and period_text("2022-01", Lang.EN) == "January 2022"
    assert word("rows_read", Lang.EN, 1, n="1", matched="1", unmatched="0").startswith("1 row read")
