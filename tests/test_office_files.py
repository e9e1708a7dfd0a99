"""Every office file of the catalogue (tests/office_catalogue.py) is read right, refused, or marked: never a figure
that looks whole when it is not. Each runs on its own copy of a store holding the real Jepara and Demak
boundaries, a GeoPackage file and a PostGIS database."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from geojkn.store import open_store

from conftest import BACKENDS, JEPARA_DEMAK, SHARED_DATA, fingerprint
from office_catalogue import CATALOGUE, MARKED, PERIOD, READ, REFUSED, truth

pytestmark = pytest.mark.shared
needs_data = pytest.mark.skipif(not JEPARA_DEMAK.exists(), reason=f"real data not found at {SHARED_DATA}")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A store with the real Jepara and Demak boundaries, copied for each file."""
    from geojkn.cli import main

    path = tmp_path_factory.mktemp("office") / "base.gpkg"
    assert main(["--store", str(path), "import-boundaries", str(JEPARA_DEMAK)]) == 0
    return path


@pytest.fixture(params=BACKENDS)
def store(request, base, tmp_path) -> Iterator[Path | str]:
    """A copy of the base store: a file, or a new PostGIS database (made by copy-store)."""
    if request.param == "gpkg":
        shutil.copyfile(base, tmp_path / "store.gpkg")
        yield tmp_path / "store.gpkg"
        return
    from geojkn.cli import main

    dsn: str = request.getfixturevalue("pg_store")
    assert main(["copy-store", str(base), dsn]) == 0
    yield dsn


@pytest.fixture(scope="module")
def jepara() -> pd.DataFrame:
    return truth()


def test_the_catalogue_holds_thirty_variants_of_every_verdict():
    assert len(CATALOGUE) >= 30
    assert len({build.__name__ for build in CATALOGUE}) == len(CATALOGUE)


@needs_data
def test_each_verdict_is_met_by_several_files(jepara, tmp_path):
    verdicts = Counter(build(tmp_path, jepara).verdict for build in CATALOGUE)
    assert all(verdicts[v] >= 5 for v in (READ, REFUSED, MARKED)), verdicts


@needs_data
@pytest.mark.parametrize("build", CATALOGUE, ids=[build.__name__ for build in CATALOGUE])
def test_an_office_file_is_read_right_refused_or_marked(build, store, jepara, tmp_path, runner):
    case = build(tmp_path, jepara)
    for path, args in case.setup:
        done = runner("--store", store, "import-figures", path, *args)
        assert done.status == 0, done.err
    before = fingerprint(store)
    result = runner("--store", store, "import-figures", case.file, *case.args, "--lang", "en")
    assert "Traceback" not in result.err and "unexpected error" not in result.err
    if case.verdict == REFUSED:
        assert result.status == 2, (case.name, result.out)
        for words in case.expect:
            assert words in result.err, (case.name, words, result.err)
        assert fingerprint(store) == before  # nothing stored
        return
    assert result.status == 0, (case.name, result.err)
    for words in case.expect:
        assert words in result.out, (case.name, words, result.out)
    if case.stored is not None:
        stored = open_store(str(store)).figures(period=PERIOD).set_index("code")
        expected = case.stored.astype("float64")
        found = stored.reindex(index=expected.index, columns=expected.columns)
        pd.testing.assert_frame_equal(found, expected, check_names=False)  # every count, to the person
    if case.check is not None:
        case.check(runner, store)
