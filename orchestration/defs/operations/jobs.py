"""Jobs. Each Python name is the job's name in Dagster."""

import dagster as dg

from orchestration.defs.ml.assets import CANDIDATE_KEY, CHAMPION_KEY, LEAD_SCORES_KEY, SCORE_LOG_KEY

TRAINING = dg.AssetSelection.assets(CANDIDATE_KEY, CHAMPION_KEY)

refresh_warehouse = dg.define_asset_job(
    "refresh_warehouse",
    selection=dg.AssetSelection.all() - TRAINING,
    description="Ingest new landing files, rebuild the warehouse, score the open leads with the champion "
    "model, publish the read-only copy and the report. Training is weekly (retrain_conversion_model).",
)

retrain_conversion_model = dg.define_asset_job(
    "retrain_conversion_model",
    selection=dg.AssetSelection.assets(CANDIDATE_KEY).downstream(),
    description="Train a candidate conversion model; promote it if its gate passes; rescore and publish.",
)

rescore_leads = dg.define_asset_job(
    "rescore_leads",
    selection=dg.AssetSelection.assets(LEAD_SCORES_KEY, SCORE_LOG_KEY).downstream(),
    description="Score the open leads with the champion as of now, rebuild what reads the scores "
    "(lead_scores, the work queue, model performance) and publish.",
)
