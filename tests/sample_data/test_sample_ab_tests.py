"""Campaign A/B tests: two call-center campaigns split into variants at random, one with a real
effect on conversion (script B) and one without (the greetings, an A/A check)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from sample_data import propensity
from sample_data.people import build_people
from sample_data.reference import CALL_CENTER_CAMPAIGNS, CAMPAIGN_VARIANTS

SCRIPT_A, SCRIPT_B = CAMPAIGN_VARIANTS["Outbound - Prospecting List"]
GREETING_A, GREETING_B = CAMPAIGN_VARIANTS["Inbound - Website Phone"]


def _campaigns(dataset) -> pl.Series:
    return dataset.read("call_center")["CAMPAIGN"].drop_nulls()


def test_each_record_of_a_tested_campaign_gets_a_variant_half_the_time(dataset) -> None:
    campaigns = _campaigns(dataset)
    assert not set(campaigns) & set(CAMPAIGN_VARIANTS)  # no record keeps the campaign's plain name
    assert set(campaigns) == (set(CALL_CENTER_CAMPAIGNS) - set(CAMPAIGN_VARIANTS)) | {
        variant for variants in CAMPAIGN_VARIANTS.values() for variant in variants
    }
    for a, b in CAMPAIGN_VARIANTS.values():
        n_a, n_b = int((campaigns == a).sum()), int((campaigns == b).sum())
        assert abs(n_a - n_b) <= 4 * np.sqrt(n_a + n_b), (a, n_a, b, n_b)  # 50/50, within 4 sd


def test_script_b_raises_the_log_odds_and_the_greetings_change_nothing(dataset) -> None:
    people = build_people(dataset.cfg)
    channel = pl.Series(["call_center"] * people.height)

    def logit(campaign: str) -> np.ndarray:
        return propensity.logit(people, channel, pl.Series([campaign] * people.height))

    assert np.allclose(logit(SCRIPT_B) - logit(SCRIPT_A), propensity.CAMPAIGN_EFFECT[SCRIPT_B])
    assert propensity.CAMPAIGN_EFFECT[SCRIPT_B] >= 1.0  # clearly better: odds x2.7 or more
    assert np.array_equal(logit(GREETING_A), logit(GREETING_B))
    assert np.array_equal(logit(SCRIPT_A), logit("Outbound - Lease Expiry List"))  # A is the baseline


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_split_draws_from_its_own_stream(make_dataset, monkeypatch) -> None:
    """Without the effect, splitting the campaigns changes their names in the call center's file
    and nothing else: every other draw of the sample is the one it was without the split."""
    monkeypatch.setattr(propensity, "CAMPAIGN_EFFECT", {})
    split = make_dataset("split")
    monkeypatch.setattr("sample_data.records.CAMPAIGN_VARIANTS", {})
    whole = make_dataset("whole")
    first, second = _snapshot(split.out), _snapshot(whole.out)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == [
        "landing/call_center/call_center_001.txt"
    ]
    with_variants, without = split.read("call_center"), whole.read("call_center")
    assert with_variants.drop("CAMPAIGN").equals(without.drop("CAMPAIGN"))
    plain_name = with_variants["CAMPAIGN"].str.replace(r" \((script|greeting) [AB]\)$", "")
    assert plain_name.equals(without["CAMPAIGN"])
