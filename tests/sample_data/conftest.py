"""Shared fixtures: one generated data set (N=2,000) reused by every test in this folder.

Test modules here import nothing from each other (the folder is not a package, so that it
cannot shadow the ``sample_data`` package); everything shared is a fixture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import yaml

from sample_data import GeneratorConfig, Result, generate
from sample_data.config import OTHER_TABLES, SOURCE_NAMES

ROOT = Path(__file__).resolve().parents[2]
SOURCES_DIR = ROOT / "config" / "sources"
N_PEOPLE = 2_000


@dataclass(frozen=True)
class Dataset:
    cfg: GeneratorConfig
    result: Result
    out: Path

    @property
    def people(self) -> pl.DataFrame:
        return pl.read_parquet(self.out / "ground_truth" / "people.parquet")

    @property
    def source_records(self) -> pl.DataFrame:
        return pl.read_parquet(self.out / "ground_truth" / "source_records.parquet")

    def files(self, source: str) -> list[Path]:
        return sorted((self.out / "landing" / source).iterdir())

    def id_column(self, source: str) -> str:
        """The native column holding a table's source_record_id."""
        return source_configs()[source].get("columns", {}).get("source_record_id", "source_record_id")

    def read(self, source: str) -> pl.DataFrame:
        """All rows of a landing table, read the way its config describes, every value as text."""
        conf = source_configs()[source]
        frames = []
        for path in self.files(source):
            if conf["format"] == "jsonl":
                frame = pl.read_ndjson(path, infer_schema_length=None)
                nested = [c for c, t in frame.schema.items() if isinstance(t, pl.Struct)]
                frame = frame.unnest(*nested, separator=".") if nested else frame
                frame = frame.with_columns(pl.all().cast(pl.String))
            else:
                sep = conf.get("csv", {}).get("delimiter", ",")
                frame = pl.read_csv(path, separator=sep, infer_schema=False)
            frames.append(frame.with_columns(_file=pl.lit(f"landing/{source}/{path.name}")))
        return pl.concat(frames, how="diagonal")


def source_configs() -> dict[str, dict]:
    """The configs of the tables the generator writes (other configs, e.g. reviewer input, are not its business)."""
    generated = set(SOURCE_NAMES) | set(OTHER_TABLES)
    configs = {p.stem: yaml.safe_load(p.read_text()) for p in sorted(SOURCES_DIR.glob("*.yml"))}
    return {name: conf for name, conf in configs.items() if name in generated}


def _make(out: Path, **overrides) -> Dataset:
    cfg = GeneratorConfig(**({"leads": N_PEOPLE, "seed": 42, "out": out, "progress": False} | overrides))
    return Dataset(cfg, generate(cfg), cfg.out)


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The shared data set: N_PEOPLE people, seed 42, one batch."""
    return _make(tmp_path_factory.mktemp("sample"))


@pytest.fixture
def make_dataset(tmp_path: Path):
    """Generate another data set (same defaults as ``dataset``) with some settings changed."""
    return lambda name, **overrides: _make(tmp_path / name, **overrides)


@pytest.fixture(scope="session")
def configs() -> dict[str, dict]:
    return source_configs()
