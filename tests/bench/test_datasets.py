"""Lead records for the benchmark come from the warehouse, with the generator's truth attached."""

from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest

from bench.er.datasets import LEAD_FIELDS, benchmark, generator, generator_from_warehouse
from bench.er.prepare import prepare
from ingest.raw_tables import append, ensure_raw_tables
from ingest.schemas import LEAD, raw_schema


def lead_rows(rows: list[dict]) -> pl.DataFrame:
    schema = raw_schema(LEAD)
    return pl.DataFrame([{c: row.get(c) for c in schema} for row in rows], schema=schema)


def at(day: int) -> datetime:
    return datetime(2026, 3, day, tzinfo=UTC)


@pytest.fixture
def data_dir(tmp_path):
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "ground_truth").mkdir()
    with duckdb.connect(str(tmp_path / "warehouse" / "leadhouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        append(
            conn,
            "lead_records",
            lead_rows(
                [
                    {
                        "source": "web_forms",
                        "source_record_id": "1",
                        "email": "old@x.co",
                        "_ingested_at": at(1),
                    },
                    {
                        "source": "web_forms",
                        "source_record_id": "1",
                        "email": "new@x.co",
                        "_ingested_at": at(2),
                    },
                    {"source": "chat", "source_record_id": "1", "first_name": "Ann", "_ingested_at": at(1)},
                    {
                        "source": "events",
                        "source_record_id": "9",
                        "last_name": "Nobody",
                        "_ingested_at": at(1),
                    },
                ]
            ),
        )
    pl.DataFrame(
        {
            "source": ["web_forms", "chat", "crm_export"],
            "source_record_id": ["1", "1", "5"],
            "person_id": [7, 7, 8],
            "injected_error": [None, None, "bad_email"],
        }
    ).write_parquet(tmp_path / "ground_truth" / "source_records.parquet")
    return tmp_path


def test_latest_version_of_each_record_with_its_person(data_dir, capsys):
    frame = generator(data_dir)
    assert frame.columns == ["record_id", "true_id", *LEAD_FIELDS]
    assert frame.select("record_id", "true_id", "email", "first_name").rows() == [
        ("chat:1", "7", None, "Ann"),
        ("web_forms:1", "7", "new@x.co", None),
    ]
    # events:9 has no truth: left out, and said so.
    assert "1 lead records have no ground truth and are left out (events: 1)" in capsys.readouterr().err


def test_prepare_keeps_the_truth_out_of_the_resolvers_input(data_dir):
    bench = benchmark("gen10k")
    workdir = data_dir.parent
    data_dir.rename(bench.data_dir(workdir))
    assert prepare(bench, workdir) == 2
    assert "true_id" not in pl.read_parquet(bench.input_path(workdir)).columns
    assert pl.read_parquet(bench.truth_path(workdir)).columns == ["record_id", "true_id"]


def test_missing_warehouse_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="generate and ingest"):
        generator_from_warehouse(tmp_path / "w.duckdb", tmp_path)
