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


@pytest.mark.parametrize("chunk_bytes", [1 << 26, 20_000])
def test_fast_and_chunked_paths_read_what_python_reads(landing, chunk_bytes):
    checked = 0
    for config in load_source_configs(PROJECT_ROOT / "config" / "sources"):
        for path in landing_files(config, landing):
            expected_rows, expected_bad = python_reference(path, config)
            rows, bad = concatenated(path, config, chunk_bytes)
            assert sorted(rows.columns) == sorted(expected_rows.columns), path.name
            assert rows.select(expected_rows.columns).equals(expected_rows), path.name
            assert [(b.row_number, b.raw, b.reasons) for b in bad] == [
                (b.row_number, b.raw, b.reasons) for b in expected_bad
            ], path.name
            checked += 1
    assert checked >= 10


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
