"""The command line and chronological batch files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from sample_data.cli import main


def test_cli_writes_data_and_prints_a_summary(tmp_path: Path, capsys) -> None:
    assert (
        main(["--leads", "300", "--seed", "3", "--out", str(tmp_path), "--as-of", "2026-06-01", "--quiet"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "people" in printed and "duplicate rate" in printed and "web_forms_001.csv" in printed
    summary = json.loads((tmp_path / "ground_truth" / "summary.json").read_text())
    assert summary["people"] == 300 and summary["as_of"] == "2026-06-01"
    assert (tmp_path / "landing" / "call_center" / "call_center_001.txt").exists()


def test_batches_split_each_source_chronologically(dataset, make_dataset) -> None:
    batched = make_dataset("batched", batches=3)
    truth = batched.source_records
    for name in ("web_forms", "ad_leads", "crm_status_changes", "crm_activities", "ad_spend"):
        files = [p.name for p in batched.files(name)]
        assert len(files) == 3 and files[0].startswith(f"{name}_001.")
    assert len(batched.files("crm_agents")) == 1  # the roster is a snapshot, not a time series
    spans = truth.group_by("source", "file").agg(lo=pl.col("created_at").min(), hi=pl.col("created_at").max())
    for _, group in spans.group_by("source"):
        group = group.sort("file")
        assert (group["hi"].head(2) <= group["lo"].tail(2)).all()
    # the same records, only spread over more files
    assert (
        truth.select("source", "source_record_id")
        .sort(pl.all())
        .equals(dataset.source_records.select("source", "source_record_id").sort(pl.all()))
    )
    assert batched.read("web_forms").height == (truth["source"] == "web_forms").sum()


def test_rerun_replaces_earlier_batches(tmp_path: Path) -> None:
    foreign = tmp_path / "landing" / "web_forms" / "manual_upload.csv"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("kept\n")
    assert main(["--leads", "200", "--out", str(tmp_path), "--batches", "3", "--quiet"]) == 0
    assert main(["--leads", "200", "--out", str(tmp_path), "--quiet"]) == 0
    files = sorted(p.name for p in (tmp_path / "landing" / "web_forms").iterdir())
    assert files == ["manual_upload.csv", "web_forms_001.csv"]
