"""Resources shared by every asset, configured from the environment (leadhouse.settings)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from leadhouse.settings import DBT_PROJECT_DIR, Settings
from leadhouse.warehouse import attach_marts
from ml.registry import LocalModelRegistry, ModelRegistry
from orchestration.lib.dbt import DBT_EXECUTABLE, LeadhouseDbtCliResource

# Every asset that writes the warehouse runs in this pool; dagster_home/dagster.yaml limits it to 1
# because DuckDB allows one writing process.
WAREHOUSE_WRITER_POOL = "duckdb_writer"


class ModelRegistryResource(dg.ConfigurableResource):
    """The model registry the ml assets save to and load from (ml.registry), never a path."""

    root: str

    def registry(self) -> ModelRegistry:
        return LocalModelRegistry(Path(self.root))


class WarehouseResource(DuckDBResource):
    """dagster-duckdb's connection to the warehouse file, with the marts file attached
    (leadhouse.warehouse): ``marts.<table>`` reads the marts dbt built."""

    @contextmanager
    def get_connection(self):
        with super().get_connection() as conn:
            attach_marts(conn, Path(self.database))
            yield conn


def build_resources(settings: Settings) -> dict:
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "duckdb": WarehouseResource(database=str(settings.warehouse_path)),
        "model_registry": ModelRegistryResource(root=str(settings.model_dir)),
        "dbt": LeadhouseDbtCliResource(
            project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE
        ),
    }
