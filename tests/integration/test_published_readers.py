"""Readers of the published marts, in a process of their own, while the pipeline publishes new ones:
every read succeeds and sees one complete version, the old or the new, never half a file. (The same
reader during a full materialization: tests/orchestration/test_crash_recovery.py.)

The reader (published_reader.py) holds one connection to the published copy open throughout and,
in a loop, opens a new connection per read and reads every Parquet file the manifest lists. A version
is what one publish wrote, read right after it: the copy's tables (rows and a fingerprint of their
values) and the manifest (publish time, rows per mart).
"""

from __future__ import annotations

import time

from leadhouse.publish import MANIFEST, parquet_dir, publish
from leadhouse.warehouse import marts_path
from tests.integration.published_readers import (
    assert_every_read_saw_one_complete_version,
    build_version,
    published_version,
    reading,
)

PUBLISHES = 12


def test_readers_see_one_complete_version_while_publishes_replace_it(tmp_path):
    target = tmp_path / "published" / "leadhouse.duckdb"
    started = time.monotonic()
    warehouse = tmp_path / "leadhouse.duckdb"
    build_version(warehouse, 1)
    publish(marts_path(warehouse), target)
    versions = published_version(target.parent)
    with reading(target.parent, tmp_path / "reads.jsonl") as reader:
        for version in range(2, 2 + PUBLISHES):
            build_version(warehouse, version)
            published = publish(marts_path(warehouse), target)
            versions |= published_version(target.parent)
        reader.wait_until_it_saw(published.published_at.isoformat())
    assert len(versions) == 1 + PUBLISHES
    report = assert_every_read_saw_one_complete_version(reader.reads(), versions)
    print(f"\n{PUBLISHES} publishes in {time.monotonic() - started:.1f} s, reader: {report}")
    assert report["database reads"] >= 2 * PUBLISHES and report["versions they saw"] >= 3
    assert report["parquet reads"] >= PUBLISHES and report["manifests they saw"] >= 3
    assert sorted(p.name for p in parquet_dir(target).iterdir()) == [
        MANIFEST,
        "dim_leads.parquet",
        "lead_status_transitions.parquet",
    ]
