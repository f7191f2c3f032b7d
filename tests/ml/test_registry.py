"""The model registry (ml.registry), the champion gate (ml.gate) and the leadhouse-model command:
saving and loading safely, refusing a tampered file, promotion through the gate, rollback."""

from __future__ import annotations

import json

import numpy as np
import pytest
import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator

from ml.cli import main as leadhouse_model
from ml.config import load_model_config
from ml.registry import TRUSTED_TYPES, LocalModelRegistry, RegistryError, TamperedModel
from ml.train import candidate_pipelines, model_frame, train_conversion_model
from ml.workflow import judge
from tests.ml.synthetic import START, examples


def save(registry: LocalModelRegistry, trained) -> str:
    return registry.save(trained.model, trained.card, trained.reference, trained.holdout, {"roc.png": b"png"})


@pytest.fixture(scope="module")
def good():
    return train_conversion_model(examples(), load_model_config(), as_of=START)


@pytest.fixture(scope="module")
def blind():
    """A model that learned from shuffled signals: the driver and the industry are permuted among
    all but the newest 15 % of the leads (the holdout keeps them), so it learns nothing."""
    frame = examples()
    learned = int(frame.height * 0.85)
    rng = np.random.default_rng(7)
    order = np.concatenate([rng.permutation(learned), np.arange(learned, frame.height)])
    shuffled = frame.with_columns(
        frame["recent_pricing_page_views"].gather(order), frame["industry"].gather(order)
    )
    return train_conversion_model(shuffled, load_model_config(), as_of=START)


def test_a_saved_version_loads_and_predicts_the_same(tmp_path, good):
    registry = LocalModelRegistry(tmp_path)
    version = save(registry, good)
    assert registry.versions() == [version]
    folder = registry.folder_of(version)
    assert sorted(p.name for p in folder.iterdir()) == [
        "card.json",
        "card.md",
        "holdout.parquet",
        "model.skops",
        "reference.json",
        "roc.png",
    ]
    card = registry.card(version)
    assert card["version"] == version and len(card["sha256"]) == 64
    assert version.endswith(card["data"]["fingerprint"][:8])
    assert "| ROC AUC |" in (folder / "card.md").read_text()
    frame = model_frame(good.holdout, card["features"]["kinds"])
    np.testing.assert_array_equal(
        registry.load(version).predict_proba(frame), good.model.predict_proba(frame)
    )
    assert registry.holdout(version).height == good.holdout.height


def test_a_changed_model_file_is_refused(tmp_path, good):
    registry = LocalModelRegistry(tmp_path)
    version = save(registry, good)
    path = registry.folder_of(version) / "model.skops"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(TamperedModel, match="sha256 is not the one in card.json"):
        registry.load(version)


class Payload:  # a type nobody trusted, as a crafted model file would carry
    pass


def test_a_file_naming_an_untrusted_type_is_refused_even_with_a_matching_hash(tmp_path, good):
    import hashlib

    registry = LocalModelRegistry(tmp_path)
    version = save(registry, good)
    folder = registry.folder_of(version)
    crafted = sio.dumps(Payload())
    (folder / "model.skops").write_bytes(crafted)
    card = json.loads((folder / "card.json").read_text())
    card["sha256"] = hashlib.sha256(crafted).hexdigest()  # the attacker rewrote the card too
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(TamperedModel, match="names types nobody trusted .*Payload"):
        registry.load(version)


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_both_candidates_need_no_type_beyond_the_trusted_list(method):
    frame = examples(1500)
    config = load_model_config()
    kinds = {"recent_pricing_page_views": "numeric", "industry": "categorical", "budget_confirmed": "boolean"}
    x, y = model_frame(frame, kinds), frame["label"].to_numpy()
    for pipeline in candidate_pipelines(kinds, config).values():
        model = CalibratedClassifierCV(FrozenEstimator(pipeline.fit(x, y)), method=method).fit(x, y)
        assert set(sio.get_untrusted_types(data=sio.dumps(model))) <= set(TRUSTED_TYPES)


def test_the_gate_refuses_a_worse_model_and_promotes_a_better_one(tmp_path, good, blind):
    config = load_model_config()
    registry = LocalModelRegistry(tmp_path)
    first = save(registry, good)
    assert judge(registry, first, config).passed  # no champion yet: beats the rules, calibrated
    registry.promote(first, "gate passed")

    worse = save(registry, blind)
    verdict = judge(registry, worse, config)
    assert not verdict.passed
    assert any(r.startswith("FAILED: ROC AUC") and "champion" in r for r in verdict.reasons)
    assert verdict.figures["champion"] == first and verdict.figures["champion_roc_auc"] > 0.7
    assert registry.card(worse)["gate"]["passed"] is False  # recorded in its card
    assert registry.champion() == first  # unchanged

    better = save(registry, good)  # retrained on the same data: as good as the champion
    assert better != first
    assert judge(registry, better, config).passed
    registry.promote(better, "gate passed")
    assert registry.champion() == better


def test_rollback_walks_back_through_the_champions(tmp_path, good, blind):
    registry = LocalModelRegistry(tmp_path)
    with pytest.raises(RegistryError, match="nothing to roll back"):
        registry.rollback()
    a = save(registry, good)
    b = save(registry, blind)
    registry.promote(a, "first")
    with pytest.raises(RegistryError, match="first champion"):
        registry.rollback()
    registry.promote(b, "second")
    assert registry.rollback().version == a and registry.champion() == a
    assert [(e.action, e.version, e.previous) for e in registry.history()] == [
        ("promote", a, None),
        ("promote", b, a),
        ("rollback", a, b),
    ]
    with pytest.raises(RegistryError, match="already the champion"):
        registry.promote(a, "again")
    with pytest.raises(RegistryError, match="no model version 'nope'"):
        registry.promote("nope", "typo")
    (registry.folder / "champion.json").unlink()  # the pointer is a copy; the history decides
    assert registry.champion() == a
    (registry.folder / ".20990101T000000Z-deadbeef.tmp").mkdir()  # a save that never finished
    ((registry.folder / ".20990101T000000Z-deadbeef.tmp") / "card.json").write_text("{}")
    assert registry.versions() == sorted([a, b])


def test_the_command_promotes_and_rolls_back(tmp_path, good, blind, capsys):
    config = load_model_config()
    registry = LocalModelRegistry(tmp_path)
    a, b = save(registry, good), save(registry, blind)
    judge(registry, a, config)
    registry.promote(a, "gate passed")
    judge(registry, b, config)  # fails: worse than a
    args = ["--registry", str(tmp_path)]
    unjudged = save(registry, good)
    assert leadhouse_model([*args, "promote", unjudged]) == 1
    assert "was never judged by the champion gate" in capsys.readouterr().err
    assert leadhouse_model([*args, "promote", b]) == 1
    assert "failed its gate" in capsys.readouterr().err
    assert registry.champion() == a
    assert leadhouse_model([*args, "promote", b, "--force"]) == 0
    assert registry.champion() == b
    assert leadhouse_model([*args, "rollback"]) == 0
    assert registry.champion() == a
    assert leadhouse_model([*args, "list"]) == 0
    listing = capsys.readouterr().out
    assert f"* {a}" in listing and "failed" in listing and "passed" in listing
    assert leadhouse_model([*args, "history"]) == 0
    assert capsys.readouterr().out.count("\n") == 3
    assert leadhouse_model([*args, "rollback"]) == 1  # a was the first champion
