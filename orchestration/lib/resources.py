"""Resources shared by every asset, configured from the environment (leadhouse.settings)."""

from __future__ import annotations

from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from leadhouse.settings import DBT_PROJECT_DIR, Settings
from orchestration.lib.dbt import DBT_EXECUTABLE

# Every asset that writes the warehouse runs in this pool; dagster_home/dagster.yaml limits it to 1
# because DuckDB allows one writing process.
WAREHOUSE_WRITER_POOL = "duckdb_writer"


def build_resources(settings: Settings) -> dict:
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "duckdb": DuckDBResource(database=str(settings.warehouse_path)),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE
        ),
    }
