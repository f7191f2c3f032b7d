"""The asset groups of the Dagster UI and the team that owns each. The dbt models join their group
in ``dbt_project/dbt_project.yml`` (``+group:``), declared with its owner in
``dbt_project/models/_groups.yml``; the Python assets name theirs here. A test keeps the two equal."""

from __future__ import annotations

# group -> the team that owns it (Dagster shows owners as ``team:<name>``)
GROUP_OWNERS: dict[str, str] = {
    "ingest": "data-engineering",
    "staging": "data-engineering",
    "identity": "data-engineering",
    "scoring": "revops-analytics",
    "funnels": "revops-analytics",
    "ml": "ml-engineering",
    "exports": "revops-analytics",
    "publish": "data-engineering",
}


def owners(group: str) -> list[str]:
    """The Dagster owners of an asset in ``group``."""
    return [f"team:{GROUP_OWNERS[group]}"]


def group_args(group: str) -> dict:
    """``group_name`` and ``owners`` for an asset, spec or multi-asset of ``group``."""
    return {"group_name": group, "owners": owners(group)}
