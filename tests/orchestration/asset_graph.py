"""The asset graph as text, for the snapshot in asset_graph.txt: one line per asset (key, group,
pool, sorted parent keys) and one per asset check (asset key, check name, blocking or not).

    make manifest && .venv/bin/python -m tests.orchestration.asset_graph   # rewrites the snapshot

The definitions are built from the shipped configuration (``config/sources/``), whatever the
environment says, so the snapshot is the same on every machine.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

SNAPSHOT = Path(__file__).with_name("asset_graph.txt")
REGENERATE = "make manifest && .venv/bin/python -m tests.orchestration.asset_graph"


def describe(graph: dg.AssetGraph) -> list[str]:
    checks: dict[dg.AssetKey, list[dg.AssetCheckKey]] = {}
    for check in graph.asset_check_keys:
        checks.setdefault(check.asset_key, []).append(check)
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=dg.AssetKey.to_user_string):
        node = graph.get(key)
        parents = ",".join(sorted(parent.to_user_string() for parent in node.parent_keys)) or "-"
        pools = ",".join(sorted(node.pools or ())) or "-"
        lines.append(f"asset {key.to_user_string()} group={node.group_name} pool={pools} deps={parents}")
        for check in sorted(checks.get(key, []), key=lambda c: c.name):
            blocking = "blocking" if graph.get_check_spec(check).blocking else "non-blocking"
            lines.append(f"check {key.to_user_string()} {check.name} {blocking}")
    return lines


def shipped_asset_graph() -> dg.AssetGraph:
    from leadhouse.settings import Settings
    from orchestration.definitions import build_definitions

    return build_definitions(Settings.from_env({})).resolve_asset_graph()


def main() -> None:
    lines = describe(shipped_asset_graph())
    SNAPSHOT.write_text("\n".join(lines) + "\n")
    print(
        f"{SNAPSHOT}: {sum(line.startswith('asset ') for line in lines)} assets, "
        f"{sum(line.startswith('check ') for line in lines)} checks"
    )


if __name__ == "__main__":
    main()
