"""The charts of docs/performance.md from bench/pipeline/run.py's results (``pipeline-<leads>.json``
in the work folder): pipeline seconds against leads on log-log axes with the fitted exponent, and
where the time goes at the largest size.

    .venv/bin/python bench/pipeline/charts.py --workdir /tmp/leadhouse-bench/pipeline --out docs/images
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def fitted_exponent(sizes: list[int], seconds: list[float]) -> float:
    """The least-squares slope of log(seconds) on log(leads): time grows as leads ** slope."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/leadhouse-bench/pipeline"))
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    args = parser.parse_args(argv)
    results = sorted(
        (
            json.loads(p.read_text())
            for p in args.workdir.glob("pipeline-*.json")
            if not p.name.endswith(".run.json")
        ),
        key=lambda r: r["leads"],
    )
    sizes = [r["leads"] for r in results]
    seconds = [r["seconds"] for r in results]
    floors = [r["floor_seconds"] for r in results]
    exponent = fitted_exponent(sizes, seconds)
    args.out.mkdir(parents=True, exist_ok=True)

    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    axes.loglog(sizes, seconds, "o-", label=f"pipeline (fitted exponent {exponent:.2f})")
    axes.loglog(sizes, floors, "s--", label="floor: DuckDB reading the files")
    axes.axhline(180, color="grey", linestyle=":", label="target at 1,000,000 leads: 180 s")
    for size, value in zip(sizes, seconds, strict=True):
        axes.annotate(f"{value:.0f} s", (size, value), textcoords="offset points", xytext=(4, 6))
    axes.set_xlabel("leads")
    axes.set_ylabel("seconds (wall)")
    axes.set_title("make materialize's job against size (2 cores)")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(args.out / "pipeline_scaling.png", dpi=120)
    plt.close(figure)

    largest = results[-1]
    stages: dict[str, float] = {}
    for row in largest["stages"]:
        name = "ingest" if row["stage"].startswith("ingest ") else row["stage"]
        stages[name] = stages.get(name, 0.0) + row["seconds"]
    shown = sorted(((s, n) for n, s in stages.items() if s >= 1.0), reverse=True)
    figure, axes = plt.subplots(figsize=(6.4, 4.6))
    axes.barh([n for _, n in reversed(shown)], [s for s, _ in reversed(shown)])
    for index, (value, _) in enumerate(reversed(shown)):
        axes.annotate(
            f"{value:.0f} s", (value, index), textcoords="offset points", xytext=(3, -3), fontsize=8
        )
    axes.set_xlabel("seconds")
    axes.set_title(f"Where the time goes at {largest['leads']:,} leads ({largest['seconds']:.0f} s wall)")
    figure.tight_layout()
    figure.savefig(args.out / "pipeline_stages.png", dpi=120)
    plt.close(figure)
    print(
        f"fitted exponent {exponent:.2f} over {', '.join(f'{s:,}' for s in sizes)} leads; charts in {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
