"""The import rules the layout rests on, read from the source with ``ast`` (nothing is imported):

- only ``orchestration/`` imports Dagster (``bench/`` and ``tests/`` may too): ingestion, entity
  resolution, ML, exports, settings and the sample generator are plain Python that runs and is
  tested without it, and orchestration wires them into assets;
- nothing but ``tests/`` imports ``orchestration``: the wiring depends on the rest, never the reverse;
- ``sample_data/`` imports nothing of the project, so the generator's values are its own copies
  (kept equal to ``ingest.schemas`` by tests/sample_data/test_sample_vocabulary.py);
- every top-level package is installed (``packages.find`` in pyproject.toml), and nothing else is.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import tomllib
from pathlib import Path

import pytest

from leadhouse.settings import PROJECT_ROOT

DAGSTER_FREE = (
    "ingest",
    "entity_resolution",
    "scoring",
    "sales",
    "analytics",
    "ml",
    "exports",
    "report",
    "ops",
    "leadhouse",
    "sample_data",
)
MAY_IMPORT_DAGSTER = ("orchestration", "bench", "tests")
# Runtime data, environments and build output: not the project's source.
NOT_SOURCE = {"data", "dagster_home", "target", "logs", "dbt_packages", "__pycache__"}


def python_files(folder: Path) -> list[Path]:
    found = []
    for directory, subdirectories, files in os.walk(folder):
        subdirectories[:] = sorted(
            d
            for d in subdirectories
            if not d.startswith(".") and d not in NOT_SOURCE and not d.endswith(".egg-info")
        )
        found += [Path(directory) / name for name in sorted(files) if name.endswith(".py")]
    return found


def imported_modules(path: Path) -> set[str]:
    """Every absolute module a file imports, wherever in the file (inside functions too), including
    ``importlib.import_module("...")`` and ``__import__("...")`` with a literal name."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            modules.add(node.args[0].value)
    return modules


def is_dagster(module: str) -> bool:
    top = module.split(".")[0]
    return top == "dagster" or top.startswith("dagster_")


def top_level_packages() -> set[str]:
    return {p.parent.name for p in PROJECT_ROOT.glob("*/__init__.py")}


def relative(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


def violations(files: list[Path], forbidden) -> list[str]:
    return sorted(
        f"{relative(path)} imports {module}"
        for path in files
        for module in imported_modules(path)
        if forbidden(module)
    )


def test_the_import_reader_sees_every_kind_of_import(tmp_path):
    source = tmp_path / "example.py"
    source.write_text(
        "import os, dagster as dg\n"
        "from dagster_dbt import dbt_assets\n"
        "from . import sibling\n"
        "def later():\n"
        "    import importlib\n"
        "    importlib.import_module('dagster_duckdb')\n"
        "    __import__('orchestration.definitions')\n"
    )
    modules = imported_modules(source)
    assert modules == {
        "os",
        "dagster",
        "dagster_dbt",
        "importlib",
        "dagster_duckdb",
        "orchestration.definitions",
    }
    assert [m for m in sorted(modules) if is_dagster(m)] == ["dagster", "dagster_dbt", "dagster_duckdb"]
    assert not is_dagster("dagsterish")


@pytest.mark.parametrize("package", DAGSTER_FREE)
def test_plain_python_packages_do_not_import_dagster(package):
    folder = PROJECT_ROOT / package
    assert (folder / "__init__.py").is_file(), f"{package}/ is not a package any more: update DAGSTER_FREE"
    found = violations(python_files(folder), is_dagster)
    assert not found, f"{package}/ is plain Python; the Dagster wiring goes in orchestration/defs/: {found}"


def test_only_orchestration_imports_dagster():
    """Every Python file of the project, dbt's Python models and future packages included."""
    files = [
        path
        for path in python_files(PROJECT_ROOT)
        if path.relative_to(PROJECT_ROOT).parts[0] not in MAY_IMPORT_DAGSTER
    ]
    assert any(relative(p).startswith("dbt_project/") for p in files)  # the walk reaches them
    found = violations(files, is_dagster)
    assert not found, f"only orchestration/ (and bench/, tests/) may import Dagster: {found}"


def test_nothing_but_tests_imports_orchestration():
    files = [
        path
        for path in python_files(PROJECT_ROOT)
        if path.relative_to(PROJECT_ROOT).parts[0] not in ("orchestration", "tests")
    ]
    found = violations(files, lambda module: module.split(".")[0] == "orchestration")
    assert not found, f"orchestration/ wires the other packages; they must not depend on it: {found}"


def test_sample_data_imports_nothing_of_the_project():
    project = (top_level_packages() | {"bench", "tests"}) - {"sample_data"}
    found = violations(
        python_files(PROJECT_ROOT / "sample_data"), lambda module: module.split(".")[0] in project
    )
    assert not found, f"sample_data/ imports nothing of the project (it keeps its own copies): {found}"


def test_every_top_level_package_is_installed_and_nothing_else():
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = top_level_packages()
    not_installed = sorted(
        p for p in packages if not any(fnmatch.fnmatch(p, pattern) for pattern in patterns)
    )
    stale = sorted(pattern for pattern in patterns if not any(fnmatch.fnmatch(p, pattern) for p in packages))
    assert not not_installed, (
        f"add to [tool.setuptools.packages.find] include in pyproject.toml: {not_installed}"
    )
    assert not stale, f"pyproject.toml installs packages that do not exist: {stale}"
