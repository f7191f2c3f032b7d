"""What qualification adds to a lead: revenue, the property type asked about, and BANT answers.

Per person (``build_qualification``): the company's annual revenue (head-count x an industry's
revenue per employee x lognormal noise), the property type the person asks about (the industry's
usual one, sometimes another), and the answers a qualifying agent gets: budget confirmed (more
likely with a higher budget, a nearer timeline and more engagement), decision maker (from the
title's seniority), pain points (more of them from engaged people) and the purchase timeline (the
person's timeline, sometimes a step off). Also two things only the CRM keeps, as custom fields:
the rep's Hot/Warm/Cold rating and the channel the person prefers (who then also answers faster
there: sample_data/activities.py).

Per record (``add_to_records``): which sources capture which of these, and how often they are left
blank. BANT answers exist only where an agent asked (call_center, crm_export).

Everything here draws from its own streams (``qualification`` and ``qualification:records``), so
the people, records, noise and entity-resolution ground truth drawn before are unchanged. None of
it enters the conversion propensity (sample_data/propensity.py): what is correlated with
conversion here is correlated through the budget, timeline and engagement it is drawn from.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .config import SOURCE_NAMES, GeneratorConfig
from .records import SRC
from .reference import (
    CONTACT_CHANNEL_WEIGHTS,
    CONTACT_CHANNELS,
    CRM_CONTACT_LABELS,
    DECISION_MAKER_RATE,
    INDUSTRIES,
    LEAD_RATINGS,
    OTHER_PROPERTY_TYPE_RATE,
    PAIN_POINTS,
    PROPERTY_TYPES,
    REVENUE_PER_EMPLOYEE,
    TIMELINES,
)
from .vectors import choice_per_row, gather

REVENUE_SIGMA = 0.5  # lognormal noise around head-count x revenue per employee
# budget_confirmed: logit = BASE + per e-fold of budget above $50k + engagement + timeline
BUDGET_CONFIRMED_BASE = -0.3
BUDGET_CONFIRMED_PER_LOG = 0.6
BUDGET_CONFIRMED_ENGAGEMENT = 0.6
BUDGET_CONFIRMED_TIMELINE = (0.8, 0.4, 0.0, -0.4, -0.8)  # immediate ... 12+ months
PAIN_POINTS_MEAN = 1.3  # mean number named, times exp(0.35 * engagement); at most MAX_PAIN_POINTS
MAX_PAIN_POINTS = 4
TIMELINE_SHIFT = (0.12, 0.76, 0.12)  # purchase timeline one step sooner / the same / one later

# Probability that a source's record leaves a field blank (1.0: the source has no such column).
BLANK: dict[str, dict[str, float]] = {
    "annual_revenue": {"web_forms": 0.65, "crm_export": 0.35},  # ad_leads: by platform, below
    "product_interest": {
        "web_forms": 0.25,
        "ad_leads": 0.30,
        "chat": 0.55,
        "walk_ins": 0.0,
        "crm_export": 0.20,
    },
    "lead_rating": {"crm_export": 0.30},
    "preferred_contact": {"crm_export": 0.40},
}
AD_REVENUE_BLANK = {"linkedin": 0.15}  # LinkedIn lead forms ask for it; other platforms rarely
AD_REVENUE_BLANK_OTHER = 0.92
# BANT: the share of records where the agent went through the questions, then a blank per answer.
BANT_ASKED = {"call_center": 0.65, "crm_export": 0.55}
BANT_BLANK = 0.10
REVENUE_RESTATED = 0.15  # duplicates: the person gives another figure (x0.8-1.25)


def build_qualification(cfg: GeneratorConfig, people: pl.DataFrame) -> pl.DataFrame:
    """One row per person (in person order) with the clean qualification values."""
    rng = cfg.rng("qualification")
    n = people.height
    industry_idx = people["industry_idx"].to_numpy()
    engagement = people["engagement"].to_numpy()

    size = people["company_size"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    per_employee = np.array([REVENUE_PER_EMPLOYEE[i.name] for i in INDUSTRIES], float)[industry_idx]
    revenue = round_revenue(size * per_employee * rng.lognormal(0.0, REVENUE_SIGMA, n))

    usual = np.array([PROPERTY_TYPES.index(i.property_type) for i in INDUSTRIES])[industry_idx]
    other = rng.integers(0, len(PROPERTY_TYPES) - 1, n)
    other = other + (other >= usual)  # any type but the usual one
    interest = np.where(rng.random(n) < OTHER_PROPERTY_TYPE_RATE, other, usual)

    authority = people["job_title"].replace_strict(DECISION_MAKER_RATE, return_dtype=pl.Float64).to_numpy()
    decision_maker = rng.random(n) < authority

    timeline_idx = people["timeline_idx"].to_numpy()
    z = (
        BUDGET_CONFIRMED_BASE
        + BUDGET_CONFIRMED_PER_LOG * (np.log(people["budget"].to_numpy()) - np.log(50_000))
        + BUDGET_CONFIRMED_ENGAGEMENT * engagement
        + np.array(BUDGET_CONFIRMED_TIMELINE)[timeline_idx]
    )
    budget_confirmed = rng.random(n) < 1.0 / (1.0 + np.exp(-z))

    pains = _pain_points(rng, engagement)
    shift = rng.choice(3, n, p=TIMELINE_SHIFT) - 1
    purchase_idx = np.clip(timeline_idx + shift, 0, len(TIMELINES) - 1)

    # The rep's gut rating: engagement and urgency, seen through noise.
    feel = 0.8 * engagement - 0.3 * (timeline_idx - 2) + rng.normal(0.0, 0.7, n)
    rating = np.where(feel > 0.9, 0, np.where(feel > -0.4, 1, 2))

    weights = np.tile(np.asarray(CONTACT_CHANNEL_WEIGHTS), (n, 1))
    weights[people["do_not_email"].to_numpy(), 0] = 0.0
    weights[people["do_not_call"].to_numpy(), 1:3] = 0.0
    weights[weights.sum(axis=1) == 0, 3] = 1.0  # opted out of everything: social only
    preferred = choice_per_row(rng, weights)

    return pl.DataFrame(
        {
            "annual_revenue": pl.Series(revenue).fill_nan(None),
            "interest_idx": interest,
            "product_interest": gather(PROPERTY_TYPES, interest),
            "budget_confirmed": budget_confirmed,
            "is_decision_maker": decision_maker,
            "pain_points": pains,
            "purchase_timeline": gather(TIMELINES, purchase_idx),
            "lead_rating": gather(LEAD_RATINGS, rating),
            "preferred_channel_idx": preferred,
            "preferred_channel": gather(CONTACT_CHANNELS, preferred),
        }
    )


def round_revenue(raw: np.ndarray) -> np.ndarray:
    """Two significant figures, as people quote revenue ($4,500,000; $12,000,000); NaN stays NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        step = 10.0 ** (np.floor(np.log10(np.maximum(raw, 1.0))) - 1)
    return np.maximum(np.round(raw / step), 1) * step


def _pain_points(rng: np.random.Generator, engagement: np.ndarray) -> pl.Series:
    """0-4 distinct pain points per person ('Lease expiring; Rent too high'), null when none.

    Weighted sampling without replacement by the Gumbel-top-k trick: the k largest of
    log(weight) + Gumbel noise are a weighted draw of k distinct items.
    """
    n = len(engagement)
    names = [p for p, _ in PAIN_POINTS]
    count = np.minimum(
        rng.poisson(PAIN_POINTS_MEAN * np.exp(0.35 * engagement - 0.35**2 / 2)), MAX_PAIN_POINTS
    )
    keys = np.log([w for _, w in PAIN_POINTS]) + rng.gumbel(size=(n, len(names)))
    top = np.argsort(-keys, axis=1)[:, :MAX_PAIN_POINTS]
    parts = [
        pl.when(pl.Series(count > j)).then(gather(names, top[:, j])).otherwise(None)
        for j in range(MAX_PAIN_POINTS)
    ]
    joined = pl.select(pl.concat_str(parts, separator="; ", ignore_nulls=True))[:, 0]
    return joined.replace("", None).alias("pain_points")


def add_to_records(cfg: GeneratorConfig, qual: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """The qualification values each record carries, blank where its source has no such column,
    did not ask or left it empty. Also ``product_interest_stated``: the person's value, for text
    that mentions it (a web form's message)."""
    rng = cfg.rng("qualification:records")
    m = records.height
    person = records["person_idx"].to_numpy()
    source = records["source_code"].to_numpy()
    is_first = records["is_first"].to_numpy()
    mine = qual[person]

    def kept(field: str) -> pl.Series:
        p = np.array([BLANK[field].get(s, 1.0) for s in SOURCE_NAMES])[source]
        if field == "annual_revenue":
            platform = records["platform"].replace_strict(
                AD_REVENUE_BLANK, default=AD_REVENUE_BLANK_OTHER, return_dtype=pl.Float64
            )
            p = np.where(source == SRC["ad_leads"], platform.to_numpy(), p)
        return pl.Series(rng.random(m) >= p)

    revenue = mine["annual_revenue"].to_numpy().astype(float)
    restated = ~is_first & (rng.random(m) < REVENUE_RESTATED)
    revenue = np.where(restated, round_revenue(revenue * rng.uniform(0.8, 1.25, m)), revenue)

    asked = np.array([BANT_ASKED.get(s, 0.0) for s in SOURCE_NAMES])[source]
    asked = rng.random(m) < asked

    def answered(column: str) -> pl.Expr:
        return pl.when(pl.Series(asked & (rng.random(m) >= BANT_BLANK))).then(mine[column])

    contact = gather(CRM_CONTACT_LABELS, mine["preferred_channel_idx"].to_numpy())
    return records.with_columns(
        annual_revenue=pl.when(kept("annual_revenue")).then(pl.Series(revenue).fill_nan(None)),
        product_interest=pl.when(kept("product_interest")).then(mine["product_interest"]),
        product_interest_stated=mine["product_interest"],
        budget_confirmed=answered("budget_confirmed"),
        is_decision_maker=answered("is_decision_maker"),
        pain_points=answered("pain_points"),
        purchase_timeline=answered("purchase_timeline"),
        lead_rating=pl.when(kept("lead_rating")).then(mine["lead_rating"]),
        preferred_contact=pl.when(kept("preferred_contact")).then(contact),
    )
