"""The vectorized readers (polars JSON Lines, unquoted CSV split in polars, chunked) give what
Python's csv and json modules give, on every generated source file."""

from pathlib import Path

import polars as pl
import pytest

from ingest.config import load_source_configs
from ingest.pipeline import landing_files
from ingest.readers import _csv_result, _jsonl_with_python, read_file
from leadhouse.settings import PROJECT_ROOT
from sample_data.cli import main as generate


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    assert generate(["--leads", "400", "--seed", "11", "--out", str(out)]) in (0, None)
    return out / "landing"


def python_reference(path: Path, config) -> tuple[pl.DataFrame, list]:
    """The file read whole by Python's own csv / json."""
    import csv
    import io

    text = path.read_bytes().decode("utf-8-sig")
    if config.format == "jsonl":
        result = _jsonl_with_python(text, 1, "utf-8", False)
    else:
        records = csv.reader(
            io.StringIO(text, newline=""), delimiter=config.csv.delimiter, quotechar=config.csv.quote
        )
        header = [h.strip() for h in next(records)]
        result = _csv_result([r for r in records if r], 1, header, "utf-8", False)
    return result.rows, result.bad_rows


def concatenated(path: Path, config, chunk_bytes: int) -> tuple[pl.DataFrame, list]:
    chunks = list(read_file(path, config, chunk_bytes))
    rows = pl.concat([c.rows for c in chunks], how="diagonal_relaxed")
    return rows, [b for c in chunks for b in c.bad_rows]


def assert_read_as_python_reads(path: Path, config, chunk_bytes: int) -> pl.DataFrame:
    """The file read in chunks of ``chunk_bytes`` gives Python's rows, row numbers and
    quarantined lines; returns the rows."""
    expected_rows, expected_bad = python_reference(path, config)
    rows, bad = concatenated(path, config, chunk_bytes)
    assert sorted(rows.columns) == sorted(expected_rows.columns), path.name
    assert rows.select(expected_rows.columns).equals(expected_rows), path.name
    assert [(b.row_number, b.raw, b.reasons) for b in bad] == [
        (b.row_number, b.raw, b.reasons) for b in expected_bad
    ], path.name
    return rows


@pytest.mark.parametrize("chunk_bytes", [1 << 26, 20_000])
def test_fast_and_chunked_paths_read_what_python_reads(landing, chunk_bytes):
    checked = 0
    for config in load_source_configs(PROJECT_ROOT / "config" / "sources"):
        for path in landing_files(config, landing):
            assert_read_as_python_reads(path, config, chunk_bytes)
            checked += 1
    assert checked >= 10


JSONL_FILES = {
    "clean": '{"id":"1","n":"Ann"}\n{"id":"2","n":"Bo"}\n',
    "no final newline": '{"id":"1","n":"Ann"}\n{"id":"2","n":"Bo"}',
    "blank line": '{"id":"1","n":"Ann"}\n\n{"id":"2","n":"Bo"}\n',
    "blank first line": '\n{"id":"1","n":"Ann"}\n{"id":"2","n":"Bo"}\n',
    "blank last lines": '{"id":"1","n":"Ann"}\n{"id":"2","n":"Bo"}\n\n\n',
    "line of spaces": '{"id":"1","n":"Ann"}\n   \n{"id":"2","n":"Bo"}\n',
    "two objects on a line": '{"id":"1","n":"Ann"}{"id":"3","n":"Cy"}\n\n{"id":"2","n":"Bo"}\n',
    "broken line": '{"id":"1","n":"Ann"}\n{"id":"2",\n{"id":"3","n":"Cy"}\n',
}


@pytest.mark.parametrize("chunk_bytes", [1 << 26, 16])
@pytest.mark.parametrize("name", list(JSONL_FILES))
def test_jsonl_chunks_read_what_python_reads(tmp_path, name, chunk_bytes):
    """A chunk goes to polars' reader whole; a blank or broken line sends it to the careful path
    (polars skips blank lines, so the chunk has fewer rows than lines), and the rows, their
    numbers and the quarantined lines are what Python's json gives."""
    from ingest.config import SourceConfig

    path = tmp_path / "activities.jsonl"
    path.write_text(JSONL_FILES[name])
    rows = assert_read_as_python_reads(
        path, SourceConfig(name="s", entity="activity", format="jsonl"), chunk_bytes
    )
    if name.startswith("blank") or name == "line of spaces":
        assert rows["_row_number"].to_list()[-1] == JSONL_FILES[name].rstrip("\n").count("\n") + 1


def test_json_values_polars_cannot_give_back_as_written_are_read_by_python(tmp_path):
    from ingest.config import SourceConfig

    path = tmp_path / "a.jsonl"
    path.write_text('{"id":1,"n":[1,{"b":2}]}\n{"id":2.5,"n":[1,2.5]}\n{"id":12345678901234567,"n":null}\n')
    config = SourceConfig(name="s", entity="lead", format="jsonl")
    (chunk,) = read_file(path, config)
    assert chunk.rows.select("id", "n").rows() == [
        ("1", '[1, {"b": 2}]'),
        ("2.5", "[1, 2.5]"),
        ("12345678901234567", None),
    ]


UNQUOTED_FILES = {
    "clean": "id,name,city\n1,Ann,Oslo\n2,,Bergen\n3,Bo,\n",
    "no final newline": "id,name,city\n1,Ann,Oslo\n2,Bo,Bergen",
    "a short line": "id,name,city\n1,Ann,Oslo\n2,Bo\n3,Cy,Rome\n",
    "a long line": "id,name,city\n1,Ann,Oslo\n2,Bo,Bergen,extra\n3,Cy,Rome\n",
    "short and long lines balancing": "id,name,city\n1,Ann\n2,Bo,Bergen,x\n3,Cy,Rome\n",
    "trailing delimiter on every line": "id,name,\n1,Ann,\n2,Bo,\n",
    "unnamed column with values": "id,,city\n1,x,Oslo\n2,,Bergen\n",
    "blank line": "id,name,city\n1,Ann,Oslo\n\n2,Bo,Bergen\n",
    "invalid utf-8": "id,name,city\n1,An\udcffn,Oslo\n2,Bo,Bergen\n",
}


@pytest.mark.parametrize("chunk_bytes", [1 << 26, 16])
@pytest.mark.parametrize("name", list(UNQUOTED_FILES))
def test_unquoted_csv_chunks_read_what_python_reads(tmp_path, name, chunk_bytes):
    """Chunks without quotes go straight to polars' reader (``_unquoted_chunk``); a line with
    another field count, a blank line or bad bytes sends the chunk to the careful path, and the
    rows, their numbers and the quarantined lines are what Python's csv gives."""
    from ingest.config import SourceConfig

    path = tmp_path / "leads.csv"
    path.write_bytes(UNQUOTED_FILES[name].encode("utf-8", errors="surrogateescape"))
    config = SourceConfig(name="s", entity="lead", format="csv")
    if name == "invalid utf-8":
        (chunk,) = read_file(path, config)
        assert chunk.rows["name"].to_list() == ["An\\xffn", "Bo"]
        return
    assert_read_as_python_reads(path, config, chunk_bytes)


def test_an_unquoted_chunk_is_parsed_by_polars_only_when_every_line_has_the_header_s_fields():
    from ingest.config import SourceConfig
    from ingest.readers import _unquoted_chunk

    config = SourceConfig(name="s", entity="lead", format="csv")
    header = ["id", "name", "city"]
    result = _unquoted_chunk(b"1,Ann,Oslo\n2,,Bergen\n", 7, header, config)
    assert result.rows.rows() == [("1", "Ann", "Oslo", 7), ("2", "", "Bergen", 8)]
    for body in (b"1,Ann\n2,Bo,Bergen,x\n", b"1,Ann\n", b'1,"A",Oslo\n', b"1,A,B\r\n", b"1,A,B\n\n2,C,D\n"):
        assert _unquoted_chunk(body, 1, header, config) is None, body
