"""The landing-folder sensor: a refresh when files land (the ledger decides what is new)."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from ingest.config import extracted_sources, load_source_configs
from ingest.pipeline import landing_files, still_being_written
from leadhouse.settings import Settings
from orchestration.defs.operations.jobs import refresh_warehouse


def build_landing_files_sensor(settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_files_sensor",
        job=refresh_warehouse,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts a refresh when a file lands in, or changes in, any landing/<source>/ folder. "
        "It only looks at names, sizes and modification times; the ingestion's content ledger decides "
        "what is really new.",
    )
    def landing_files_sensor(context: dg.SensorEvaluationContext):
        seen = json.loads(context.cursor) if context.cursor else {}
        current = {}
        configs = load_source_configs(settings.sources_dir)
        # Files an extraction writes are ingested by the run that extracted them; seeing them
        # here would start a refresh per extraction, which extracts again (a loop while the
        # database keeps changing).
        written_by_runs = extracted_sources(configs)
        for config in configs:
            if config.name in written_by_runs:
                continue
            for path in landing_files(config, settings.landing_dir):
                if still_being_written(path, config.settle_seconds):
                    continue  # seen again on a later tick, once it has settled
                stat = path.stat()
                current[str(path.relative_to(settings.landing_dir))] = [stat.st_size, stat.st_mtime_ns]
        changed = sorted(name for name, state in current.items() if seen.get(name) != state)
        context.update_cursor(json.dumps(current))
        if not changed:
            return dg.SkipReason("no new or changed landing files")
        return dg.RunRequest(
            run_key="landing-"
            + hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16],
            tags={"leadhouse/changed_files": ", ".join(changed[:20])},
        )

    return landing_files_sensor
