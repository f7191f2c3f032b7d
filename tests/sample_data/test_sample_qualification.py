"""Revenue, product interest, BANT answers and the CRM's custom fields: who captures them, and that
they follow the person (and so the hidden propensity's drivers)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from ingest.config import load_source_config
from ingest.pipeline import Ingestor
from ingest.schemas import LEAD, TIMELINES
from sample_data.config import SOURCE_NAMES

SOURCES_DIR = Path(__file__).resolve().parents[2] / "config" / "sources"
BANT = ("budget_confirmed", "is_decision_maker", "pain_points", "purchase_timeline")
PROPERTY_TYPES = {"Office", "Medical office", "Industrial", "Warehouse", "Retail", "Flex", "Creative office"}


def _mapped(conf: dict) -> dict[str, str]:
    """canonical -> native column of a lead source (crm_export uses the canonical names)."""
    return conf.get("columns", {c.name: c.name for c in LEAD.columns})


def _with_truth(dataset, source: str) -> pl.DataFrame:
    """A lead source's rows (valid records only) with the person each belongs to."""
    truth = dataset.source_records.filter(pl.col("source") == source, pl.col("injected_error").is_null())
    return dataset.read(source).join(
        truth.select(pl.col("source_record_id").alias(dataset.id_column(source)), "person_id", "is_first"),
        on=dataset.id_column(source),
    )


def test_bant_answers_come_only_from_the_call_center_and_the_crm(dataset, configs) -> None:
    carriers = {name for name in SOURCE_NAMES if set(BANT) & set(_mapped(configs[name]))}
    assert carriers == {"call_center", "crm_export"}
    for name in carriers:
        cols = _mapped(configs[name])
        rows = dataset.read(name)
        for field in BANT:
            answered = rows[cols[field]].drop_nulls()
            assert 0.3 < answered.len() / rows.height < 0.7, (name, field)  # asked on some calls only
    for name in set(SOURCE_NAMES) - carriers:  # no native column that looks like one either
        columns = {c.lower() for c in dataset.read(name).columns}
        assert not {c for c in columns if "bant" in c or c in BANT}, name


def test_revenue_and_product_interest_where_the_sources_ask(dataset, configs) -> None:
    has = {
        field: {name for name in SOURCE_NAMES if field in _mapped(configs[name])}
        for field in ("annual_revenue", "product_interest")
    }
    assert has["annual_revenue"] == {"web_forms", "ad_leads", "crm_export"}
    assert has["product_interest"] == {"web_forms", "ad_leads", "crm_export", "walk_ins", "chat"}
    for name in has["product_interest"]:
        values = dataset.read(name)[_mapped(configs[name])["product_interest"]].drop_nulls()
        assert values.len() > 0 and set(values) <= PROPERTY_TYPES, name
    ads = dataset.read("ad_leads").group_by("platform").agg(pl.col("company_revenue").is_not_null().mean())
    asked = dict(ads.iter_rows())
    assert asked["linkedin"] > 0.7 and asked["facebook"] < 0.2  # LinkedIn lead forms ask for revenue


def test_annual_revenue_grows_with_head_count(dataset) -> None:
    people = dataset.people.filter(pl.col("annual_revenue").is_not_null())
    assert people.height == dataset.people["company_size"].drop_nulls().len()  # a company has one
    per_employee = (people["annual_revenue"] / people["company_size"]).log()
    assert np.corrcoef(np.log(people["company_size"]), np.log(people["annual_revenue"]))[0, 1] > 0.8
    assert 10.5 < per_employee.median() < 13.5  # $36k - $730k per employee
    crm = _with_truth(dataset, "crm_export").join(
        dataset.people.select("person_id", pl.col("annual_revenue").alias("truth")), on="person_id"
    )
    firsts = crm.filter(pl.col("is_first"), pl.col("annual_revenue").is_not_null())
    assert (firsts["annual_revenue"].cast(pl.Float64) == firsts["truth"]).all()


def test_product_interest_is_mostly_the_industry_property_type(dataset) -> None:
    usual = {
        "technology": "Office",
        "logistics": "Warehouse",
        "manufacturing": "Industrial",
        "retail": "Retail",
        "healthcare": "Medical office",
    }
    people = dataset.people.filter(pl.col("industry").is_in(list(usual)))
    same = people["product_interest"] == people["industry"].replace_strict(usual)
    assert 0.78 < same.mean() < 0.92


def test_bant_answers_follow_the_person(dataset) -> None:
    people = dataset.people
    senior = people["job_title"].is_in(["Owner", "CEO", "Founder", "President", "CFO", "COO"])
    assert people.filter(senior)["is_decision_maker"].mean() > 0.8
    assert people.filter(~senior)["is_decision_maker"].mean() < 0.5
    # More budget and more engagement: more often confirmed.
    high_budget = people["budget"] > people["budget"].median()
    assert (
        people.filter(high_budget)["budget_confirmed"].mean()
        > people.filter(~high_budget)["budget_confirmed"].mean() + 0.1
    )
    engaged = people["engagement"] > 0.5
    disengaged = people["engagement"] < -0.5
    assert (
        people.filter(engaged)["budget_confirmed"].mean()
        > people.filter(disengaged)["budget_confirmed"].mean()
    )
    pains = (people["pain_points"].str.count_matches("; ") + 1).fill_null(0)
    assert pains.filter(engaged).mean() > pains.filter(disengaged).mean()
    assert pains.max() <= 4
    assert set(people["purchase_timeline"]) <= set(TIMELINES)
    assert 0.7 < (people["purchase_timeline"] == people["timeline"]).mean() < 0.85
    # The rep's rating sees engagement: Hot leads convert more than Cold ones.
    closed = people.filter(~pl.col("is_open"))
    rate = dict(closed.group_by("lead_rating").agg(pl.col("converted").mean()).iter_rows())
    assert rate["Hot"] > rate["Cold"]


def test_call_center_answers_match_the_person(dataset) -> None:
    calls = _with_truth(dataset, "call_center").join(
        dataset.people.select("person_id", "is_decision_maker", "pain_points"), on="person_id"
    )
    answered = calls.filter(pl.col("BANT_DECISION_MAKER").is_not_null())
    assert set(answered["BANT_DECISION_MAKER"]) == {"Y", "N"}
    assert ((answered["BANT_DECISION_MAKER"] == "Y") == answered["is_decision_maker"]).all()
    needs = calls.filter(pl.col("BANT_NEED").is_not_null())
    assert (needs["BANT_NEED"] == needs["pain_points"]).all()


def test_ingestion_types_the_answers_and_keeps_the_crm_custom_fields_in_attributes(dataset, tmp_path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        ingestor = Ingestor(conn, dataset.out / "landing")
        for name in ("call_center", "crm_export", "web_forms", "ad_leads", "walk_ins", "chat"):
            ingestor.ingest(load_source_config(SOURCES_DIR / f"{name}.yml"))
        issues = conn.execute(
            "select count(*) from raw.field_issues where column_name in "
            "('annual_revenue', 'product_interest', 'budget_confirmed', 'is_decision_maker', "
            "'pain_points', 'purchase_timeline')"
        ).fetchone()[0]
        assert issues == 0
        per_source = dict(
            (source, counts)
            for source, *counts in conn.execute(
                "select source, count(budget_confirmed), count(is_decision_maker), count(pain_points), "
                "count(purchase_timeline), count(annual_revenue), count(product_interest) "
                "from raw.lead_records group by source"
            ).fetchall()
        )
        for source, (bc, dm, pains, timeline, revenue, interest) in per_source.items():
            bant = bc and dm and pains and timeline
            assert bool(bant) == (source in ("call_center", "crm_export")), source
            assert bool(revenue) == (source in ("crm_export", "web_forms", "ad_leads")), source
            assert bool(interest) == (source != "call_center"), source
        rating = conn.execute(
            "select json_extract_string(attributes, '$.Lead_Rating__c') as rating, count(*) "
            "from raw.lead_records where source = 'crm_export' group by 1"
        ).fetchall()
        assert {r for r, _ in rating} == {"Hot", "Warm", "Cold", None}
        contact = conn.execute(
            "select distinct json_extract_string(attributes, '$.Preferred_Contact__c') "
            "from raw.lead_records where source = 'crm_export'"
        ).fetchall()
        assert {c for (c,) in contact} <= {"Email", "Phone", "SMS", "LinkedIn", None}
