"""Writing landing files (split into chronological batches) and the ground truth.

Landing files are ``DIR/landing/<table>/<table>_<batch:03d>.<ext>``. Batches are equal time
windows shared by all tables, so loading batches 1..k of every table gives a consistent
snapshot: activities and status changes only reference lead records from the same or earlier
batches. The one exception to "rows in time order" is a deliberately truncated line, which is
always the last line of its file (an export cut off mid-write).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl


@dataclass
class LandingTable:
    name: str
    ext: str  # csv | txt | jsonl
    frame: pl.DataFrame  # native columns, rows in time order
    batch: np.ndarray  # batch index (0-based) per row
    separator: str = ","
    truncate: np.ndarray | None = None  # rows written as a cut-short last line
    truncate_keep: np.ndarray | None = None  # in [0, 1): how much of that line survives


@dataclass
class Written:
    files: dict[str, int] = field(default_factory=dict)  # relative path -> data rows
    row_file: pl.Series | None = None  # per input row: relative path of its file (if tracked)
    row_number: np.ndarray | None = None  # per input row: 1-based data row in its file (if tracked)


def write_table(table: LandingTable, out: Path, n_batches: int, track_rows: bool = False) -> Written:
    """Write one file per batch; with ``track_rows``, also say where each input row went.

    Files an earlier run wrote under the same names are removed first, so a rerun with fewer
    batches leaves no stale data next to the new ground truth. Other files are left alone.
    """
    folder = out / "landing" / table.name
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f"{table.name}_[0-9][0-9][0-9].{table.ext}"):  # an earlier run's batches
        stale.unlink()
    truncate = table.truncate if table.truncate is not None else np.zeros(table.frame.height, dtype=bool)
    order = np.lexsort((truncate, table.batch))  # stable: time order, a truncated row last
    in_place = bool(np.all(order[1:] > order[:-1]))
    frame = table.frame if in_place else table.frame[order]
    batch = table.batch[order]
    names = [f"{table.name}_{b + 1:03d}.{table.ext}" for b in range(n_batches)]
    bounds = np.searchsorted(batch, np.arange(n_batches + 1))
    written = Written()
    for b, name in enumerate(names):  # over batch files, not rows
        lo, hi = bounds[b], bounds[b + 1]
        part = frame[lo:hi]
        cut = bool(hi > lo and truncate[order[hi - 1]])
        _write(part.head(part.height - 1) if cut else part, folder / name, table)
        if cut:
            _append_truncated(part.tail(1), folder / name, table, float(table.truncate_keep[order[hi - 1]]))
        written.files[f"landing/{table.name}/{name}"] = hi - lo
    if track_rows:
        position = np.empty_like(order)
        position[order] = np.arange(len(order))  # where each input row ended up
        file_index = np.searchsorted(bounds, position, side="right") - 1
        written.row_file = pl.Series(list(written.files)).gather(file_index)
        written.row_number = position - bounds[file_index] + 1
    return written


def _write(frame: pl.DataFrame, path: Path, table: LandingTable) -> None:
    if table.ext == "jsonl":
        frame.write_ndjson(path)
    else:
        frame.write_csv(path, separator=table.separator)


def _append_truncated(row: pl.DataFrame, path: Path, table: LandingTable, keep: float) -> None:
    """Append the row's first few fields only, with no line ending, like an interrupted export.
    The file is dated an hour back: an export that died earlier, not one still being written
    (which an ingestion rightly leaves alone until it settles)."""
    n_fields = 2 + int(keep * (row.width - 3))  # at least the id and one more, never all
    line = row.select(row.columns[:n_fields]).write_csv(include_header=False, separator=table.separator)
    with path.open("ab") as f:
        f.write(line.rstrip("\n").encode())
    an_hour_ago = time.time() - 3600
    os.utime(path, (an_hour_ago, an_hour_ago))


def write_ground_truth(out: Path, people: pl.DataFrame, source_records: pl.DataFrame, summary: dict) -> None:
    folder = out / "ground_truth"
    folder.mkdir(parents=True, exist_ok=True)
    people.write_parquet(folder / "people.parquet")
    source_records.write_parquet(folder / "source_records.parquet")
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
