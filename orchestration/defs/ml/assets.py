"""The conversion model's assets (ml/ does the work; docs/model.md):

- ``ml/conversion_model_candidate``: a new version trained on the warehouse and registered;
  its blocking check ``model_gate`` decides whether it may replace the champion;
- ``ml/conversion_model``: the champion, promoted to the candidate when the gate passed;
- ``ml/lead_scores`` + ``ml/lead_score_log``: every open lead scored by the champion (or the rule
  fallback), the dbt source of marts.lead_scores, the work queue and
  marts.model_performance_over_time; its check ``score_drift`` watches the population stability.
"""

from datetime import UTC, datetime

import dagster as dg
from dagster_duckdb import DuckDBResource

from leadhouse.settings import Settings
from ml.config import load_model_config
from ml.drift import drift_verdict
from orchestration.lib.clock import run_settings
from orchestration.lib.groups import group_args
from orchestration.lib.resources import WAREHOUSE_WRITER_POOL, ModelRegistryResource

CANDIDATE_KEY = dg.AssetKey(["ml", "conversion_model_candidate"])
CHAMPION_KEY = dg.AssetKey(["ml", "conversion_model"])
LEAD_SCORES_KEY = dg.AssetKey(["ml", "lead_scores"])
SCORE_LOG_KEY = dg.AssetKey(["ml", "lead_score_log"])
# What the features read (ml.features.WarehouseTables).
FEATURE_INPUTS = [
    dg.AssetKey(["intermediate", "int_lead_records_matched"]),
    dg.AssetKey(["marts", "fct_lead_activities"]),
    dg.AssetKey(["marts", "fct_lead_status_changes"]),
    dg.AssetKey(["marts", "lead_score_history"]),
    dg.AssetKey(["marts", "lead_rule_scores"]),
]
RULE_DETAILS = dg.AssetKey(["marts", "lead_rule_score_details"])
SPARK_NOTE = "the conversion model reads the DuckDB warehouse; with LEADHOUSE_ENGINE=spark it is not run"


def _as_of(settings: Settings) -> datetime:
    """The run's "now" (LEADHOUSE_AS_OF, else this moment), naive UTC to the second, like dbt's."""
    return (settings.as_of or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _candidate_version(instance: dg.DagsterInstance) -> str:
    """The version the candidate asset last registered ("" when it trained none)."""
    event = instance.get_latest_materialization_event(CANDIDATE_KEY)
    if event is None or event.asset_materialization is None:
        return ""
    value = event.asset_materialization.metadata.get("version")
    return str(value.value) if value is not None else ""


def build_ml_defs(settings: Settings) -> dg.Definitions:
    @dg.asset(
        key=CANDIDATE_KEY,
        deps=FEATURE_INPUTS,
        **group_args("ml"),
        kinds={"scikitlearn"},
        pool=WAREHOUSE_WRITER_POOL,  # reads the warehouse file, which a writer would lock
        description="A new version of the conversion model: point-in-time training set from the warehouse, "
        "logistic regression and gradient boosting chosen on a time-ordered validation slice, calibrated, "
        "measured on the newest leads beside the rule score, saved with its card in the model registry. "
        "Below config/model.yml's minimum history it trains nothing and says why.",
    )
    def conversion_model_candidate(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, model_registry: ModelRegistryResource
    ) -> dg.MaterializeResult:
        from ml.train import NotEnoughHistory  # scikit-learn: imported by the step, not the code location
        from ml.workflow import train_candidate

        if settings.engine == "spark":
            context.log.warning(SPARK_NOTE)
            return dg.MaterializeResult(metadata={"version": "", "reason": SPARK_NOTE})
        registry = model_registry.registry()
        config = load_model_config()
        try:
            with duckdb.get_connection() as conn:
                version = train_candidate(
                    conn, registry, config, _as_of(run_settings(settings, context)), progress=context.log.info
                )
        except NotEnoughHistory as exc:
            context.log.warning(f"no candidate trained: {exc}")
            return dg.MaterializeResult(metadata={"version": "", "reason": str(exc)})
        card = registry.card(version)
        holdout, baseline = card["metrics"]["holdout"], card["baseline"]
        return dg.MaterializeResult(
            metadata={
                "version": version,
                "estimator": card["estimator"],
                "holdout_roc_auc": holdout["roc_auc"],
                "holdout_pr_auc": holdout["pr_auc"],
                "holdout_brier": holdout["brier"],
                "holdout_ece": holdout["ece"],
                "top_decile_lift": holdout["top_decile_lift"],
                "rule_score_roc_auc": baseline["holdout"]["roc_auc"] if baseline else None,
                "training_rows": card["data"]["rows"]["train"],
                "training_seconds": card["training_seconds"],
                "card": dg.MetadataValue.path(str(registry.folder_of(version) / "card.md")),
            }
        )

    @dg.asset_check(
        asset=CANDIDATE_KEY,
        name="model_gate",
        blocking=True,
        description="The candidate may become champion: its holdout ROC AUC beats the rule score's, its "
        "ECE is within config/model.yml gate.max_ece, and it is no worse than the champion on the same "
        "holdout (gate.auc_tolerance). Blocking: a failed gate leaves the champion as it is.",
    )
    def model_gate(
        context: dg.AssetCheckExecutionContext, model_registry: ModelRegistryResource
    ) -> dg.AssetCheckResult:
        version = _candidate_version(context.instance)
        if not version:
            return dg.AssetCheckResult(
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,  # nothing to promote; the champion stays
                description="no candidate was trained this time (see the candidate's reason)",
            )
        from ml.workflow import judge

        result = judge(model_registry.registry(), version, load_model_config())
        return dg.AssetCheckResult(
            passed=result.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(result.reasons),
            metadata={"version": version, **{k: v for k, v in result.figures.items() if v is not None}},
        )

    @dg.asset(
        key=CHAMPION_KEY,
        deps=[CANDIDATE_KEY],
        **group_args("ml"),
        kinds={"scikitlearn"},
        description="The version that scores leads: the candidate, once its model_gate passed. "
        "`leadhouse-model promote VERSION` / `leadhouse-model rollback` change it by hand; the registry "
        "keeps the history.",
    )
    def conversion_model(
        context: dg.AssetExecutionContext, model_registry: ModelRegistryResource
    ) -> dg.MaterializeResult:
        registry = model_registry.registry()
        version = _candidate_version(context.instance)
        champion = registry.champion()
        if version and version != champion and registry.card(version).get("gate", {}).get("passed"):
            registry.promote(version, reason="passed the champion gate")
            context.log.info(f"champion: {version} (was {champion or 'none'})")
        return dg.MaterializeResult(
            metadata={"champion": registry.champion() or "", "previous": champion or "", "candidate": version}
        )

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                LEAD_SCORES_KEY,
                deps=[CHAMPION_KEY, *FEATURE_INPUTS, RULE_DETAILS],
                **group_args("ml"),
                kinds={"duckdb"},
                description="Every open lead's conversion probability, decile, grade and top reasons "
                "(table ml.lead_scores), from the champion, else the rule fallback.",
            ),
            dg.AssetSpec(
                SCORE_LOG_KEY,
                deps=[CHAMPION_KEY, *FEATURE_INPUTS, RULE_DETAILS],
                **group_args("ml"),
                kinds={"duckdb"},
                description="Every scoring run's rows (table ml.lead_score_log), for "
                "marts.model_performance_over_time.",
            ),
        ],
        check_specs=[
            dg.AssetCheckSpec(
                "score_drift",
                asset=LEAD_SCORES_KEY,
                description=(
                    "Population stability index of each feature and of the score between the champion's "
                    "training rows and the newest leads, both as they looked at the first cutoff (3 days "
                    "after capture): warns above config/model.yml drift.warn_psi, fails above drift.fail_psi."
                ),
            )
        ],
        pool=WAREHOUSE_WRITER_POOL,
    )
    def lead_scores(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, model_registry: ModelRegistryResource
    ):
        from ml.workflow import score_open_leads, write_scores

        config = load_model_config()
        if settings.engine == "spark":
            context.log.warning(SPARK_NOTE)
            yield dg.MaterializeResult(asset_key=LEAD_SCORES_KEY, metadata={"reason": SPARK_NOTE})
            yield dg.MaterializeResult(asset_key=SCORE_LOG_KEY, metadata={"reason": SPARK_NOTE})
            yield dg.AssetCheckResult(
                asset_key=LEAD_SCORES_KEY, check_name="score_drift", passed=True, description=SPARK_NOTE
            )
            return
        with duckdb.get_connection() as conn:
            scored = score_open_leads(
                conn, model_registry.registry(), config, _as_of(run_settings(settings, context))
            )
            write_scores(conn, scored.scores)
        scores = scored.scores
        by = dict(scores.group_by("scored_by").len().iter_rows())
        context.log.info(f"scored {scores.height:,} open leads: {by}")
        yield dg.MaterializeResult(
            asset_key=LEAD_SCORES_KEY,
            metadata={
                "rows": scores.height,
                "scored_by": dg.MetadataValue.json(by),
                "model_version": scores["model_version"].first() if scores.height else "",
                "grades": dg.MetadataValue.json(
                    dict(scores.group_by("model_grade").len().sort("model_grade").iter_rows())
                ),
                "psi": dg.MetadataValue.json(scored.drift or {}),
            },
        )
        yield dg.MaterializeResult(asset_key=SCORE_LOG_KEY, metadata={"rows_this_run": scores.height})
        yield drift_check_result(scored.drift, config.drift.warn_psi, config.drift.fail_psi)

    return dg.Definitions(
        assets=[conversion_model_candidate, conversion_model, lead_scores], asset_checks=[model_gate]
    )


def drift_check_result(drift: dict[str, float] | None, warn: float, fail: float) -> dg.AssetCheckResult:
    """``score_drift``: passed below ``warn``; failed as a warning up to ``fail``; failed above;
    a warning too when there were no new leads to compare."""
    if drift is None:
        return dg.AssetCheckResult(
            asset_key=LEAD_SCORES_KEY,
            check_name="score_drift",
            passed=True,
            description="no model scored (rule fallback): nothing to compare",
        )
    if not drift:
        return dg.AssetCheckResult(
            asset_key=LEAD_SCORES_KEY,
            check_name="score_drift",
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description="no new leads at the champion's first cutoff to compare with its training rows "
            "(no lead captured within the horizon, or cutoff_days changed since it was trained)",
        )
    verdict, shifted = drift_verdict(drift, warn, fail)
    top = ", ".join(f"{name} {drift[name]:.3f}" for name in shifted[:8])
    return dg.AssetCheckResult(
        asset_key=LEAD_SCORES_KEY,
        check_name="score_drift",
        passed=verdict == "ok",
        severity=dg.AssetCheckSeverity.ERROR if verdict == "fail" else dg.AssetCheckSeverity.WARN,
        description={
            "ok": f"every PSI at most {warn}",
            "warn": f"PSI above {warn}: {top}",
            "fail": f"PSI above {fail}: {top}",
        }[verdict],
        metadata={
            "max_psi": max(drift.values()),
            "score_psi": drift.get("score", 0.0),
            "psi": dg.MetadataValue.json(drift),
        },
    )
