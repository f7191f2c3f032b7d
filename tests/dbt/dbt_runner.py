"""Running the dbt project in tests, and reading what it built."""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The "now" of the tests' builds (the sample data's as-of date), unless a test passes its own vars.
TEST_AS_OF = "2026-11-01 00:00:00"


# dbt parses the whole project again (9 s here) when its profile changes, and the warehouse's
# path, under LEADHOUSE_DATA_DIR, is part of the profile: every test's data folder would cost a
# whole parse. So dbt gets one data path per test process, a link to the test's folder, and the
# parse of the last command (partial_parse.msgpack), which dbt reuses only for what did not
# change (files, vars, the environment variables they read); in production the data folder
# and its parse stay put (make manifest).
_stable_dir: Path | None = None


def _stable_paths() -> tuple[Path, Path]:
    """(the data link, the last parse) of this process."""
    global _stable_dir
    if _stable_dir is None:
        _stable_dir = Path(tempfile.mkdtemp(prefix="leadhouse-dbt-"))
        atexit.register(shutil.rmtree, _stable_dir, True)
    return _stable_dir / "data", _stable_dir / "partial_parse.msgpack"


def run_dbt(
    command: str, data_dir: Path, work_dir: Path, *args: str, as_of: str = TEST_AS_OF
) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """Run a dbt command against the warehouse under `data_dir`, as the orchestration does: in a
    process of its own (dbt-duckdb keeps its connection open for the life of the process).
    `args` are extra dbt arguments (a selection, say). Returns the process and the results of
    run_results.json (empty for parse)."""
    target_dir = work_dir / "target"
    run_results = target_dir / "run_results.json"
    run_results.unlink(missing_ok=True)
    data_link, last_parse = _stable_paths()
    data_link.unlink(missing_ok=True)
    data_link.symlink_to(Path(data_dir).absolute(), target_is_directory=True)
    parse = target_dir / "partial_parse.msgpack"
    if last_parse.exists() and not parse.exists():
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(last_parse, parse)
    process = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            command,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target_dir),
            "--log-path",
            str(work_dir / "logs"),
            *args,
        ],
        env=os.environ
        | {
            "LEADHOUSE_DATA_DIR": str(data_link),
            "LEADHOUSE_AS_OF": as_of,  # as the orchestration passes it (leadhouse.dbt_invocation)
            "DO_NOT_TRACK": "1",
            "DBT_VERSION_CHECK": "false",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if parse.exists():
        shutil.copyfile(parse, last_parse)
    results = (
        json.loads(run_results.read_text())["results"] if command != "parse" and run_results.exists() else []
    )
    return process, results


def unsuccessful(results: list[dict]) -> dict[str, str]:
    """The results of a build that neither succeeded, passed nor warned, by id. Exposures (what
    reads the marts: the report, the score export) have nothing to build: their no-op is fine."""
    return {
        r["unique_id"]: r["status"]
        for r in results
        if r["status"] not in ("success", "pass", "warn")
        and not (r["unique_id"].startswith("exposure.") and r["status"] == "no-op")
    }


def rows(conn, sql: str) -> list[dict]:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def lead_id_of(record_key: str) -> str:
    """The id of a new lead: from its smallest record key, source:source_record_id (written out
    here rather than imported from entity_resolution.identity, so a change of the recipe, which
    changes every stored lead id, shows up as a failing test)."""
    return "ld_" + hashlib.md5(record_key.encode()).hexdigest()[:16]


def pairs_by_key(table: str, columns: str) -> str:
    """A query of a pair table (record_id_l, record_id_r) with the pair's record keys in key
    order (record_key_l < record_key_r) beside `columns` of the table (alias p)."""
    return f"""
        select least(l.record_key, r.record_key) as record_key_l, greatest(l.record_key, r.record_key) as record_key_r,
            {columns}
        from {table} as p
        inner join intermediate.int_er_records_prepared as l on l.record_id = p.record_id_l
        inner join intermediate.int_er_records_prepared as r on r.record_id = p.record_id_r
    """
