"""The conversion model's assets on the default 10,000-person sample (tests/sample_build.py):
train, gate and promote, score every open lead, then the dbt marts that read the scores. A gate
that fails leaves the champion as it was."""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest

from leadhouse.warehouse import connect as connect_warehouse
from leadhouse.warehouse import copy_warehouse
from ml.config import load_model_config
from ml.features import scoring_rows
from ml.registry import LocalModelRegistry
from orchestration.defs.ml import assets as ml_assets
from orchestration.defs.ml.assets import CANDIDATE_KEY, CHAMPION_KEY, LEAD_SCORES_KEY, build_ml_defs
from orchestration.lib.resources import ModelRegistryResource, WarehouseResource
from tests.dbt.dbt_runner import TEST_AS_OF, run_dbt, unsuccessful

pytestmark = pytest.mark.filterwarnings("ignore::dagster.BetaWarning")


@pytest.fixture(scope="module")
def sample(built_sample, tmp_path_factory):
    """A copy of the built sample's warehouse (so the session's stays as built) and an empty registry."""
    from leadhouse.settings import Settings

    root = tmp_path_factory.mktemp("ml-assets")
    data = root / "data"
    (data / "warehouse").mkdir(parents=True)
    copy_warehouse(built_sample.warehouse, data / "warehouse" / "leadhouse.duckdb")
    settings = Settings.from_env(
        {
            "LEADHOUSE_DATA_DIR": str(data),
            "LEADHOUSE_MODEL_DIR": str(root / "models"),
            "LEADHOUSE_AS_OF": TEST_AS_OF,
        }
    )
    return settings, built_sample


def materialize(settings, instance, selection=None):
    defs = build_ml_defs(settings)
    return dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources={
            "duckdb": WarehouseResource(database=str(settings.warehouse_path)),
            "model_registry": ModelRegistryResource(root=str(settings.model_dir)),
        },
        instance=instance,
        selection=selection,
        raise_on_error=False,
    )


def check(result, name):
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return evaluation


@pytest.fixture(scope="module")
def first_run(sample):
    settings, _ = sample
    instance = dg.DagsterInstance.ephemeral()
    return settings, instance, materialize(settings, instance)


def test_a_model_is_trained_gated_promoted_and_scores_every_open_lead(first_run):
    settings, _, result = first_run
    assert result.success
    registry = LocalModelRegistry(settings.model_dir)
    (version,) = registry.versions()
    assert check(result, "model_gate").passed
    assert registry.champion() == version
    card = registry.card(version)
    assert (
        card["gate"]["passed"]
        and card["metrics"]["holdout"]["roc_auc"] > card["baseline"]["holdout"]["roc_auc"]
    )
    assert card["metrics"]["holdout"]["ece"] <= 0.05
    assert {p.name for p in registry.folder_of(version).iterdir()} >= {
        "calibration.png",
        "roc.png",
        "card.md",
    }
    assert (registry.folder_of(version) / "roc.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    with connect_warehouse(settings.warehouse_path, read_only=True) as conn:
        scores = conn.sql("select * from ml.lead_scores").pl()
        open_leads = scoring_rows(conn, settings.as_of.replace(tzinfo=None), load_model_config())
    assert scores.height == open_leads.height > 1000
    assert set(scores["lead_id"]) == set(open_leads["lead_id"])
    assert set(scores["scored_by"]) == {"model"} and set(scores["model_version"]) == {version}
    assert scores["conversion_probability"].is_between(0, 1).all()
    assert scores.group_by("decile").len()["len"].min() >= scores.height // 10
    explained = scores.filter(pl.col("top_positive_factors") != "").height
    assert explained > 0.9 * scores.height
    drift = check(result, "score_drift")
    assert drift.metadata["psi"].value.keys() >= {"score", "status", "budget"}


def test_the_dbt_marts_read_the_scores(first_run, tmp_path):
    settings, _, _ = first_run
    process, results = run_dbt(
        "build", settings.data_dir, tmp_path, "--select", "source:ml+", "--exclude-resource-type", "unit_test"
    )
    assert process.returncode == 0 and not unsuccessful(results), process.stdout[-3000:]
    with connect_warehouse(settings.warehouse_path, read_only=True) as conn:
        marts = conn.sql("select count(*), count(distinct lead_id) from marts.lead_scores").fetchone()
        scored = conn.sql("select count(*) from ml.lead_scores").fetchone()[0]
        sources = dict(
            conn.sql("select probability_source, count(*) from marts.sales_work_queue group by 1").fetchall()
        )
        performance = conn.sql(
            "select count(*), sum(scored_lead_count), min(decile), max(decile), bool_and(not horizon_elapsed) "
            "from marts.model_performance_over_time"
        ).fetchone()
    assert marts == (scored, scored)
    assert sources.get("conversion_model", 0) > 0
    assert performance == (10, scored, 1, 10, True)  # one scoring run, ten deciles, too recent to judge


def test_a_failed_gate_leaves_the_champion(first_run, monkeypatch):
    settings, instance, _ = first_run
    registry = LocalModelRegistry(settings.model_dir)
    champion = registry.champion()
    strict = load_model_config().model_copy(
        update={"gate": load_model_config().gate.model_copy(update={"max_ece": 0.0})}
    )
    monkeypatch.setattr(ml_assets, "load_model_config", lambda: strict)
    result = materialize(settings, instance)
    gate = check(result, "model_gate")
    assert not gate.passed and "FAILED: ECE" in gate.description
    assert len(registry.versions()) == 2
    assert registry.champion() == champion
    assert registry.card(registry.versions()[-1])["gate"]["passed"] is False
    materialized = {
        e.event_specific_data.materialization.asset_key
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    }
    assert CANDIDATE_KEY in materialized
    assert CHAMPION_KEY not in materialized and LEAD_SCORES_KEY not in materialized
