import dagster as dg

from leadhouse.settings import PROJECT_ROOT, Settings
from orchestration.definitions import build_definitions


def test_landing_sensor_fires_on_new_and_changed_files_only(tmp_path):
    settings = Settings(
        data_dir=tmp_path, sources_dir=PROJECT_ROOT / "config" / "sources", model_dir=tmp_path / "m"
    )
    defs = build_definitions(settings)
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    folder = tmp_path / "landing" / "web_forms"
    folder.mkdir(parents=True)

    first = sensor.evaluate_tick(dg.build_sensor_context(cursor=None, definitions=defs))
    assert first.skip_message == "no new or changed landing files"

    (folder / "a.csv").write_text("Submission ID\n1\n")
    (folder / "ignored.txt").write_text("not matched by the config's glob")
    second = sensor.evaluate_tick(dg.build_sensor_context(cursor=first.cursor, definitions=defs))
    assert len(second.run_requests) == 1
    assert second.run_requests[0].tags["leadhouse/changed_files"] == "web_forms/a.csv"

    third = sensor.evaluate_tick(dg.build_sensor_context(cursor=second.cursor, definitions=defs))
    assert third.skip_message and not third.run_requests

    (folder / "a.csv").write_text("Submission ID\n1\n2\n")
    fourth = sensor.evaluate_tick(dg.build_sensor_context(cursor=third.cursor, definitions=defs))
    assert len(fourth.run_requests) == 1 and fourth.run_requests[0].run_key != second.run_requests[0].run_key


def test_landing_sensor_waits_for_a_file_still_being_written(tmp_path):
    import os
    import time

    settings = Settings(
        data_dir=tmp_path, sources_dir=PROJECT_ROOT / "config" / "sources", model_dir=tmp_path / "m"
    )
    defs = build_definitions(settings)
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    folder = tmp_path / "landing" / "web_forms"
    folder.mkdir(parents=True)
    partial = folder / "a.csv"
    partial.write_text("Submission ID,Email\n1,a@b.co\n2,c@")  # an upload in progress
    first = sensor.evaluate_tick(dg.build_sensor_context(cursor=None, definitions=defs))
    assert first.skip_message == "no new or changed landing files"

    settled = time.time() - 3600  # the same bytes, an hour later: a cut-off export, ingested as it is
    os.utime(partial, (settled, settled))
    second = sensor.evaluate_tick(dg.build_sensor_context(cursor=first.cursor, definitions=defs))
    assert [r.tags["leadhouse/changed_files"] for r in second.run_requests] == ["web_forms/a.csv"]


def test_landing_sensor_leaves_the_files_of_database_extractions_to_their_runs(tmp_path):
    """An extraction's files are ingested by the run that wrote them: a refresh per extraction
    would extract again, and again while the CRM keeps changing."""
    settings = Settings(
        data_dir=tmp_path, sources_dir=PROJECT_ROOT / "config" / "sources", model_dir=tmp_path / "m"
    )
    defs = build_definitions(settings)
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    for source in ("crm_database_leads", "crm_database_deletions"):
        folder = tmp_path / "landing" / source
        folder.mkdir(parents=True)
        (folder / f"{source}_000001.csv").write_text("id\n1\n")
    tick = sensor.evaluate_tick(dg.build_sensor_context(cursor=None, definitions=defs))
    assert tick.skip_message == "no new or changed landing files"
