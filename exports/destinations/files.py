"""Files for a CRM's import tool: CSV (column names in HubSpot's or Salesforce's import style if
asked), Parquet or JSON Lines; one file per run, holding that run's added and changed rows.

A file appears complete or not at all: rows go to ``<run id>.<format>.partial``, which is renamed
to its final name only after the run's fate is committed in the warehouse. A crash before that
commit leaves a partial file that the next run deletes (its rows were never recorded as sent, so
the next run sends them); a crash between the commit and the rename leaves one that the next run
renames. Either way no row is lost and none is in two files.

A CSV is opened by spreadsheets, which run a cell starting with ``= + - @`` (or a tab or carriage
return) as a formula: such a text value is written with a leading apostrophe (OWASP's advice).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from exports.config import FileDestination, SyncConfig
from exports.destinations import KEY, Rejections

PARTIAL = ".partial"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Destination field -> column name in the CRM's import templates, for fields they know by name.
_STANDARD = {
    "hubspot": {
        "email": "Email",
        "first_name": "First Name",
        "last_name": "Last Name",
        "phone": "Phone Number",
        "company": "Company Name",
        "job_title": "Job Title",
        "lead_status": "Lead Status",
        "industry": "Industry",
        "city": "City",
        "country": "Country/Region",
    },
    "salesforce": {
        "email": "Email",
        "first_name": "FirstName",
        "last_name": "LastName",
        "phone": "Phone",
        "company": "Company",
        "job_title": "Title",
        "lead_status": "Status",
        "industry": "Industry",
        "city": "City",
        "country": "Country",
        "lead_source": "LeadSource",
    },
}


def column_name(field: str, style: str) -> str:
    """HubSpot: property labels ("Conversion Probability"); Salesforce: API names, custom fields
    with ``__c`` ("Conversion_Probability__c")."""
    if style == "as_mapped":
        return field
    if field in _STANDARD[style]:
        return _STANDARD[style][field]
    words = [w for w in re.split(r"[_\s.-]+", field) if w]
    if style == "hubspot":
        return " ".join(w.capitalize() for w in words)
    return "_".join(w.capitalize() for w in words) + "__c"


def neutralize_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(_starts_with_any(c)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c) for c in text
    )


def _starts_with_any(column: str) -> pl.Expr:
    expression = pl.lit(False)
    for start in _FORMULA_START:
        expression = expression | pl.col(column).str.starts_with(start)
    return expression


class ImportFile:
    deferred = True

    def __init__(self, destination: FileDestination, config: SyncConfig, run_id: str, directory: Path):
        self.destination = destination
        self.key_name = config.key
        self.directory = directory
        self.identity = f"file:{directory}"
        self.run_id = run_id
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.final = directory / f"{config.name}_{stamp}_{run_id}.{destination.format}"
        self.partial = directory / f"{run_id}.{destination.format}{PARTIAL}"
        self._handle = None
        self._parquet: pq.ParquetWriter | None = None
        self.rows = 0

    def output_path(self) -> str:
        return str(self.final)

    def _renamed(self, frame: pl.DataFrame) -> pl.DataFrame:
        style = self.destination.column_style
        names = {KEY: column_name(self.key_name, style)}
        names |= {c: column_name(c, style) for c in frame.columns if c != KEY}
        return frame.rename(names)

    def upsert(self, batch: pl.DataFrame, mode: str) -> Rejections:
        frame = self._renamed(batch)
        fmt = self.destination.format
        if fmt == "csv":
            frame = neutralize_formulas(frame)
            if self._handle is None:
                self._handle = self.partial.open("wb")
                frame.write_csv(self._handle, include_header=True)
            else:
                frame.write_csv(self._handle, include_header=False)
        elif fmt == "jsonl":
            if self._handle is None:
                self._handle = self.partial.open("wb")
            frame.write_ndjson(self._handle)
        else:
            table = frame.to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.partial, table.schema)
            self._parquet.write_table(table)
        self.rows += batch.height
        return {}

    def delete(self, keys: list[str]) -> Rejections:
        raise NotImplementedError("a file destination cannot delete (the config refuses mirror mode)")

    def _close_files(self) -> None:
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None

    def finish(self) -> None:
        """Make the partial file durable: called before the run's fate is committed."""
        self._close_files()

    def publish(self) -> str | None:
        """Called after the commit: the file takes its final name (atomic on one filesystem)."""
        self._close_files()
        if not self.partial.exists():
            return None
        os.replace(self.partial, self.final)
        return str(self.final)

    def discard(self) -> None:
        self._close_files()
        self.partial.unlink(missing_ok=True)

    def recover(self, committed_output: Callable[[str], str | None]) -> list[str]:
        """Finish what a killed run left: rename the partial files of committed runs, delete the others."""
        done = []
        for partial in sorted(self.directory.glob(f"*{PARTIAL}")):
            run_id = partial.name.split(".", 1)[0]
            final = committed_output(run_id)
            if final:
                os.replace(partial, final)
                done.append(f"{partial.name} -> {Path(final).name} (committed before the crash)")
            else:
                partial.unlink()
                done.append(f"{partial.name} deleted (its run never committed; its rows are sent again)")
        return done

    def close(self) -> None:
        self._close_files()
