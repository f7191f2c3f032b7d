"""Building the funnel, conversion, pipeline, marketing and account marts at 1,000,000 leads and
10,000,000 activities.

    .venv/bin/python bench/funnel/run.py     # make bench-funnel

On a fresh copy of the cached 1,000,000-lead warehouse (bench/marts_sample.py, shared with make
bench-scoring): `dbt run` of the analytics models (docs/funnels.md: everything issue 12 added on
top of the scoring and sales marts), timed, with the peak memory of dbt's process tree and the
rows of the biggest marts. The floor: 45 s (the issue's target).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.marts_sample import ANALYTICS_MODELS, AS_OF, counts, dbt_command, prepared_from_args  # noqa: E402
from bench.measure import timed  # noqa: E402
from leadhouse.warehouse import connect as connect_warehouse  # noqa: E402

TARGET_SECONDS = 45.0


def main() -> int:

    data = prepared_from_args(__doc__.split("\n\n")[0])
    leads, activities = counts(data)
    command, env = dbt_command("run", data, "--select", *ANALYTICS_MODELS)
    print("dbt run of the funnel, conversion, pipeline, marketing and account models ...", flush=True)
    seconds, peak = timed(command, env)
    with connect_warehouse(data / "warehouse" / "leadhouse.duckdb", read_only=True) as conn:
        sizes = conn.sql(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts' "
            "and table_name in ('funnel_by_period', 'conversion_metrics', 'fct_lead_touches', "
            "'revenue_attribution', 'marketing_roi', 'agent_performance') order by 1"
        ).fetchall()
    print(f"\n{leads:,} leads, {activities:,} activities, as of {AS_OF}, 2 cores")
    print("  " + ", ".join(f"{name} {rows:,}" for name, rows in sizes))
    print(f"analytics marts: {seconds:.1f} s (target: under {TARGET_SECONDS:.0f} s), peak {peak:,.0f} MiB")
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
