"""The 1,000,000-lead warehouse the mart benchmarks time their models on (make bench-scoring,
make bench-funnel), generated, ingested and built once and cached under the work folder.

Once (cached in a folder named after the generator's source, so a changed generator makes a new
sample): the generator's sample of ``leads`` people, ingested and built whole with dbt, as the
orchestration does. The generator gives about 8.4 activities a person; to reach ``activities``,
marts.fct_lead_activities is topped up with copies of its own rows (new ids, the same leads and
types, times moved by a hash-chosen 0-59 days back from the as_of, so the windows and triggers
have work), the way a more engaged audience would look. Each benchmark then runs its models on a
fresh copy of that warehouse.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import timed  # noqa: E402
from leadhouse.warehouse import connect as connect_warehouse  # noqa: E402
from leadhouse.warehouse import copy_warehouse  # noqa: E402

AS_OF = "2026-11-01T00:00:00Z"  # the sample's as-of date


# What issue 12 added on top of the scoring and sales marts (make bench-funnel times these; make
# bench-scoring leaves the ones in its folders out).
ANALYTICS_MODELS = [
    "path:models/intermediate/funnel",
    "path:models/marts/funnel",
    "path:models/marts/marketing",
    "fct_open_pipeline",
    "pipeline_by_stage",
    "pipeline_forecast",
    "pipeline_velocity",
    "agent_performance",
    "fct_contact_attempts",
    "contact_attempt_rates",
    "dim_companies",
    "score_grade_mix",
]


def dbt_command(command: str, data: Path, *extra: str) -> tuple[list[str], dict[str, str]]:
    from leadhouse.dbt_invocation import dbt_invocation, project_var_sections
    from leadhouse.settings import DBT_PROJECT_DIR, Settings

    invocation = dbt_invocation(
        command,
        Settings.from_env({"LEADHOUSE_DATA_DIR": str(data), "LEADHOUSE_AS_OF": AS_OF}),
        project_var_sections(),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(data / "dbt-target"),
        "--log-path",
        str(data / "dbt-logs"),
        *extra,
    )
    return [str(Path(sys.executable).with_name("dbt")), *invocation.args], os.environ | invocation.env


def generator_digest() -> str:
    """A short digest of the generator's source: its samples are cached under it."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "sample_data").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def top_up_activities(warehouse: Path, activities: int) -> int:
    """Copies of marts.fct_lead_activities' own rows until it holds ``activities``; its count."""

    with connect_warehouse(warehouse) as conn:
        have = conn.sql("select count(*) from marts.fct_lead_activities").fetchone()[0]
        if have < activities:
            copies = -(-(activities - have) // have)
            conn.execute(
                f"""
                insert into marts.fct_lead_activities by name
                select * exclude (copy_number) replace (
                    activity_id || '~' || cast(copy_number as varchar) as activity_id,
                    timestamp '{AS_OF[:10]}' - to_days(cast(hash(activity_id, copy_number) % 60 as integer))
                        - to_seconds(cast(hash(copy_number, activity_id) % 86400 as bigint)) as occurred_at
                )
                from (
                    select activities.*, copies.range as copy_number
                    from marts.fct_lead_activities as activities, range(1, {copies + 1}) as copies
                    where activities.lead_id is not null
                )
                order by hash(activity_id, copy_number)
                limit {activities - have}
                """
            )
        return conn.sql("select count(*) from marts.fct_lead_activities").fetchone()[0]


def prepared_from_args(description: str) -> Path:
    """The benchmarks' command line (--leads, --activities, --seed, --workdir), then ``prepare``."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/leadhouse-bench/marts"))
    args = parser.parse_args()
    return prepare(args.workdir, args.leads, args.activities, args.seed)


def prepare(workdir: Path, leads: int, activities: int, seed: int) -> Path:
    """The data folder whose warehouse is a fresh copy of the built sample (building it once)."""
    from leadhouse.parity import ingest_sample
    from sample_data.cli import main as generate

    data = (workdir / f"sample-{leads}-{generator_digest()}").resolve()
    warehouse = data / "warehouse" / "leadhouse.duckdb"
    # Each cached warehouse in a folder of its own: its marts file lies beside it (leadhouse.warehouse).
    base = data / "built" / "leadhouse.duckdb"  # the whole warehouse as the generator's data gives it
    built = data / f"built-{activities}" / "leadhouse.duckdb"  # with the activities topped up
    if not base.exists():
        if not (data / "landing").exists():
            print(f"generating {leads:,} leads ...", flush=True)
            generate(["--leads", str(leads), "--seed", str(seed), "--out", str(data), "--quiet"])
        shutil.rmtree(data / "warehouse", ignore_errors=True)
        print("ingesting ...", flush=True)
        ingest_sample(data)
        print("dbt build (the whole warehouse, once) ...", flush=True)
        seconds, _ = timed(*dbt_command("build", data))
        print(f"  {seconds:.0f} s", flush=True)
        base.parent.mkdir(exist_ok=True)
        copy_warehouse(warehouse, base)
    if not built.exists():
        copy_warehouse(base, warehouse)
        total = top_up_activities(warehouse, activities)
        print(f"fct_lead_activities: {total:,} rows", flush=True)
        built.parent.mkdir(exist_ok=True)
        copy_warehouse(warehouse, built)
    copy_warehouse(built, warehouse)
    return data


def counts(data: Path) -> tuple[int, int]:
    """Leads and activities of the prepared warehouse."""

    with connect_warehouse(data / "warehouse" / "leadhouse.duckdb", read_only=True) as conn:
        return conn.sql(
            "select (select count(*) from marts.dim_leads), (select count(*) from marts.fct_lead_activities)"
        ).fetchone()
