"""A reader of the published marts, as a BI tool or a notebook reads them, run as a process of its own
by published_readers.py (test_published_readers.py, test_crash_recovery.py): it reads in a loop
until SIGTERM and writes one JSON line per read.

    python published_reader.py <published dir> <file of reads> [<seconds between reads>]

- ``held``: a connection to ``leadhouse.duckdb`` opened at the start and kept open throughout.
- ``database``: a new read-only connection per read, closed after it.
- ``parquet``: ``parquet/_manifest.json``, then every file it lists, each opened once (its footer and
  its rows come through the same handle, as a file renamed over it must not mix two versions).

Every read records what it saw: each table's rows and, in the database, a fingerprint of its values.
An exception is recorded as an ``error`` read, never raised: the test requires that there is none.
"""

from __future__ import annotations

import json
import signal
import sys
import time
import traceback
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

PAUSE_SECONDS = 0.02  # between reads, by default: a publisher shares the machine's cores with this reader
stopping = False


def stop(signum, frame) -> None:
    global stopping
    stopping = True


def database_read(conn: duckdb.DuckDBPyConnection, catalog: str) -> dict:
    """Rows and a fingerprint of the content (every value is read) of each table."""
    relations = conn.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_catalog = ? order by 1, 2",
        [catalog],
    ).fetchall()
    return {
        "tables": {
            f"{schema}.{name}": list(
                conn.execute(
                    f'select count(*), sum(hash(t))::varchar from "{catalog}"."{schema}"."{name}" as t'
                ).fetchone()
            )
            for schema, name, kind in relations
            if kind == "BASE TABLE"
        },
        "views": [f"{schema}.{name}" for schema, name, kind in relations if kind != "BASE TABLE"],
    }


def parquet_read(folder: Path) -> dict:
    manifest = json.loads((folder / "_manifest.json").read_text())
    files = {}
    for entry in manifest["files"]:
        with pq.ParquetFile(folder / entry["file"]) as file:
            files[entry["table"]] = {
                "published_at": file.metadata.metadata[b"leadhouse_published_at"].decode(),
                "rows": file.read().num_rows,
            }
    return {
        "manifest": {
            "published_at": manifest["published_at"],
            "rows": {entry["table"]: entry["rows"] for entry in manifest["files"]},
        },
        "files": files,
    }


def main(published: Path, reads_path: Path, pause_seconds: float = PAUSE_SECONDS) -> int:
    signal.signal(signal.SIGTERM, stop)
    database = published / "leadhouse.duckdb"
    # Attached to a database of its own: duckdb.connect would share one instance between this
    # connection and the new ones (its cache of open files), and they would never see a new copy.
    with reads_path.open("a") as reads, duckdb.connect() as held:
        held.execute(f"attach '{database}' as held (read_only)")

        def record(kind: str, read) -> None:
            try:
                line = {"kind": kind, "at": time.time(), **read()}
            except Exception:
                line = {"kind": "error", "at": time.time(), "read": kind, "error": traceback.format_exc()}
            reads.write(json.dumps(line) + "\n")
            reads.flush()

        def fresh_database_read() -> dict:
            with duckdb.connect(str(database), read_only=True) as conn:
                return database_read(conn, conn.execute("select current_database()").fetchone()[0])

        record("ready", dict)
        while not stopping:
            record("held", lambda: database_read(held, "held"))
            record("database", fresh_database_read)
            record("parquet", lambda: parquet_read(published / "parquet"))
            time.sleep(pause_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), *map(float, sys.argv[3:4])))
