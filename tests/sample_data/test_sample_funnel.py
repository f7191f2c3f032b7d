"""Status history, agents, activities, ad spend and the learnability of the outcome."""

from __future__ import annotations

import numpy as np
import polars as pl

from ingest.schemas import ACTIVITY_TYPES, LEAD_STATUSES

TERMINAL = {"Closed Won", "Closed Lost", "Disqualified"}
DEAL_STAGES = {"Proposal", "Negotiation", "Closed Won"}


def _changes(dataset) -> pl.DataFrame:
    changes = dataset.read("crm_status_changes").with_columns(
        pl.col("changed_at").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC"),
        pl.col("deal_amount").cast(pl.Float64),
    )
    return changes.join(
        dataset.source_records.select(
            pl.col("source").alias("lead_record_source"),
            pl.col("source_record_id").alias("lead_record_id"),
            "person_id",
            "is_first",
        ),
        on=["lead_record_source", "lead_record_id"],
        how="left",
    )


def test_status_sequences_are_plausible(dataset) -> None:
    changes = _changes(dataset)
    assert changes["person_id"].null_count() == 0 and changes["is_first"].all()  # earliest record
    assert set(changes["status"]) <= set(LEAD_STATUSES)
    assert changes["person_id"].n_unique() == dataset.cfg.leads
    paths = (
        changes.sort("person_id", "changed_at")
        .group_by("person_id")
        .agg(
            pl.col("status"),
            pl.col("changed_at").diff().dt.total_seconds().drop_nulls().min().alias("gap"),
        )
    )
    assert (paths["gap"].drop_nulls() > 0).all()  # strictly increasing timestamps
    for statuses in paths["status"].to_list():
        assert statuses[0] == "New"
        assert not TERMINAL & set(statuses[:-1]), statuses
        if "Proposal" in statuses:
            assert "Qualified" in statuses[: statuses.index("Proposal")]
    assert changes.filter(pl.col("status").is_in(DEAL_STAGES))["deal_amount"].null_count() == 0
    assert (
        changes.filter(pl.col("status").is_in(["New", "Contacted", "Qualified"]))["deal_amount"].null_count()
        == changes.filter(pl.col("status").is_in(["New", "Contacted", "Qualified"])).height
    )
    needs_reason = changes.filter(pl.col("status").is_in(["Closed Lost", "Disqualified", "Recycled"]))
    assert needs_reason["reason"].null_count() == 0
    assert changes["agent_id"].null_count() == 0


def test_outcomes_match_history(dataset) -> None:
    people = dataset.people
    won = set(_changes(dataset).filter(pl.col("status") == "Closed Won")["person_id"])
    assert set(people.filter("converted")["person_id"]) == won
    assert people.filter("converted")["won_amount"].null_count() == 0
    assert (people["is_open"] == ~people["final_status"].is_in(list(TERMINAL))).all()
    # right-censoring: recent leads are mostly still in progress, old ones mostly decided
    recent = people.filter(pl.col("first_seen_at").dt.date() >= pl.date(2026, 10, 18))
    old = people.filter(pl.col("first_seen_at").dt.date() < pl.date(2025, 11, 1))
    assert recent["is_open"].mean() > 0.7 and old["is_open"].mean() < 0.2
    closed = people.filter(~pl.col("is_open"))
    assert 0.10 <= closed["converted"].mean() <= 0.25


def test_deal_amounts_follow_budget(dataset) -> None:
    won = dataset.people.filter("converted")
    assert np.corrcoef(np.log(won["budget"]), np.log(won["won_amount"]))[0, 1] > 0.8


def _auc(score: np.ndarray, label: np.ndarray) -> float:
    ranks = np.empty(len(score))
    ranks[np.argsort(score)] = np.arange(1, len(score) + 1)
    pos, neg = label.sum(), (~label).sum()
    return float((ranks[label].sum() - pos * (pos + 1) / 2) / (pos * neg))


def test_propensity_predicts_outcome(dataset) -> None:
    closed = dataset.people.filter(~pl.col("is_open"))
    assert _auc(closed["propensity"].to_numpy(), closed["converted"].to_numpy()) >= 0.75


def test_agents_fit_their_leads(dataset) -> None:
    agents = dataset.read("crm_agents")
    assert agents.height == max(8, round(dataset.cfg.leads / 400))
    assert set(agents["active"]) <= {"true", "false"}
    agents = agents.with_columns(pl.col("territory").str.split(","), pl.col("specializations").str.split(","))
    owned = (
        _changes(dataset)
        .select("person_id", "agent_id")
        .unique()
        .join(dataset.people.select("person_id", "region", "industry"), on="person_id")
        .join(agents.select(pl.col("agent_id"), "territory", "specializations"), on="agent_id")
    )
    assert owned["person_id"].n_unique() == dataset.cfg.leads  # one owner per person
    fits = owned.select(
        pl.col("territory").list.contains(pl.col("region"))
        & pl.col("specializations").list.contains(pl.col("industry"))
    )[:, 0]
    assert fits.all()


def test_activities_reference_existing_records(dataset) -> None:
    acts = dataset.read("crm_activities").with_columns(
        pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC")
    )
    recs = dataset.source_records.select(
        pl.col("source").alias("lead_source_system"),
        pl.col("source_record_id").alias("lead_ref"),
        "person_id",
        "created_at",
        "injected_error",
    )
    joined = acts.join(recs, on=["lead_source_system", "lead_ref"], how="left")
    assert joined["person_id"].null_count() == 0
    assert joined["injected_error"].null_count() == joined.height  # only valid records are referenced
    assert (joined["timestamp"] >= joined["created_at"]).all()
    assert joined["timestamp"].max().isoformat() < "2026-11-01"
    assert set(acts["type"]) == set(ACTIVITY_TYPES)
    assert 7 <= acts.height / dataset.cfg.leads <= 10
    timed = acts.filter(pl.col("type").is_in(["call", "meeting", "demo", "chat"]))
    assert timed["duration_s"].null_count() == 0


def test_engaged_people_act_more_and_convert_more(dataset) -> None:
    acts = dataset.read("crm_activities").filter(pl.col("owner_id").is_null())  # marketing touches
    per_lead = acts.group_by("lead_source_system", "lead_ref").len()
    recs = dataset.source_records.select(
        pl.col("source").alias("lead_source_system"),
        pl.col("source_record_id").alias("lead_ref"),
        "person_id",
    )
    per_person = (
        per_lead.join(recs, on=["lead_source_system", "lead_ref"])
        .group_by("person_id")
        .agg(pl.col("len").sum())
    )
    people = dataset.people.join(per_person, on="person_id", how="left").with_columns(
        pl.col("len").fill_null(0)
    )
    assert np.corrcoef(people["engagement"], people["len"])[0, 1] > 0.2
    closed = people.filter(~pl.col("is_open"))
    assert _auc(closed["len"].to_numpy().astype(float), closed["converted"].to_numpy()) > 0.55


def test_ad_spend_covers_paid_campaigns(dataset) -> None:
    spend = dataset.read("ad_spend").with_columns(
        pl.col("spend").cast(pl.Float64), pl.col("date").str.to_date()
    )
    assert (spend["spend"] > 0).all() and set(spend["currency"]) == {"USD"}
    ads = dataset.read("ad_leads").select(
        pl.col("campaign_name").alias("campaign"),
        pl.col("created_time").str.slice(0, 10).str.to_date(strict=False).alias("date"),
    )
    forms = (
        dataset.read("web_forms")
        .filter(pl.col("UTM Medium") == "cpc")
        .select(
            pl.col("UTM Campaign").alias("campaign"),
            pl.col("Submitted At").str.to_datetime("%m/%d/%Y %H:%M", strict=False).dt.date().alias("date"),
        )
    )
    leads = pl.concat([ads, forms]).drop_nulls()
    missing = leads.join(spend.select("campaign", "date"), on=["campaign", "date"], how="anti")
    assert missing.is_empty()
    assert set(spend.filter(pl.col("channel") == "ad_form")["campaign"]) == set(ads["campaign"])


def test_email_opt_outs_get_no_email(dataset) -> None:
    opted_out = dataset.read("web_forms").filter(pl.col("Email Opt Out") == "Yes")
    truth = dataset.source_records.filter(pl.col("source") == "web_forms")
    people = truth.join(
        opted_out.select(pl.col("Submission ID").alias("source_record_id")), on="source_record_id"
    )
    assert people.height > 0
    recs = dataset.source_records.filter(pl.col("person_id").is_in(people["person_id"].implode()))
    acts = dataset.read("crm_activities").join(
        recs.select(
            pl.col("source").alias("lead_source_system"), pl.col("source_record_id").alias("lead_ref")
        ),
        on=["lead_source_system", "lead_ref"],
    )
    assert not acts["type"].str.starts_with("email").any()


def test_executives_convert_more_often_than_assistants(dataset) -> None:
    """The title's seniority drives the propensity (what the rule score's title points reward)."""
    closed = dataset.people.filter(~pl.col("is_open"))
    rate = {
        title: closed.filter(pl.col("job_title").is_in(titles))["converted"].mean()
        for title, titles in {
            "executive": ["Owner", "CEO", "Founder", "President"],
            "assistant": ["Executive Assistant"],
        }.items()
    }
    assert rate["executive"] > rate["assistant"] + 0.03
