"""The activities scoring rules and triggers count: the newer types, direction and response times,
and the behavioural patterns (repeated searches, daily visits, runs of opens)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

HOUR = 3_600
CONVERSATIONAL = ("call", "email", "sms")


@pytest.fixture(scope="module")
def acts(dataset) -> pl.DataFrame:
    """Every activity with its person, engagement and outcome."""
    frame = dataset.read("crm_activities").with_columns(
        pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC"),
        pl.col("response_time_s").cast(pl.Int64),
        pl.col("duration_s").cast(pl.Int64),
    )
    recs = dataset.source_records.select(
        pl.col("source").alias("lead_source_system"),
        pl.col("source_record_id").alias("lead_ref"),
        "person_id",
    )
    people = dataset.people.select(
        "person_id", "engagement", "converted", "is_open", "channel", "first_seen_at"
    )
    return frame.join(recs, on=["lead_source_system", "lead_ref"]).join(people, on="person_id")


def _auc(score: np.ndarray, label: np.ndarray) -> float:
    ranks = np.empty(len(score))
    ranks[np.argsort(score, kind="stable")] = np.arange(1, len(score) + 1)
    pos, neg = label.sum(), (~label).sum()
    return float((ranks[label].sum() - pos * (pos + 1) / 2) / (pos * neg))


def test_direction_and_response_only_on_messages(acts) -> None:
    assert set(acts["direction"].drop_nulls()) == {"inbound", "outbound"}
    with_direction = acts.filter(pl.col("direction").is_not_null())
    assert set(with_direction["type"]) == {"call", "email", "sms", "social_engagement"}
    # Every call, email and sms is a message; social engagement only when it is a direct message.
    assert acts.filter(pl.col("type").is_in(CONVERSATIONAL))["direction"].null_count() == 0
    social = acts.filter(pl.col("type") == "social_engagement")
    assert set(social.filter(pl.col("direction").is_not_null())["detail"].str.extract(r"^(\w+ \w+)")) == {
        "LinkedIn message"
    }
    assert (
        acts.filter(pl.col("direction").is_null())["response_time_s"].null_count()
        == acts.filter(pl.col("direction").is_null()).height
    )
    assert (acts["response_time_s"].drop_nulls() > 0).all()
    assert acts.filter(pl.col("type") == "sms", pl.col("direction") == "inbound").is_empty()  # texts go out


def test_inbound_contacts_are_mostly_answered_within_the_hour(acts) -> None:
    inbound = acts.filter(pl.col("direction") == "inbound")
    within = (inbound["response_time_s"] <= HOUR).fill_null(False)
    assert inbound.height > 100
    assert 0.7 < within.mean() < 0.95  # most, not all
    assert inbound["response_time_s"].null_count() > 0  # a few are never answered


def test_online_leads_get_a_first_response_that_mostly_meets_a_one_hour_sla(acts, dataset) -> None:
    web = dataset.people.filter(pl.col("channel") == "web_form").select("person_id", "first_seen_at")
    first_touch = (
        acts.filter(pl.col("direction") == "outbound", pl.col("type").is_in(["call", "email"]))
        .group_by("person_id")
        .agg(pl.col("timestamp").min())
        .join(web, on="person_id")
        .with_columns(wait=(pl.col("timestamp") - pl.col("first_seen_at")).dt.total_seconds())
    )
    assert first_touch.height > 0.9 * web.height
    met = (first_touch["wait"] <= HOUR).mean()
    assert 0.7 < met < 0.95
    # Leads from the call center already talked to someone: no speed-to-lead touch for them.
    call_center = dataset.people.filter(pl.col("channel") == "call_center")["person_id"].implode()
    speed = acts.filter(pl.col("detail") == "Speed-to-lead call", pl.col("person_id").is_in(call_center))
    assert speed.is_empty()


def test_engaged_people_answer_more_often_and_faster(acts) -> None:
    out = acts.filter(pl.col("direction") == "outbound").with_columns(
        answered=pl.col("response_time_s").is_not_null()
    )
    engaged, disengaged = out.filter(pl.col("engagement") > 0.5), out.filter(pl.col("engagement") < -0.5)
    assert engaged["answered"].mean() > disengaged["answered"].mean() + 0.15
    for kind in ("email", "sms"):
        fast = engaged.filter(pl.col("type") == kind)["response_time_s"].median()
        slow = disengaged.filter(pl.col("type") == kind)["response_time_s"].median()
        assert fast < slow, kind


def test_people_answer_best_in_the_channel_they_prefer(acts, dataset) -> None:
    channel = {"email": "email", "sms": "sms", "call": "phone", "social_engagement": "social"}
    out = (
        acts.filter(pl.col("direction") == "outbound")
        .with_columns(channel=pl.col("type").replace_strict(channel))
        .join(dataset.people.select("person_id", "preferred_channel"), on="person_id")
    )
    rates = out.group_by(preferred=pl.col("channel") == pl.col("preferred_channel")).agg(
        pl.col("response_time_s").is_not_null().mean()
    )
    rate = dict(rates.iter_rows())
    assert rate[True] > rate[False] + 0.1


def test_intent_activities_tilt_towards_engaged_people_and_converters(acts, dataset) -> None:
    marketing = acts.filter(pl.col("owner_id").is_null())
    counts = marketing.group_by("person_id").agg(
        (pl.col("type") == kind).sum().alias(kind)
        for kind in ("demo_request", "pricing_page_view", "page_view")
    )
    people = dataset.people.join(counts, on="person_id", how="left").fill_null(0)
    intent = people["demo_request"] + people["pricing_page_view"]
    # Per touch, demo requests and pricing views come from more engaged people than page views do.
    share = (intent / (intent + people["page_view"])).fill_nan(None)
    assert np.corrcoef(people["engagement"].filter(share.is_not_null()), share.drop_nulls())[0, 1] > 0.15
    closed = people.filter(~pl.col("is_open"))
    signal = (closed["demo_request"] + closed["pricing_page_view"]).to_numpy().astype(float)
    assert _auc(signal, closed["converted"].to_numpy()) > 0.53


def test_behavioural_trigger_patterns_happen(acts, dataset) -> None:
    ordered = acts.sort("person_id", "timestamp", "activity_id")
    # Three or more consecutive email opens.
    runs = (
        ordered.with_columns(opened=pl.col("type") == "email_open")
        .with_columns(
            run=(pl.col("opened") != pl.col("opened").shift(1)).fill_null(True).cum_sum().over("person_id")
        )
        .filter("opened")
        .group_by("person_id", "run")
        .len()
    )
    assert runs.filter(pl.col("len") >= 3)["person_id"].n_unique() > 0.05 * dataset.cfg.leads
    # A site visit every day for seven days.
    days = (
        ordered.filter(pl.col("type") == "page_view")
        .select("person_id", day=pl.col("timestamp").dt.date())
        .unique()
        .sort("person_id", "day")
        .with_columns(
            streak=(pl.col("day").diff().over("person_id") != pl.duration(days=1)).fill_null(True).cum_sum()
        )
        .group_by("person_id", "streak")
        .len()
    )
    assert days.filter(pl.col("len") >= 7)["person_id"].n_unique() >= 5
    # Five searches with the same criteria; criteria repeat within a person.
    searches = ordered.filter(pl.col("type") == "search")
    assert searches["detail"].str.starts_with("Search: ").all()
    same = searches.group_by("person_id", "detail").len()
    assert same.filter(pl.col("len") >= 5)["person_id"].n_unique() >= 10
    per_person = searches.group_by("person_id").agg(pl.len(), pl.col("detail").n_unique().alias("criteria"))
    repeat = per_person.filter(pl.col("len") >= 3)
    assert (repeat["criteria"] < repeat["len"]).mean() > 0.9
