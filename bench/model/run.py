"""The conversion model (ml/) against its floors: how good it is, on generated and real data, and
how fast and how lean it is at 1,000,000 leads.

    make bench-model                                   # every part, BENCH_DIR=/tmp/leadhouse-bench
    .venv/bin/python bench/model/run.py --workdir /tmp/leadhouse-bench/model --only x_education

Four parts, each in a process of its own (its own peak memory; one failing does not stop the
others), each printing its figures beside their targets:

- ``generator`` (bench/model/generator_auc.py): on a cached 100,000-lead sample, the model's
  holdout ROC AUC >= 0.97 x that of the generator's true propensity, and above the rule score's;
- ``x_education`` (bench/model/x_education.py): the X Education CRM export, ingested as a
  source, without the fields sales staff fill in: holdout ROC AUC >= 0.90, ECE <= 0.03;
- ``olist`` (bench/model/olist.py): the Olist marketing funnel, ingested and built with dbt:
  holdout ROC AUC >= 0.70 from the MQL's own fields;
- ``scale`` (bench/model/scale.py): on the cached 1,000,000-lead warehouse of
  bench/marts_sample.py: training set + training < 300 s; scoring every open lead with
  explanations and writing the scores < 30 s; 1,000,000 rows through the scoring < 30 s; peak
  memory < 6 GiB.

Exits 1 when any target is missed. The real datasets are read in place from /work/shared/datasets.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PARTS = ("generator", "x_education", "olist", "scale")


def run_part(part: str, args: argparse.Namespace) -> bool:
    """One part in this process; True when every target is met."""
    from bench.model.report import Check

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    checks: list[Check]
    if part == "generator":
        from bench.model import generator_auc

        checks = generator_auc.run(workdir)
    elif part == "x_education":
        from bench.model import x_education

        checks = x_education.run(workdir, without_asymmetrique=args.no_asymmetrique)
    elif part == "olist":
        from bench.model import olist

        checks = olist.run(workdir)
    else:
        from bench.model import scale

        checks = scale.run(workdir, (args.marts_workdir or workdir.parent / "marts").resolve())
    return all(c.passed for c in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/leadhouse-bench/model"))
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run (default: all): {', '.join(PARTS)}",
    )
    parser.add_argument(
        "--marts-workdir",
        type=Path,
        default=None,
        help="the work folder of bench/marts_sample.py's cached 1,000,000-lead warehouse "
        "(default: WORKDIR/../marts, shared with make bench-scoring and bench-funnel)",
    )
    parser.add_argument(
        "--no-asymmetrique",
        action="store_true",
        help="x_education: leave out the Asymmetrique scores too (information; the target keeps them)",
    )
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")

    if args.in_process:  # one part, in this process (what the loop below starts)
        (part,) = parts
        try:
            return 0 if run_part(part, args) else 1
        except SystemExit as stop:  # a part that cannot run says why
            if isinstance(stop.code, int | None):
                raise
            print(stop.code, file=sys.stderr)
            return 2
        except Exception:
            traceback.print_exc()
            return 2

    results = {}
    for part in parts:
        print(f"\n=== {part} ===", flush=True)
        started = time.perf_counter()
        command = [sys.executable, str(Path(__file__).resolve()), "--in-process", "--only", part]
        command += ["--workdir", str(args.workdir)]
        if args.marts_workdir:
            command += ["--marts-workdir", str(args.marts_workdir)]
        if args.no_asymmetrique:
            command += ["--no-asymmetrique"]
        code = subprocess.run(command, cwd=ROOT).returncode
        results[part] = {0: "pass", 1: "MISSED"}.get(code, f"FAILED (exit {code})")
        print(f"=== {part}: {results[part]} ({time.perf_counter() - started:.0f} s)", flush=True)
    print("\nbench-model: " + ", ".join(f"{part} {verdict}" for part, verdict in results.items()))
    return 0 if all(v == "pass" for v in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
