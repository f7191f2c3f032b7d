"""The champion gate: may this version score leads?

A version passes when, on its own holdout (the newest labelled leads):
- its ROC AUC beats the rule score's on the holdout rows that have one (``gate.beat_rule_score``);
- its expected calibration error is at most ``gate.max_ece``;
- its ROC AUC is at least the current champion's on the same rows, less ``gate.auc_tolerance``
  (the champion is loaded from the registry and scores those rows itself; no champion: passes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from ml.config import ModelConfig
from ml.registry import ModelRegistry
from ml.train import model_frame


@dataclass(frozen=True)
class GateResult:
    passed: bool
    reasons: list[str]  # one line per condition, passed or not
    figures: dict[str, Any] = field(default_factory=dict)

    def as_card(self) -> dict[str, Any]:
        return {"passed": self.passed, "reasons": self.reasons, "figures": self.figures}


def evaluate_gate(registry: ModelRegistry, version: str, config: ModelConfig) -> GateResult:
    card = registry.card(version)
    auc = card["metrics"]["holdout"]["roc_auc"]
    ece = card["metrics"]["holdout"]["ece"]
    baseline = card["baseline"]
    gate = config.gate
    checks: list[tuple[bool, str]] = []
    figures: dict[str, Any] = {"roc_auc": auc, "ece": ece}
    if gate.beat_rule_score and baseline is None:
        checks.append((True, "no rule score in the data: nothing to beat"))
    elif gate.beat_rule_score:
        rule_auc = baseline["holdout"]["roc_auc"]
        auc_on_rule_rows = baseline["model_roc_auc"]  # the model on the rows that have a rule score
        figures["rule_score_roc_auc"] = rule_auc
        beats = auc_on_rule_rows > rule_auc
        checks.append(
            (
                beats,
                f"ROC AUC {auc_on_rule_rows:.4f} {'>' if beats else '<='} the rule score's {rule_auc:.4f} "
                f"on the {baseline['rows']:,} holdout rows that have one",
            )
        )
    checks.append(
        (ece <= gate.max_ece, f"ECE {ece:.4f} {'<=' if ece <= gate.max_ece else '>'} {gate.max_ece}")
    )
    champion = registry.champion()
    if champion is None or champion == version:
        checks.append((True, "no champion to compare with"))
    else:
        holdout = registry.holdout(version)
        champion_model = registry.load(champion)
        kinds = registry.card(champion)["features"]["kinds"]
        missing = [f for f in kinds if f not in holdout.columns]
        if missing:
            checks.append(
                (False, f"champion {champion} needs features the holdout lacks: {', '.join(missing)}")
            )
        else:
            y = holdout["label"].to_numpy().astype(int)
            champion_p = champion_model.predict_proba(model_frame(holdout, kinds))[:, 1]
            champion_auc = float(roc_auc_score(y, champion_p))
            new_auc = float(roc_auc_score(y, holdout["probability"].to_numpy()))
            floor = champion_auc - gate.auc_tolerance
            figures |= {"champion": champion, "champion_roc_auc": champion_auc}
            checks.append(
                (
                    bool(np.isfinite(new_auc) and new_auc >= floor),
                    f"ROC AUC {new_auc:.4f} {'>=' if new_auc >= floor else '<'} champion {champion}'s "
                    f"{champion_auc:.4f} - {gate.auc_tolerance} on the same {holdout.height:,} holdout rows",
                )
            )
    return GateResult(
        passed=all(ok for ok, _ in checks),
        reasons=[("passed: " if ok else "FAILED: ") + text for ok, text in checks],
        figures=figures,
    )
