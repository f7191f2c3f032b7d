"""The hidden conversion propensity: the truth a lead-scoring model should recover.

propensity = logistic(INTERCEPT + firmographics + timeline + budget + channel + engagement)

Every term except engagement is observable in the lead records (company size, industry,
timeline, budget, the channel of the first touch); engagement is latent but shows up as
behaviour, because the activity log is drawn with rates that grow with it. Closed leads then
convert with probability = propensity, so a model using records and activities can learn it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .reference import INDUSTRIES

INTERCEPT = -2.15
SIZE_PER_DECADE = 0.30  # per tenfold head-count above ~50 employees
NO_COMPANY = -0.40  # individuals / sole proprietors
TIMELINE_EFFECT = (1.30, 0.60, 0.0, -0.60, -1.30)  # immediate ... 12+ months
BUDGET_PER_LOG = 0.35  # per e-fold of budget above $50k
ENGAGEMENT = 0.85  # per standard deviation of the latent engagement
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


def logit(people: pl.DataFrame, channel: pl.Series) -> np.ndarray:
    """Log-odds of conversion per person, given each person's first-touch channel."""
    size = people["company_size"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    per_decade = SIZE_PER_DECADE * (np.log10(np.nan_to_num(size, nan=1.0)) - 1.7)
    firmographic = np.where(np.isnan(size), NO_COMPANY, per_decade)
    industry = np.array([i.effect for i in INDUSTRIES])[people["industry_idx"].to_numpy()]
    timeline = np.array(TIMELINE_EFFECT)[people["timeline_idx"].to_numpy()]
    budget = BUDGET_PER_LOG * (np.log(people["budget"].to_numpy()) - np.log(50_000))
    chan = channel.replace_strict(CHANNEL_EFFECT, return_dtype=pl.Float64).to_numpy()
    return (
        INTERCEPT
        + firmographic
        + industry
        + timeline
        + budget
        + chan
        + ENGAGEMENT * people["engagement"].to_numpy()
    )


def propensity(people: pl.DataFrame, channel: pl.Series) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logit(people, channel)))
