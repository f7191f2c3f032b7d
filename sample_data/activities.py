"""The activity log (crm_activities): marketing touches and sales work, per person.

Two kinds of activity, both after the person's first record and before the as-of date:

* marketing: email opens and clicks, page and property views, form submissions, chats. Their
  number grows with the person's latent engagement, which also raises the conversion
  propensity: this is the behavioural signal a scoring model can learn from.
* sales: driven by the status history: calls once Contacted, demos and meetings once
  Qualified, calls and meetings during Proposal and Negotiation, nurture emails.

Each activity points at the person's most recent valid lead record at that time.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .config import GeneratorConfig
from .reference import (
    ACTIVITY_TYPES,
    CALL_DETAILS,
    CHAT_DETAILS,
    DEMO_DETAILS,
    EMAIL_CAMPAIGNS,
    FORM_NAMES,
    INDUSTRIES,
    MEETING_DETAILS,
    SELLER_SITE,
    WEB_PAGES,
)
from .vectors import base62_ids, choice_per_row, gather

DAY = 86_400
A = {name: i for i, name in enumerate(ACTIVITY_TYPES)}

MARKETING_PER_PERSON = 3.4  # mean before right-censoring
MARKETING_SPREAD_DAYS = 40.0  # mean delay after the first record (gamma, shape 0.8)
MARKETING_ENGAGEMENT = 0.5  # count multiplier exp(0.5 * engagement)
# Marketing activity types: base weights and how strongly engagement tilts towards them.
MARKETING_MIX = {
    "email_open": (0.34, 0.0),
    "email_click": (0.10, 0.3),
    "page_view": (0.28, 0.0),
    "property_view": (0.16, 0.4),
    "form_submission": (0.06, 0.3),
    "chat": (0.06, 0.0),
}
# Sales work per status: (status, activity type, Poisson mean, +1 guaranteed, details).
SALES_RULES = (
    ("Contacted", "call", 0.6, True, CALL_DETAILS["Contacted"]),
    ("Qualified", "demo", 0.65, False, DEMO_DETAILS),
    ("Qualified", "meeting", 0.7, False, MEETING_DETAILS),
    ("Nurturing", "email_open", 1.2, False, EMAIL_CAMPAIGNS),
    ("Proposal", "meeting", 0.6, False, MEETING_DETAILS),
    ("Proposal", "call", 0.8, False, CALL_DETAILS["Proposal"]),
    ("Negotiation", "call", 1.0, False, CALL_DETAILS["Negotiation"]),
    ("Negotiation", "meeting", 0.4, False, MEETING_DETAILS),
    ("Recycled", "email_open", 0.8, False, EMAIL_CAMPAIGNS),
)
SALES_WINDOW_CAP_DAYS = 30  # open-ended statuses: work happens within a month
SALES_ENGAGEMENT = 0.3
# Duration (seconds) for timed activities: lognormal median and sigma.
DURATION = {"call": (240, 0.8), "meeting": (2_700, 0.3), "demo": (2_100, 0.3), "chat": (360, 0.6)}


def simulate(
    cfg: GeneratorConfig,
    people: pl.DataFrame,
    records: pl.DataFrame,
    changes: pl.DataFrame,
    owner_ids: pl.Series,
) -> pl.DataFrame:
    """One row per activity, in time order, with its CRM id and the lead record it belongs to.

    ``owner_ids`` is each person's agent, who owns the sales activities.
    """
    rng = cfg.rng("activities")
    engagement = people["engagement"].to_numpy()
    t_first = records.filter("is_first")["t"].to_numpy()  # records are sorted by person

    marketing = _marketing(rng, people, engagement, t_first)
    sales = _sales(rng, changes, engagement, people["do_not_email"].to_numpy(), cfg.end_ts)
    acts = (
        pl.concat([marketing, sales])
        .filter(pl.col("t") < cfg.end_ts)
        .sort("t", "person_idx", "type_code", "detail")
    )
    lead = _lead_record(records, acts["person_idx"].to_numpy(), acts["t"].to_numpy(), cfg.start_ts)
    return acts.with_columns(
        source_record_id=base62_ids("00T8c0000", 52_000_000 + np.arange(acts.height), 6),
        activity_type=gather(ACTIVITY_TYPES, acts["type_code"].to_numpy()),
        lead_record_source=records["source"].gather(lead),
        lead_record_id=records["source_record_id"].gather(lead),
        duration_seconds=_durations(rng, acts["type_code"].to_numpy()),
        owner_id=pl.when(pl.col("is_sales")).then(owner_ids.gather(acts["person_idx"].to_numpy())),
    )


def _marketing(rng, people: pl.DataFrame, engagement: np.ndarray, t_first: np.ndarray) -> pl.DataFrame:
    n = len(engagement)
    lam = MARKETING_PER_PERSON * np.exp(MARKETING_ENGAGEMENT * engagement - MARKETING_ENGAGEMENT**2 / 2)
    person = np.repeat(np.arange(n), rng.poisson(lam))
    t = (
        t_first[person]
        + (rng.gamma(0.8, MARKETING_SPREAD_DAYS / 0.8, len(person)) * DAY).astype(np.int64)
        + 60
    )
    base = np.array([w for w, _ in MARKETING_MIX.values()])
    tilt = np.array([g for _, g in MARKETING_MIX.values()])
    weights = base * np.exp(np.outer(engagement[person], tilt))
    no_email = people["do_not_email"].to_numpy()[person]
    weights[no_email, :2] = 0.0  # opted out: no email opens or clicks
    types = np.array([A[name] for name in MARKETING_MIX])[choice_per_row(rng, weights)]
    return pl.DataFrame(
        {
            "person_idx": person,
            "t": t,
            "type_code": types,
            "is_sales": np.zeros(len(person), bool),
            "detail": _marketing_details(rng, people, person, types),
        }
    )


def _sales(
    rng, changes: pl.DataFrame, engagement: np.ndarray, no_email: np.ndarray, end_ts: int
) -> pl.DataFrame:
    person = changes["person_idx"].to_numpy()
    status = changes["status"]
    start = changes["t"].to_numpy()
    nxt = changes["next_t"].to_numpy()
    end = np.where(nxt > 0, nxt, start + SALES_WINDOW_CAP_DAYS * DAY)
    end = np.minimum(end, end_ts)
    boost = np.exp(SALES_ENGAGEMENT * engagement[person] - SALES_ENGAGEMENT**2 / 2)
    parts = []
    for status_name, kind, mean, guaranteed, details in SALES_RULES:  # over rules, not rows
        allowed = ~no_email[person] if kind.startswith("email") else True  # opted out: no nurture emails
        rows = np.flatnonzero((status == status_name).to_numpy() & (end - start > 120) & allowed)
        count = rng.poisson(mean * boost[rows]) + int(guaranteed)
        rows = np.repeat(rows, count)
        t = start[rows] + 60 + (rng.random(len(rows)) * (end[rows] - start[rows] - 120)).astype(np.int64)
        parts.append(
            pl.DataFrame(
                {
                    "person_idx": person[rows],
                    "t": t,
                    "type_code": np.full(len(rows), A[kind]),
                    "is_sales": np.ones(len(rows), bool),
                    "detail": gather(details, rng.integers(0, len(details), len(rows))),
                }
            )
        )
    return pl.concat(parts)


def _lead_record(records: pl.DataFrame, person: np.ndarray, t: np.ndarray, start_ts: int) -> np.ndarray:
    """Row in ``records`` of each activity's lead: the person's latest valid record at that time.

    Records are sorted by person then time, so a search on the (person, time) key finds it; a
    person's first record is always valid and precedes every activity. Most people have one
    record, so only the others are searched.
    """
    valid = np.flatnonzero(records["injected_error"].is_null().to_numpy())
    owner = records["person_idx"].to_numpy()[valid]
    n = int(owner[-1]) + 1
    first = np.full(n, -1)
    first[owner[::-1]] = valid[::-1]  # the earliest valid row per person
    lead = first[person]
    several = np.bincount(owner, minlength=n)[person] > 1
    big = np.int64(1) << 34
    key = owner * big + (records["t"].to_numpy()[valid] - start_ts)
    query = person[several] * big + (t[several] - start_ts)
    lead[several] = valid[np.searchsorted(key, query, side="right") - 1]
    return lead


def _marketing_details(rng, people: pl.DataFrame, person: np.ndarray, types: np.ndarray) -> pl.Series:
    """The email, page, listing, form or chat topic a marketing touch was about."""
    m = len(person)
    email = gather(EMAIL_CAMPAIGNS, rng.integers(0, len(EMAIL_CAMPAIGNS), m))
    page = SELLER_SITE + gather(WEB_PAGES, rng.integers(0, len(WEB_PAGES), m))
    ptype = gather([i.property_type for i in INDUSTRIES], people["industry_idx"].to_numpy()[person])
    listing = pl.Series(rng.integers(10_000, 99_999, m)).cast(pl.String)
    prop = "LST-" + listing + " (" + ptype + ", " + people["city"].gather(person) + ")"
    form = gather(FORM_NAMES, rng.integers(0, len(FORM_NAMES), m))
    chat = gather(CHAT_DETAILS, rng.integers(0, len(CHAT_DETAILS), m))
    kind = pl.Series(types)
    return pl.select(
        pl.when(kind == A["email_open"])
        .then(email)
        .when(kind == A["email_click"])
        .then(email + " - link click")
        .when(kind == A["page_view"])
        .then(page)
        .when(kind == A["property_view"])
        .then(prop)
        .when(kind == A["form_submission"])
        .then(form)
        .otherwise(chat)
    )[:, 0]


def _durations(rng, type_code: np.ndarray) -> pl.Series:
    out = np.full(len(type_code), np.nan)
    for kind, (median, sigma) in DURATION.items():  # over activity types, not rows
        rows = np.flatnonzero(type_code == A[kind])
        out[rows] = np.round(median * rng.lognormal(0.0, sigma, len(rows)))
    return pl.Series(out).fill_nan(None).cast(pl.Int64)
