"""Daily ad spend per platform and campaign, consistent with the leads the campaigns produced.

Every paid campaign is billed on every day it runs. The day's spend is its cost per lead times
the smoothed number of leads it actually captured around that day (plus a small floor, since
campaigns spend on days that bring no lead), so cost-per-lead computed in the warehouse from
ad_spend and the lead records lands near each campaign's configured cost per lead.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .config import GeneratorConfig
from .reference import PAID_CAMPAIGNS

DAY = 86_400
CPM = {"google": 25.0, "bing": 20.0, "facebook": 12.0, "instagram": 10.0, "linkedin": 35.0}
CTR = {"google": 0.045, "bing": 0.04, "facebook": 0.012, "instagram": 0.010, "linkedin": 0.006}
REMARKETING_CTR = 0.005
SMOOTHING_DAYS = 7
FLOOR_LEADS_PER_DAY = 0.2


def build_ad_spend(cfg: GeneratorConfig, records: pl.DataFrame) -> pl.DataFrame:
    rng = cfg.rng("ad_spend")
    n_days = (cfg.end_ts - cfg.start_ts) // DAY
    day = (records["t"].to_numpy() - cfg.start_ts) // DAY
    campaign = records["campaign"].to_numpy()
    source = records["source"].to_numpy()
    kernel = np.ones(SMOOTHING_DAYS) / SMOOTHING_DAYS
    parts = []
    for c in PAID_CAMPAIGNS:  # over ~13 campaigns, not rows
        first, last = c.start_month * n_days // 18, c.end_month * n_days // 18
        days = np.arange(first, last)
        leads = np.bincount(day[(campaign == c.name) & (source == c.source)], minlength=n_days)[first:last]
        expected = np.convolve(leads, kernel, mode="same") + FLOOR_LEADS_PER_DAY
        spend = np.round(c.cost_per_lead * expected * rng.lognormal(0.0, 0.2, len(days)), 2)
        impressions = np.rint(spend / CPM[c.platform] * 1_000 * rng.lognormal(0.0, 0.1, len(days))).astype(
            np.int64
        )
        ctr = REMARKETING_CTR if "remarketing" in c.name else CTR[c.platform]
        clicks = np.maximum(
            np.rint(impressions * ctr * rng.lognormal(0.0, 0.15, len(days))).astype(np.int64), leads
        )
        parts.append(
            pl.DataFrame(
                {
                    "date": pl.from_epoch(pl.Series(cfg.start_ts + days * DAY), "s").dt.date(),
                    "platform": c.platform,
                    "channel": "ad_form" if c.source == "ad_leads" else "web_form",
                    "campaign": c.name,
                    "spend": spend,
                    "currency": "USD",
                    "impressions": impressions,
                    "clicks": clicks,
                    "conversions": leads,
                }
            )
        )
    return pl.concat(parts).sort("date", "platform", "campaign")
