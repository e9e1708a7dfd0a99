import pandas as pd
import pytest

from geojkn.analysis.regions import resolve_region
from geojkn.errors import DataError, NotFound
from geojkn.records import Region
from geojkn.schema import Level

INDEX = pd.DataFrame(
    [("33.21", "Kabupaten Demak", "kabupaten"), ("33.21.11", "Demak", "kecamatan"),
     ("33.21.02.2005", "Tlogorejo", "desa"), ("33.21.03.2017", "Tlogorejo", "desa"),
     ("33.74", "Kota Semarang", "kabupaten"), ("33.22", "Kabupaten Semarang", "kabupaten"),
     ("33.20", "Kabupaten Jepara", "kabupaten")],
    columns=["code", "name", "level"],
)


@pytest.mark.parametrize("query", ["33.20", "3320", "ID3320", "Kabupaten Jepara", "kab. jepara", "Jepara"])
def test_codes_and_names(query):
    assert resolve_region(query, INDEX).code == "33.20"


def test_ambiguous_name_lists_candidates_with_codes():
    with pytest.raises(DataError) as err:
        resolve_region("Demak", INDEX)
    assert "33.21 Kabupaten Demak" in str(err.value) and "33.21.11 Demak" in str(err.value)
    assert "Kecamatan Demak" in str(err.value)


def test_level_word_narrows():
    assert resolve_region("Kabupaten Demak", INDEX).code == "33.21"
    assert resolve_region("Kecamatan Demak", INDEX).code == "33.21.11"
    assert resolve_region("Kota Semarang", INDEX).code == "33.74"


def test_same_desa_name_in_two_kecamatan_is_ambiguous():
    with pytest.raises(DataError, match="33.21.03.2017"):
        resolve_region("Tlogorejo", INDEX)


def test_unknown_code_and_name_are_not_found():
    with pytest.raises(NotFound):
        resolve_region("99.99", INDEX)
    with pytest.raises(NotFound):
        resolve_region("Atlantis", INDEX)
    with pytest.raises(DataError, match="not an area code"):
        resolve_region("33.2", INDEX)


def test_code_above_the_stored_units_is_a_region_too():
    assert resolve_region("33", INDEX) == Region("33", "Provinsi 33", Level.PROVINSI)
