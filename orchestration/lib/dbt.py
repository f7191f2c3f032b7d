"""dbt wiring: the project, the translator that names dbt nodes as Dagster assets, and starting a
dbt command with its own environment."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from functools import cache, cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._utils.env import environ
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
)
from packaging import version

from leadhouse.dbt_invocation import DbtInvocation, dbt_invocation, project_var_sections
from leadhouse.settings import DBT_PROJECT_DIR, Settings

# The dbt of this environment, whether or not the environment is activated (PATH may not have it).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


class LeadhouseDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, told dbt's version instead of asking the executable.

    dagster-dbt runs ``dbt --version`` (3.3 s here, a whole dbt start) before the first dbt command
    of every run, to tell dbt Core from the Fusion engine. This environment's ``dbt`` is dbt-core's
    own entry point, so its version is the installed package's; another executable is still asked.
    """

    @cached_property
    def _cli_version(self):
        if Path(self.dbt_executable) == Path(DBT_EXECUTABLE):
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version


@cache
def dbt_project() -> DbtProject:
    """The dbt project. Under `dagster dev` its manifest is prepared (dbt parse) on load; in every
    other context `make` builds it first, so importing the definitions never shells out.

    Not `project.prepare_if_dev()`: dagster-dbt's preparer runs whatever `dbt` is on PATH, and
    `dagster dev` started as .venv/bin/dagster has none there (the code location failed to load).
    ``LEADHOUSE_DEV_PARSE=0`` skips that parse (the browser test, which starts `dagster dev` while
    other tests read the same manifest, after `make manifest` wrote it).
    Parsed with the vars the runs pass: a run reuses this parse (dagster-dbt copies its
    partial_parse.msgpack) only when its --vars are the same, and parses everything again if not.
    The invocation (arguments and environment) is `make manifest`'s: a pinned LEADHOUSE_AS_OF
    reaches dbt normalized, as the as_of macro reads it."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if project.preparer.using_dagster_dev() and os.environ.get("LEADHOUSE_DEV_PARSE", "1") != "0":
        invocation = dbt_invocation("parse", Settings.from_env(), project_var_sections(), "--quiet")
        with environ(invocation.env):
            LeadhouseDbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
                invocation.args, target_path=project.target_path
            ).wait()
    return project


def start_dbt(
    dbt: DbtCliResource, invocation: DbtInvocation, context: dg.AssetExecutionContext
) -> DbtCliInvocation:
    """Start ``invocation`` (leadhouse.dbt_invocation) with its environment in dbt's process only.

    dagster-dbt's ``cli()`` has no environment argument: it copies ``os.environ`` when it starts
    dbt. So the variables are set for the duration of that call, with Dagster's ``environ``, which
    restores the previous values on return (the way dagster-dbt's maintainers point to,
    dagster-io/dagster#29656), rather than left in this process for every later step to inherit."""
    with environ(invocation.env):
        return dbt.cli(invocation.args, context=context)


def all_sources_key(table: str) -> dg.AssetKey:
    """The physical raw table every source of an entity appends to (``raw.lead_records``, ...)."""
    return dg.AssetKey(["raw", "all_sources", table])


class LeadhouseDbtTranslator(DagsterDbtTranslator):
    """Models are keyed ``<schema>/<model>`` (``marts/dim_leads``) and grouped by their dbt group
    (what they are about: identity, scoring, funnels, ...), owned by its owner; a dbt
    source ``raw.<name>`` is the ingestion asset ``raw/<name>``; the physical all-sources tables
    the catch-all staging models read are ``raw/all_sources/<table>``.

    ``feeders`` maps each physical raw table to the ingestion assets that append to it. A model
    reading such a table depends on every one of them directly: ``raw/all_sources/...`` is only
    a spec (nothing materializes it), so without these edges a run would build the catch-all
    models before the ingestion of a source that has no staging model of its own."""

    def __init__(self, feeders: Mapping[str, Sequence[dg.AssetKey]] | None = None) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self.feeders = dict(feeders or {})

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.startswith("source."):
            return spec
        extra = []
        for upstream in manifest["nodes"].get(unique_id, {}).get("depends_on", {}).get("nodes", []):
            source = manifest.get("sources", {}).get(upstream)
            if source and source.get("meta", {}).get("all_sources"):
                extra += self.feeders.get(source["identifier"], [])
        known = {dep.asset_key for dep in spec.deps}
        new = [key for key in dict.fromkeys(extra) if key not in known]
        return spec.merge_attributes(deps=new) if new else spec

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            if dbt_resource_props.get("meta", {}).get("all_sources"):
                return all_sources_key(dbt_resource_props["identifier"])
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["config"].get("schema") or "main", dbt_resource_props["name"]])

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        """The owner of the node's dbt group (models/_groups.yml) as a Dagster team."""
        group = dbt_resource_props.get("group")
        owner = group.get("owner", {}) if isinstance(group, Mapping) else {}
        if owner.get("email"):
            return [owner["email"]]
        return [f"team:{owner['name']}"] if owner.get("name") else None
