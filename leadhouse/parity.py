"""Row-by-row parity of the marts built on two engines.

``compare(left, right, keys)`` says how many rows of two versions of one table differ: rows
present on one side only, and rows whose values differ (floats within ``REL_TOL`` relative, or
``ABS_TOL`` absolute near zero; nulls equal nulls). Types are compared as values: a Spark
``int`` and a DuckDB ``BIGINT`` holding 3 are equal, a string and a number never are.

``python -m leadhouse.parity`` (``make test-spark``) builds the generator's sample on DuckDB and
on Spark from the same raw rows and prints, for every mart, the rows compared and the rows that
differ; it exits non-zero on any difference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl

REL_TOL = 1e-9
ABS_TOL = 1e-12
# Columns that hold the time of the build, so differ between any two builds: left out of the
# comparison, with the key that identifies a row without them.
BUILD_TIME_COLUMNS: dict[str, tuple[list[str], list[str]]] = {
    "lead_merge_history": (["identity_event_id", "resolved_at"], ["from_lead_id", "to_lead_id"]),
}
# Bookkeeping of the incremental runs whose values are engine-specific by design: a hash of a
# row's inputs (``inputs_fingerprint``: DuckDB's ``hash``, Spark's ``xxhash64``), compared by each
# engine only with what it wrote itself. Left out of every mart that has it.
ENGINE_SPECIFIC_COLUMNS = frozenset({"_inputs_fingerprint"})


@dataclass(frozen=True)
class TableDiff:
    table: str
    left_rows: int
    right_rows: int
    only_left: int
    only_right: int
    changed: int
    examples: tuple[str, ...] = ()

    @property
    def differing(self) -> int:
        return self.only_left + self.only_right + self.changed


def _comparable(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns as values both engines can give alike: decimals and floats as float64, integers
    as int64, dates and timestamps as microsecond timestamps, nested values as JSON text."""
    columns = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype.is_float() or isinstance(dtype, pl.Decimal):
            columns.append(col.cast(pl.Float64))
        elif dtype.is_integer():
            columns.append(col.cast(pl.Int64))
        elif isinstance(dtype, pl.Datetime):
            columns.append(col.dt.replace_time_zone(None).dt.cast_time_unit("us"))
        elif isinstance(dtype, (pl.List, pl.Struct, pl.Array)):
            columns.append(
                col.map_elements(
                    lambda v: str(v.to_list() if hasattr(v, "to_list") else v), return_dtype=pl.String
                )
            )
        else:
            columns.append(col)
    return frame.select(columns)


def _floats_equal(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def compare(table: str, left: pl.DataFrame, right: pl.DataFrame, keys: list[str]) -> TableDiff:
    """Rows of ``left`` and ``right`` (same columns, any order) matched on ``keys``."""
    missing = sorted(set(left.columns) ^ set(right.columns))
    if missing:
        raise ValueError(f"{table}: the two sides have different columns: {missing}")
    left = _comparable(left)
    right = _comparable(right.select(left.columns))
    for name in left.columns:  # a column all null on one side: take the other side's type
        if left.schema[name] != right.schema[name]:
            if left.schema[name] == pl.Null:
                left = left.with_columns(pl.col(name).cast(right.schema[name]))
            elif right.schema[name] == pl.Null:
                right = right.with_columns(pl.col(name).cast(left.schema[name]))
            else:
                raise ValueError(
                    f"{table}.{name}: {left.schema[name]} on one engine, {right.schema[name]} on the other"
                )
    keys = keys or [c for c in left.columns if not left.schema[c].is_float()]
    for side, frame_ in (("DuckDB", left), ("Spark", right)):
        if frame_.height != frame_.select(keys).unique().height:
            raise ValueError(f"{table}: the keys {keys} do not identify a row on {side}")
    values = [c for c in left.columns if c not in keys]
    joined = left.with_columns(_l=pl.lit(True)).join(
        right.with_columns(_r=pl.lit(True)),
        on=keys,
        how="full",
        coalesce=True,
        nulls_equal=True,
        suffix="__r",
    )
    only_left = joined.filter(pl.col("_r").is_null()).height
    only_right = joined.filter(pl.col("_l").is_null()).height
    both = joined.filter(pl.col("_l") & pl.col("_r"))
    changed_mask = pl.Series([False] * both.height, dtype=pl.Boolean)
    for name in values:
        a, b = both[name], both[f"{name}__r"]
        if a.dtype.is_float():
            same = pl.Series(
                [_floats_equal(x, y) for x, y in zip(a.to_list(), b.to_list(), strict=True)], dtype=pl.Boolean
            )
        else:
            same = (a == b).fill_null(False) | (a.is_null() & b.is_null())
        changed_mask = changed_mask | ~same
    changed = both.filter(changed_mask)
    examples = tuple(str(row) for row in changed.head(3).rows(named=True))
    if only_left and not examples:
        examples = tuple(str(r) for r in joined.filter(pl.col("_r").is_null()).select(keys).head(3).rows())
    if only_right and not examples:
        examples = tuple(str(r) for r in joined.filter(pl.col("_l").is_null()).select(keys).head(3).rows())
    return TableDiff(table, left.height, right.height, only_left, only_right, changed.height, examples)


# ---------------------------------------------------------------- the run (make test-spark)


def mart_keys(manifest: dict) -> dict[str, tuple[str, list[str]]]:
    """Every model of the ``marts`` schema: ``table -> (schema, key columns)``, the keys from its
    ``unique`` or ``unique_combination_of_columns`` test (none: every non-float column)."""
    marts = {
        node["unique_id"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    keys: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or node.get("attached_node") not in marts:
            continue
        meta = node.get("test_metadata") or {}
        kwargs = meta.get("kwargs", {})
        model = marts[node["attached_node"]]["alias"]
        if meta.get("name") == "unique" and kwargs.get("column_name"):
            keys.setdefault(model, [kwargs["column_name"]])
        elif meta.get("name") == "unique_combination_of_columns":
            keys[model] = list(kwargs["combination_of_columns"])
    return {node["alias"]: (node["schema"], keys.get(node["alias"], [])) for node in marts.values()}


def _spark_table(warehouse_dir: Path, schema: str, table: str) -> pl.DataFrame:
    """A managed Spark table, read from its Parquet files (no second Spark session)."""
    import duckdb

    folder = warehouse_dir / f"{schema}.db" / table
    with duckdb.connect() as conn:
        return conn.sql(f"select * from read_parquet('{folder}/*.parquet')").pl()


def compare_mart(table: str, left: pl.DataFrame, right: pl.DataFrame, keys: list[str]) -> TableDiff:
    """``compare`` for a mart, without its build-time and engine-specific columns."""
    dropped = set(ENGINE_SPECIFIC_COLUMNS)
    if table in BUILD_TIME_COLUMNS:
        build_time, keys = BUILD_TIME_COLUMNS[table]
        dropped.update(build_time)
    return compare(
        table,
        left.drop(dropped & set(left.columns)),
        right.drop(dropped & set(right.columns)),
        keys,
    )


def compare_marts(
    duckdb_path: Path, spark_warehouse: Path, manifest: dict, only: set[str] | None = None
) -> list[TableDiff]:
    from leadhouse.warehouse import connect

    diffs = []
    with connect(duckdb_path, read_only=True) as conn:
        for table, (schema, keys) in sorted(mart_keys(manifest).items()):
            if only and table not in only:
                continue
            left = conn.sql(f'select * from {schema}."{table}"').pl()
            right = _spark_table(spark_warehouse, schema, table)
            diffs.append(compare_mart(table, left, right, keys))
    return diffs


def report(diffs: list[TableDiff]) -> str:
    lines = [f"{'mart':<36}{'duckdb rows':>12}{'spark rows':>12}{'differing':>11}"]
    for d in diffs:
        lines.append(f"{d.table:<36}{d.left_rows:>12,}{d.right_rows:>12,}{d.differing:>11,}")
        lines += [f"    {example}" for example in d.examples]
    lines.append(f"{len(diffs)} marts, {sum(d.differing for d in diffs):,} differing rows")
    return "\n".join(lines)


# Both engines build for the same "now" (the sample's as-of date), or the marts that depend on it
# would differ by the minutes between the two builds.
PARITY_AS_OF = "2026-11-01T00:00:00Z"


def engine_invocation(command: str, data_dir: Path, engine: str, *extra: str):
    """``dbt <command>`` on ``engine`` against the warehouse under ``data_dir``, as the
    orchestration runs it, with its target and log folders per engine inside ``data_dir``."""
    from leadhouse.dbt_invocation import dbt_invocation, project_var_sections
    from leadhouse.settings import DBT_PROJECT_DIR, Settings

    return dbt_invocation(
        command,
        Settings.from_env(
            {"LEADHOUSE_DATA_DIR": str(data_dir), "LEADHOUSE_ENGINE": engine, "LEADHOUSE_AS_OF": PARITY_AS_OF}
        ),
        project_var_sections(),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(data_dir / f"dbt-target-{engine}"),
        "--log-path",
        str(data_dir / f"dbt-logs-{engine}"),
        *extra,
    )


def _run_dbt(command: str, data_dir: Path, engine: str, *extra: str) -> float:
    import os
    import subprocess
    import sys
    import time

    invocation = engine_invocation(command, data_dir, engine, *extra)
    started = time.perf_counter()
    dbt = Path(sys.executable).with_name("dbt")
    env = os.environ | invocation.env
    process = subprocess.run([str(dbt), *invocation.args], env=env, check=False)
    if process.returncode:
        raise SystemExit(f"dbt {command} on {engine} failed (exit {process.returncode}); see the log above")
    return time.perf_counter() - started


def write_reviews(warehouse: Path, landing: Path) -> int:
    """Reviewer decisions that make the second build cluster differently: a no_match inside a
    lead of three or more records (a split, through the guarded greedy on Spark) and a confirmed
    match between two single-record leads (a merge). Returns the decisions written."""
    import csv

    from leadhouse.warehouse import connect

    with connect(warehouse, read_only=True) as conn:
        big = conn.sql(
            """
            select lead_id, list(source order by source, source_record_id) as sources,
                list(source_record_id order by source, source_record_id) as ids
            from marts.lead_identity_map group by lead_id having count(*) >= 3
            order by lead_id limit 3
            """
        ).fetchall()
        single = conn.sql(
            """
            select any_value(source), any_value(source_record_id)
            from marts.lead_identity_map group by lead_id having count(*) = 1
            order by lead_id limit 4
            """
        ).fetchall()
    rows = [(s[0], i[0], s[1], i[1], "no_match") for _, s, i in big]
    rows += [(*single[k], *single[k + 1], "match") for k in range(0, len(single) - 1, 2)]
    folder = landing / "match_reviews"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "parity_reviews.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "left_source",
                "left_source_record_id",
                "right_source",
                "right_source_record_id",
                "decision",
                "reviewer",
                "decided_at",
                "note",
            ]
        )
        for row in rows:
            out.writerow([*row, "parity", "2026-01-01T00:00:00Z", "leadhouse.parity"])
    return len(rows)


def ingest_sample(data: Path) -> dict[str, int]:
    """Every source of ``data/landing`` into ``data/warehouse``, then the raw layer as Parquet."""
    import duckdb

    from ingest.config import load_source_configs
    from ingest.pipeline import Ingestor
    from leadhouse.engines import export_raw_parquet
    from leadhouse.settings import PROJECT_ROOT

    warehouse = data / "warehouse" / "leadhouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as conn:
        ingestor = Ingestor(conn, data / "landing", batch_id="parity")
        for config in load_source_configs(PROJECT_ROOT / "config" / "sources"):
            ingestor.ingest(config)
        return export_raw_parquet(conn, data)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import time

    from leadhouse.engines import spark_dir
    from sample_data.cli import main as generate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a folder for this run (created)")
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--select", default=None, help="dbt selection (default: the whole project)")
    parser.add_argument("--skip-build", action="store_true", help="compare what the folder holds")
    args = parser.parse_args(argv)
    data = args.data.resolve()
    extra = ["--select", args.select] if args.select else []
    timings = {}
    if not args.skip_build:
        data.mkdir(parents=True, exist_ok=True)
        if not (data / "landing").exists():
            generate(["--leads", str(args.leads), "--seed", str(args.seed), "--out", str(data), "--quiet"])
        started = time.perf_counter()
        raw_rows = ingest_sample(data)
        timings["ingest + raw parquet"] = time.perf_counter() - started
        print(f"raw rows: {sum(raw_rows.values()):,} in {len(raw_rows)} tables", flush=True)
        timings["dbt build on duckdb"] = _run_dbt("build", data, "duckdb", *extra)
        timings["dbt build on spark"] = _run_dbt("build", data, "spark", *extra)
        if not args.select:
            # A second, incremental build on each engine after reviewer decisions: a split and
            # a merge of leads, so the guarded clustering, the confirmed pairs, the lead ids
            # carried over and the merge history are compared too.
            reviews = write_reviews(data / "warehouse" / "leadhouse.duckdb", data / "landing")
            ingest_sample(data)
            print(f"second build after {reviews} reviewer decisions", flush=True)
            timings["second build on duckdb"] = _run_dbt("build", data, "duckdb")
            timings["second build on spark"] = _run_dbt("build", data, "spark")
    manifest = json.loads((data / "dbt-target-duckdb" / "manifest.json").read_text())
    only = None
    if args.select:  # the marts this selection built
        results = json.loads((data / "dbt-target-spark" / "run_results.json").read_text())["results"]
        nodes = [manifest["nodes"].get(r["unique_id"], {}) for r in results]
        only = {n["alias"] for n in nodes if n.get("resource_type") == "model" and n.get("schema") == "marts"}
    diffs = compare_marts(
        data / "warehouse" / "leadhouse.duckdb", spark_dir(data) / "warehouse", manifest, only
    )
    for stage, seconds in timings.items():
        print(f"{stage:<28}{seconds:>8.1f} s")
    print(report(diffs))
    return 1 if any(d.differing for d in diffs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
