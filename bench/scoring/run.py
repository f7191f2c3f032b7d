"""Building the scoring, routing and follow-up marts at 1,000,000 leads and 10,000,000 activities.

    .venv/bin/python bench/scoring/run.py     # make bench-scoring

On a fresh copy of the cached 1,000,000-lead warehouse (bench/marts_sample.py): `dbt run` of the
scoring and sales models only (what changes when scores are due), timed, with the peak memory of
dbt's process tree. The floor: 30 s (the issue's target).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.marts_sample import ANALYTICS_MODELS, AS_OF, counts, dbt_command, prepared_from_args  # noqa: E402
from bench.measure import timed  # noqa: E402
from leadhouse.warehouse import connect as connect_warehouse  # noqa: E402

TARGET_SECONDS = 30.0
SELECTION = [
    "path:models/intermediate/scoring",
    "path:models/marts/scoring",
    "path:models/intermediate/sales",
    "path:models/marts/sales",
]


def main() -> int:

    data = prepared_from_args(__doc__.split("\n\n")[0])
    leads, activities = counts(data)
    command, env = dbt_command("run", data, "--select", *SELECTION, "--exclude", *ANALYTICS_MODELS)
    print("dbt run of the scoring and sales models ...", flush=True)
    seconds, peak = timed(command, env)
    with connect_warehouse(data / "warehouse" / "leadhouse.duckdb", read_only=True) as conn:
        scored = conn.sql("select count(*) from marts.lead_rule_scores").fetchone()[0]
    print(f"\n{leads:,} leads, {activities:,} activities; {scored:,} scored as of {AS_OF}, 2 cores")
    print(
        f"scoring + sales marts: {seconds:.1f} s (target: under {TARGET_SECONDS:.0f} s), peak {peak:,.0f} MiB"
    )
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
