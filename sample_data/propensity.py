"""The hidden conversion propensity: the truth a lead-scoring model should recover.

propensity = logistic(INTERCEPT + firmographics + title + timeline + budget + channel + campaign
                      + engagement)

Every term except engagement is observable in the lead records (company size, industry, the
job title's seniority: owners and executives decide and buy more often, assistants pass leads
on; timeline, budget, the channel and campaign of the first touch); engagement is latent but
shows up as behaviour, because the activity log is drawn with rates that grow with it. Closed
leads then convert with probability = propensity, so a model using records and activities can
learn it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .reference import CAMPAIGN_VARIANTS, INDUSTRIES, JOB_TITLES

INTERCEPT = -2.15
SIZE_PER_DECADE = 0.30  # per tenfold head-count above ~50 employees
NO_COMPANY = -0.40  # individuals / sole proprietors
TIMELINE_EFFECT = (1.30, 0.60, 0.0, -0.60, -1.30)  # immediate ... 12+ months
BUDGET_PER_LOG = 0.35  # per e-fold of budget above $50k
ENGAGEMENT = 0.85  # per standard deviation of the latent engagement
# Per job title, before centring on the titles' mix (so the overall conversion rate stays put).
TITLE_EFFECT = {
    "Owner": 0.50,
    "CEO": 0.50,
    "Founder": 0.45,
    "President": 0.45,
    "COO": 0.40,
    "CFO": 0.40,
    "Managing Partner": 0.40,
    "Principal": 0.35,
    "VP of Operations": 0.35,
    "Director of Real Estate": 0.35,
    "Head of Workplace": 0.30,
    "HR Director": 0.25,
    "General Manager": 0.20,
    "Facilities Manager": 0.10,
    "Controller": 0.10,
    "Operations Manager": 0.05,
    "Office Manager": 0.0,
    "Procurement Manager": 0.0,
    "Practice Manager": 0.0,
    "Store Manager": -0.05,
    "Project Manager": -0.10,
    "Executive Assistant": -0.30,
}
_TITLE_MEAN = sum(TITLE_EFFECT[t] * w for t, w in JOB_TITLES) / sum(w for _, w in JOB_TITLES)
CHANNEL_EFFECT = {
    "referral": 1.00,
    "walk_in": 0.60,
    "event": 0.35,
    "crm": 0.20,
    "call_center": 0.15,
    "web_form": 0.0,
    "chat": -0.10,
    "ad_form": -0.45,
}

# Per campaign variant under an A/B test (reference.CAMPAIGN_VARIANTS), by the first touch's
# campaign: call script B converts far better than script A (odds x4.5: each script is the first
# touch of only ~1.5 % of people, and a smaller effect drowns in their few wins; docs/sample_data.md);
# the website phone greetings are the same (an A/A check), so they have none.
CAMPAIGN_EFFECT = {CAMPAIGN_VARIANTS["Outbound - Prospecting List"][1]: 1.5}


def logit(people: pl.DataFrame, channel: pl.Series, campaign: pl.Series) -> np.ndarray:
    """Log-odds of conversion per person, given each person's first-touch channel and campaign."""
    size = people["company_size"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    per_decade = SIZE_PER_DECADE * (np.log10(np.nan_to_num(size, nan=1.0)) - 1.7)
    firmographic = np.where(np.isnan(size), NO_COMPANY, per_decade)
    industry = np.array([i.effect for i in INDUSTRIES])[people["industry_idx"].to_numpy()]
    timeline = np.array(TIMELINE_EFFECT)[people["timeline_idx"].to_numpy()]
    budget = BUDGET_PER_LOG * (np.log(people["budget"].to_numpy()) - np.log(50_000))
    chan = channel.replace_strict(CHANNEL_EFFECT, return_dtype=pl.Float64).to_numpy()
    campaign_effect = campaign.replace_strict(
        CAMPAIGN_EFFECT, default=0.0, return_dtype=pl.Float64
    ).to_numpy()
    title = people["job_title"].replace_strict(TITLE_EFFECT, return_dtype=pl.Float64).to_numpy() - _TITLE_MEAN
    return (
        INTERCEPT
        + firmographic
        + title
        + industry
        + timeline
        + budget
        + chan
        + campaign_effect
        + ENGAGEMENT * people["engagement"].to_numpy()
    )


def propensity(people: pl.DataFrame, channel: pl.Series, campaign: pl.Series) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logit(people, channel, campaign)))
