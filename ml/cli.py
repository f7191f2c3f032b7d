"""``leadhouse-model``: look at the model registry and change its champion by hand.

    leadhouse-model list                  every version, its holdout figures and gate verdict
    leadhouse-model show VERSION          a version's card (Markdown)
    leadhouse-model promote VERSION       make VERSION the champion (--force unless its gate passed)
    leadhouse-model rollback              make the previous champion the champion again
    leadhouse-model history               every promotion and rollback

The registry is ``LEADHOUSE_MODEL_DIR`` (default ``models/``). The next scoring run
(``rescore_leads``, hourly) scores with the new champion.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leadhouse.settings import Settings
from ml.registry import LocalModelRegistry, RegistryError


def _list(registry: LocalModelRegistry) -> int:
    champion = registry.champion()
    versions = registry.versions()
    if not versions:
        print(f"no model versions in {registry.folder}")
        return 0
    print(f"{'':2}{'version':28}{'estimator':22}{'ROC AUC':>9}{'rule AUC':>9}{'ECE':>8}  gate")
    for version in versions:
        card = registry.card(version)
        holdout = card["metrics"]["holdout"]
        gate = card.get("gate")
        verdict = "not judged" if gate is None else ("passed" if gate["passed"] else "failed")
        rule_auc = f"{card['baseline']['holdout']['roc_auc']:.4f}" if card["baseline"] else "-"
        print(
            f"{'*' if version == champion else '':2}{version:28}{card['estimator']:22}"
            f"{holdout['roc_auc']:9.4f}{rule_auc:>9}{holdout['ece']:8.4f}  {verdict}"
        )
    print("\n* champion" if champion else "\nno champion yet: leads are scored by the rule fallback")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="leadhouse-model", description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", type=Path, help="the registry folder (default: LEADHOUSE_MODEL_DIR)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="every version")
    show = commands.add_parser("show", help="a version's card")
    show.add_argument("version")
    promote = commands.add_parser("promote", help="make a version the champion")
    promote.add_argument("version")
    promote.add_argument(
        "--force", action="store_true", help="promote a version whose gate failed or never ran"
    )
    promote.add_argument("--reason", default="promoted by hand")
    rollback = commands.add_parser("rollback", help="the previous champion again")
    rollback.add_argument("--reason", default="rolled back by hand")
    commands.add_parser("history", help="every promotion and rollback")
    args = parser.parse_args(argv)

    registry = LocalModelRegistry(args.registry or Settings.from_env().model_dir)
    try:
        if args.command == "list":
            return _list(registry)
        if args.command == "show":
            print((registry.folder_of(args.version) / "card.md").read_text())
            return 0
        if args.command == "promote":
            gate = registry.card(args.version).get("gate")
            if not args.force and (gate is None or not gate["passed"]):
                why = (
                    "was never judged by the champion gate"
                    if gate is None
                    else f"failed its gate ({'; '.join(r for r in gate['reasons'] if 'FAILED' in r)})"
                )
                print(f"{args.version} {why}; add --force to promote it anyway", file=sys.stderr)
                return 1
            event = registry.promote(args.version, args.reason)
        elif args.command == "rollback":
            event = registry.rollback(args.reason)
        else:
            for event in registry.history():
                print(
                    f"{event.at}  {event.action:9} {event.version}  (was {event.previous or 'none'}): {event.reason}"
                )
            return 0
    except RegistryError as exc:
        print(f"leadhouse-model: {exc}", file=sys.stderr)
        return 1
    print(f"champion: {event.version} (was {event.previous or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
