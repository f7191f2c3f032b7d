"""The published/report asset: it renders the published marts (the DuckDB copy, or the Parquet
marts of a Spark build) next to them, and says what it drew."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from leadhouse.settings import PROJECT_ROOT, Settings
from orchestration.defs.report.assets import REPORT_KEY, build_report_defs
from orchestration.defs.warehouse.assets import PUBLISHED_KEY
from report.charts import CHARTS
from tests.report.report_html import read_report
from tests.report.tiny_marts import TINY_ROWS, build_tiny_marts


def publish_tiny_marts(settings: Settings) -> None:
    """The tiny marts where the warehouse asset publishes them for the settings' engine."""
    if settings.engine == "duckdb":
        build_tiny_marts(settings.published_path)
        return
    database = build_tiny_marts(settings.data_dir / "spark-built.duckdb")
    with duckdb.connect(str(database), read_only=True) as conn:
        for mart in TINY_ROWS:
            folder = settings.published_dir / "parquet" / "marts" / mart
            folder.mkdir(parents=True)
            conn.execute(f"copy marts.{mart} to '{folder / 'part-00000.parquet'}' (format parquet)")


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_the_asset_renders_the_published_marts(tmp_path, engine):
    settings = Settings(
        data_dir=tmp_path, sources_dir=PROJECT_ROOT / "config" / "sources", model_dir=tmp_path, engine=engine
    )
    publish_tiny_marts(settings)
    (asset,) = build_report_defs(settings).assets
    assert asset.asset_deps[REPORT_KEY] == {PUBLISHED_KEY}

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([asset], instance=instance)

    assert result.success
    out = settings.published_dir / "report.html"
    (materialization,) = result.asset_materializations_for_node(asset.op.name)
    metadata = {k: v.value for k, v in materialization.metadata.items()}
    assert metadata["path"] == str(out)
    assert metadata["charts_rendered"] == len(CHARTS)
    assert metadata["charts_missing"] == {}
    assert metadata["size_bytes"] == out.stat().st_size
    page = read_report(out.read_text())
    assert metadata["marks"] == {chart: section.marks for chart, section in page.sections.items()}
    assert page.sections["pipeline_forecast"].number("30", "forecast_revenue") == 123_456.5
    progress = [record.user_message for record in instance.all_logs(result.run_id)]
    assert any(message.startswith(f"funnel: {page.sections['funnel'].marks} marks") for message in progress)
