import pandas as pd
import pytest

from geojkn.codes import ancestor_at, is_within, level_of, normalize_code, normalize_codes, parent_of, parse_code
from geojkn.errors import DataError


@pytest.mark.parametrize("raw", ["33.20.01.2001", "3320012001", "ID3320012001", " id3320012001 ", "3320012001.0"])
def test_desa_code_spellings_normalise_to_dotted(raw):
    assert parse_code(raw) == "33.20.01.2001"


@pytest.mark.parametrize("raw,code", [("33", "33"), ("3320", "33.20"), ("33.20", "33.20"), ("332001", "33.20.01"),
                                      ("ID33.20.01", "33.20.01")])
def test_upper_levels(raw, code):
    assert parse_code(raw) == code


@pytest.mark.parametrize("raw", ["", "abc", "33.2", "33.20.1", "123", "09.01", "33.20.01.20011", "3320.01"])
def test_not_codes(raw):
    assert parse_code(raw) is None


def test_normalize_code_error_says_how_to_write_codes():
    with pytest.raises(DataError, match="3320012001"):
        normalize_code("Jepara")


def test_normalize_codes_keeps_leading_zero_parts_and_marks_bad_values():
    out = normalize_codes(pd.Series(["3320012001", None, "x", "ID3321"]))
    assert out.tolist() == ["33.20.01.2001", None, None, "33.21"]


def test_levels_and_parents():
    assert [level_of(c) for c in ("33", "33.20", "33.20.01", "33.20.01.2001")] == [
        "provinsi", "kabupaten", "kecamatan", "desa"]
    assert parent_of("33.20.01.2001") == "33.20.01"
    assert parent_of("33") is None
    assert ancestor_at("33.20.01.2001", "kabupaten") == "33.20"
    assert ancestor_at("33.20", "desa") is None


def test_is_within_does_not_confuse_prefixes():
    assert is_within("33.20.01", "33.20")
    assert is_within("33.20", "33.20")
    assert not is_within("33.201", "33.20")
    assert not is_within("33.21.01", "33.20")


def test_within_any_agrees_with_a_prefix_test_per_region():
    import random

    import pandas as pd

    from geojkn.codes import is_within, within_any

    chance = random.Random(7)
    codes = pd.Series([f"33.{chance.randint(1, 40):02d}" + (f".{chance.randint(1, 20):02d}" if chance.random() < 0.9
                       else "") + (f".{chance.randint(2001, 2030)}" if chance.random() < 0.8 else "")
                       for _ in range(2000)] + ["33.2", "33.201", "34.20.01"])
    for regions in (["33.20"], ["33.20", "33.05.07", "33"], ["33.20.01.2005"], []):
        expected = [any(is_within(c, r) for r in regions) for c in codes]
        assert within_any(codes, regions).tolist() == expected, regions
