"""The activity log (crm_activities): marketing touches and sales work, per person.

Two kinds of activity, both after the person's first record and before the as-of date:

* marketing: email opens and clicks, page, property and pricing-page views, form submissions,
  chats, content downloads, webinars, demo requests, social engagement and listing searches.
  Their number grows with the person's latent engagement, which also raises the conversion
  propensity: this is the behavioural signal a scoring model can learn from. Demo requests and
  pricing-page views tilt strongly towards engaged people. Patterns the behavioural triggers
  look for happen too: a saved search run again and again with the same criteria, a visit to the
  site every day for a week or more, a run of opened newsletters.
* sales: driven by the status history: calls once Contacted, demos and meetings once
  Qualified, calls and meetings during Proposal and Negotiation, nurture emails; outbound
  emails, text messages and LinkedIn messages; the first response to an online lead; calls and
  emails from the lead. Calls, emails, sms and social messages carry a direction and the
  seconds until the other side answered: engaged people answer more often and faster, most of
  all in the channel they prefer; the team answers most inbound contacts within the hour.

The draws of the first version (marketing counts, times and types; the sales work per status)
come from the stream ``activities``; everything added since comes from streams of its own
(``activities:details``, ``activities:patterns``, ``activities:conversations``).
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
    CONTACT_CHANNELS,
    CONTENT_ASSETS,
    DEMO_DETAILS,
    DEMO_REQUESTS,
    EMAIL_CAMPAIGNS,
    FIRST_RESPONSE_DETAILS,
    FORM_NAMES,
    INBOUND_CALLS,
    INBOUND_EMAILS,
    INDUSTRIES,
    MEETING_DETAILS,
    PRICING_PAGES,
    PROPOSAL_EMAILS,
    SALES_EMAILS,
    SEARCH_SIZES,
    SELLER_SITE,
    SMS_DETAILS,
    SOCIAL_ENGAGEMENTS,
    SOCIAL_MESSAGES,
    WEB_PAGES,
    WEBINARS,
)
from .vectors import base62_ids, choice_per_row, gather, rank_in_group

DAY = 86_400
A = {name: i for i, name in enumerate(ACTIVITY_TYPES)}
EMAIL, PHONE, SMS, SOCIAL = (CONTACT_CHANNELS.index(c) for c in ("email", "phone", "sms", "social"))
INBOUND, OUTBOUND = 0, 1

MARKETING_PER_PERSON = 3.4  # mean before right-censoring
MARKETING_SPREAD_DAYS = 40.0  # mean delay after the first record (gamma, shape 0.8)
MARKETING_ENGAGEMENT = 1.2  # count multiplier exp(1.2 * engagement), the mean kept
# Marketing activity types: base weights and how strongly engagement tilts towards them.
MARKETING_MIX = {
    "email_open": (0.34, 0.0),
    "email_click": (0.10, 0.3),
    "page_view": (0.28, 0.0),
    "property_view": (0.16, 0.4),
    "form_submission": (0.06, 0.3),
    "chat": (0.06, 0.0),
    "content_download": (0.05, 0.5),
    "webinar": (0.03, 0.5),
    "demo_request": (0.015, 1.2),
    "pricing_page_view": (0.04, 1.0),
    "social_engagement": (0.05, 0.15),
    "search": (0.06, 0.15),
}
NEW_MARKETING = (
    "content_download",
    "webinar",
    "demo_request",
    "pricing_page_view",
    "social_engagement",
    "search",
)
SEARCH_SAME_CRITERIA = 0.7  # a search uses the person's usual criteria, else their second set
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
UNANSWERED_CALL_SECONDS = (35, 0.4)  # ringing out or leaving a voicemail

# Patterns behavioural triggers look for: (base rate, engagement factor) of a person having one.
SAVED_SEARCH = (0.04, 0.6)  # runs the same search 3 + Poisson(2.5) times, a few days apart
DAILY_VISITS = (0.025, 0.8)  # visits the site on 3 + Poisson(3) consecutive days
NEWSLETTER_RUN = (0.06, 0.5)  # opens 3 + Poisson(1.5) weekly newsletters in a row

# Outbound work per status, on top of SALES_RULES: (status, type, Poisson mean, details).
OUTBOUND_RULES = (
    ("Contacted", "email", 0.25, SALES_EMAILS),
    ("Contacted", "sms", 0.15, SMS_DETAILS),
    ("Contacted", "social_engagement", 0.08, SOCIAL_MESSAGES),
    ("Qualified", "email", 0.15, SALES_EMAILS),
    ("Nurturing", "sms", 0.1, SMS_DETAILS),
    ("Proposal", "email", 0.3, PROPOSAL_EMAILS),
    ("Negotiation", "email", 0.2, PROPOSAL_EMAILS),
)
ONLINE_CHANNELS = ("web_form", "ad_form", "chat")  # leads the team answers with a first response
FIRST_RESPONSE_CALL = 0.6  # else an email
INBOUND_PER_PERSON = 0.3  # calls and emails from the lead, times exp(0.5 * engagement)
INBOUND_CALL_SHARE = 0.55
# The lead answering an outbound touch, per contact channel (email, phone, sms, social):
# logit = ANSWER_BASE + ANSWER_ENGAGEMENT * engagement (+ ANSWER_PREFERRED in the preferred
# channel); the delay is lognormal around ANSWER_MEDIAN seconds, shorter for engaged people.
ANSWER_BASE = (-0.6, -0.3, 0.0, -1.0)
ANSWER_ENGAGEMENT = 0.7
ANSWER_PREFERRED = 1.0
ANSWER_MEDIAN = (3 * 3_600, 20, 600, 8 * 3_600)
ANSWER_SIGMA = 1.0
# The team answering: (share, median seconds, sigma) of a quick and a late response, the rest
# never; for the first response to an online lead and for inbound calls and emails.
TEAM_RESPONSE = {
    "first": ((0.84, 12 * 60, 0.9), (0.15, 5 * 3_600, 1.0)),
    "call": ((0.60, 15, 0.6), (0.30, 25 * 60, 0.8), (0.08, 5 * 3_600, 1.0)),
    "email": ((0.75, 20 * 60, 0.8), (0.20, 4 * 3_600, 1.0)),
}


def simulate(
    cfg: GeneratorConfig,
    people: pl.DataFrame,
    records: pl.DataFrame,
    changes: pl.DataFrame,
    owner_ids: pl.Series,
    qual: pl.DataFrame,
    first_channel: pl.Series,
) -> pl.DataFrame:
    """One row per activity, in time order, with its CRM id and the lead record it belongs to.

    ``owner_ids`` is each person's agent, who owns the sales activities; ``qual`` the people's
    qualification values (sample_data/qualification.py: the property type they look for, the
    channel they prefer); ``first_channel`` the channel of each person's first record.
    """
    rng = cfg.rng("activities")
    engagement = people["engagement"].to_numpy()
    t_first = records.filter("is_first")["t"].to_numpy()  # records are sorted by person
    no_email = people["do_not_email"].to_numpy()
    searches = _search_criteria(people, qual)

    marketing = _marketing(rng, people, engagement, t_first)
    sales = _sales(rng, changes, engagement, no_email, cfg.end_ts)
    first_version = pl.concat([marketing, sales]).filter(pl.col("t") < cfg.end_ts)
    first_version = first_version.with_columns(
        duration_seconds=_durations(rng, first_version["type_code"].to_numpy())
    )
    first_version = _new_marketing_details(cfg.rng("activities:details"), first_version, people, searches)

    conv = cfg.rng("activities:conversations")
    pref = qual["preferred_channel_idx"].to_numpy()
    first_version = _answer_sales_calls(conv, first_version, engagement, pref)
    patterns = _patterns(cfg.rng("activities:patterns"), people, engagement, t_first, searches)
    talk = _conversations(conv, people, changes, engagement, pref, t_first, first_channel, cfg.end_ts)
    acts = pl.concat([first_version.select(talk.columns), patterns, talk], rechunk=True)
    acts = acts[_time_order(acts, people.height, cfg)]  # one gather: filter and sort
    person = acts["person_idx"].to_numpy()
    lead = _lead_record(records, person, acts["t"].to_numpy(), cfg.start_ts)
    direction = pl.col("direction_code")
    return acts.with_columns(
        source_record_id=base62_ids("00T8c0000", 52_000_000 + np.arange(acts.height), 6),
        activity_type=gather(ACTIVITY_TYPES, acts["type_code"].to_numpy()),
        lead_record_source=records["source"].gather(lead),
        lead_record_id=records["source_record_id"].gather(lead),
        direction=pl.when(direction == INBOUND)
        .then(pl.lit("inbound"))
        .when(direction == OUTBOUND)
        .then(pl.lit("outbound")),
        owner_id=pl.when(pl.col("is_sales")).then(owner_ids.gather(person)),
    ).drop("direction_code")


def _time_order(acts: pl.DataFrame, n_people: int, cfg: GeneratorConfig) -> np.ndarray:
    """The rows before the as-of date, by time, person and type; ties stay in the order drawn,
    so the ids are the same on every run. The three keys are packed into one integer (fast to
    sort) and the position breaks ties (so no sort needs to be stable)."""
    person_bits = max(int(n_people - 1).bit_length(), 1)
    type_bits = len(ACTIVITY_TYPES).bit_length()
    assert (cfg.end_ts - cfg.start_ts).bit_length() + person_bits + type_bits <= 63
    t = acts["t"].to_numpy()
    row = np.flatnonzero(t < cfg.end_ts)
    key = (
        (t[row] - cfg.start_ts) << (person_bits + type_bits)
        | acts["person_idx"].to_numpy()[row] << type_bits
        | acts["type_code"].to_numpy()[row]
    )
    return pl.DataFrame({"key": key, "row": row}).sort("key", "row")["row"].to_numpy()


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
    """The email, page, listing, form or chat topic a marketing touch was about (null for the
    newer types, whose details ``_new_marketing_details`` draws from a stream of its own).

    Every draw covers all rows, as in the first version, so the stream stays in step; strings are
    built only for the rows that show them, then put in place with one gather.
    """
    m = len(person)
    email = rng.integers(0, len(EMAIL_CAMPAIGNS), m)
    page = rng.integers(0, len(WEB_PAGES), m)
    listing = rng.integers(10_000, 99_999, m)
    form = rng.integers(0, len(FORM_NAMES), m)
    chat = rng.integers(0, len(CHAT_DETAILS), m)
    property_types = [i.property_type for i in INDUSTRIES]
    industry = people["industry_idx"].to_numpy()

    def prop(rows: np.ndarray) -> pl.Series:
        ptype = gather(property_types, industry[person[rows]])
        number = pl.Series(listing[rows]).cast(pl.String)
        return "LST-" + number + " (" + ptype + ", " + people["city"].gather(person[rows]) + ")"

    build = {
        "email_open": lambda rows: gather(EMAIL_CAMPAIGNS, email[rows]),
        "email_click": lambda rows: gather(EMAIL_CAMPAIGNS, email[rows]) + " - link click",
        "page_view": lambda rows: SELLER_SITE + gather(WEB_PAGES, page[rows]),
        "property_view": prop,
        "form_submission": lambda rows: gather(FORM_NAMES, form[rows]),
        "chat": lambda rows: gather(CHAT_DETAILS, chat[rows]),
    }
    pieces, position, offset = [], np.full(m, -1, dtype=np.int64), 0
    for kind, make in build.items():  # over activity types, not rows
        rows = np.flatnonzero(types == A[kind])
        pieces.append(make(rows))
        position[rows] = offset + np.arange(len(rows))
        offset += len(rows)
    pieces.append(pl.Series([None], dtype=pl.String))  # the newer types, filled in later
    position[position < 0] = offset
    return pl.concat(pieces).gather(position)


def _search_criteria(people: pl.DataFrame, qual: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """Per person, the criteria of their usual search and of a second one they sometimes run:
    the property type they look for, where (their city / anywhere in their state) and a size band
    from their budget (~$30 per sq ft a year)."""
    sqft = people["budget"].to_numpy() / 30
    band = np.searchsorted([2_500, 5_000, 10_000], sqft, side="right")
    other_band = np.where(band == len(SEARCH_SIZES) - 1, band - 1, band + 1)
    head = "Search: " + qual["product_interest"] + " | "
    usual = head + people["city"] + ", " + people["region"] + " | " + gather(SEARCH_SIZES, band)
    second = head + people["region"] + " (any city) | " + gather(SEARCH_SIZES, other_band)
    return usual, second


def _new_marketing_details(rng, acts: pl.DataFrame, people: pl.DataFrame, searches) -> pl.DataFrame:
    """The asset, webinar, request, page, post or search criteria of the newer marketing types."""
    codes = [A[kind] for kind in NEW_MARKETING]
    rows = np.flatnonzero(np.isin(acts["type_code"].to_numpy(), codes))
    m = len(rows)
    person = acts["person_idx"].to_numpy()[rows]
    kind = pl.Series(acts["type_code"].to_numpy()[rows])
    usual, second = searches
    search = pl.select(
        pl.when(pl.Series(rng.random(m) < SEARCH_SAME_CRITERIA))
        .then(usual.gather(person))
        .otherwise(second.gather(person))
    )[:, 0]
    detail = {
        "content_download": gather(CONTENT_ASSETS, rng.integers(0, len(CONTENT_ASSETS), m)),
        "webinar": gather(WEBINARS, rng.integers(0, len(WEBINARS), m)),
        "demo_request": gather(DEMO_REQUESTS, rng.integers(0, len(DEMO_REQUESTS), m)),
        "pricing_page_view": SELLER_SITE + gather(PRICING_PAGES, rng.integers(0, len(PRICING_PAGES), m)),
        "social_engagement": gather(SOCIAL_ENGAGEMENTS, rng.integers(0, len(SOCIAL_ENGAGEMENTS), m)),
        "search": search,
    }
    expr = pl.lit(None, dtype=pl.String)
    for name in NEW_MARKETING:  # over activity types, not rows
        expr = pl.when(kind == A[name]).then(detail[name]).otherwise(expr)
    return acts.with_columns(acts["detail"].scatter(rows, pl.select(expr)[:, 0]))


def _lead_answers(
    rng, channel: int, person: np.ndarray, engagement: np.ndarray, pref: np.ndarray
) -> np.ndarray:
    """Seconds until the lead answered an outbound touch in ``channel`` (NaN: never)."""
    k = len(person)
    eng = engagement[person]
    z = ANSWER_BASE[channel] + ANSWER_ENGAGEMENT * eng + ANSWER_PREFERRED * (pref[person] == channel)
    answered = rng.random(k) < 1.0 / (1.0 + np.exp(-z))
    delay = ANSWER_MEDIAN[channel] * np.exp(-0.3 * eng) * rng.lognormal(0.0, ANSWER_SIGMA, k)
    return np.where(answered, np.maximum(np.round(delay), 1), np.nan)


def _team_response(rng, kind: str, k: int) -> np.ndarray:
    """Seconds until the team answered (NaN: never), from the TEAM_RESPONSE mixture."""
    parts = TEAM_RESPONSE[kind]
    shares = np.array([share for share, _, _ in parts])
    which = np.searchsorted(np.cumsum(shares), rng.random(k), side="right")  # len(parts): never
    median = np.append([mid for _, mid, _ in parts], np.nan)[which]
    sigma = np.append([sig for _, _, sig in parts], 0.0)[which]
    return np.maximum(np.round(median * np.exp(sigma * rng.standard_normal(k))), 1)


def _call_durations(rng, response: np.ndarray) -> np.ndarray:
    """A conversation when the call was picked up within a minute, else ringing or a voicemail."""
    median, sigma = DURATION["call"]
    short, short_sigma = UNANSWERED_CALL_SECONDS
    talked = response <= 60  # NaN compares False
    return np.where(
        talked,
        np.round(median * rng.lognormal(0.0, sigma, len(response))),
        np.round(short * rng.lognormal(0.0, short_sigma, len(response))),
    )


def _answer_sales_calls(rng, acts: pl.DataFrame, engagement: np.ndarray, pref: np.ndarray) -> pl.DataFrame:
    """The status-driven sales calls are outbound: did the lead pick up (a voicemail: no)?"""
    rows = np.flatnonzero(acts["is_sales"].to_numpy() & (acts["type_code"].to_numpy() == A["call"]))
    person = acts["person_idx"].to_numpy()[rows]
    response = _lead_answers(rng, PHONE, person, engagement, pref)
    response[(acts["detail"].gather(rows) == "Left voicemail").to_numpy()] = np.nan
    duration = acts["duration_seconds"].to_numpy().astype(float)
    unanswered = rows[np.isnan(response)]
    short, short_sigma = UNANSWERED_CALL_SECONDS
    duration[unanswered] = np.round(short * rng.lognormal(0.0, short_sigma, len(unanswered)))
    direction = np.full(acts.height, np.nan)
    direction[rows] = OUTBOUND
    answer = np.full(acts.height, np.nan)
    answer[rows] = response
    return acts.with_columns(
        duration_seconds=_ints(duration), direction_code=_ints(direction), response_seconds=_ints(answer)
    )


def _patterns(
    rng, people: pl.DataFrame, engagement: np.ndarray, t_first: np.ndarray, searches
) -> pl.DataFrame:
    """Saved searches run again and again, daily site visits, runs of opened newsletters."""
    n = people.height

    def who(base: float, factor: float, cap: float, eligible: np.ndarray | bool = True) -> np.ndarray:
        return eligible & (rng.random(n) < np.minimum(base * np.exp(factor * engagement), cap))

    saver = who(*SAVED_SEARCH, 0.5)
    person = np.repeat(np.flatnonzero(saver), 3 + rng.poisson(2.5, int(saver.sum())))
    start = t_first + (rng.gamma(1.0, 20.0, n) * DAY).astype(np.int64) + 3_600
    step = rank_in_group(person)
    searches_t = start[person] + step * 3 * DAY + rng.integers(0, 2 * DAY, len(person))
    saved = _frame(person, searches_t, A["search"], searches[0].gather(person), is_sales=False)

    visitor = who(*DAILY_VISITS, 0.5)
    person = np.repeat(np.flatnonzero(visitor), 3 + rng.poisson(3.0, int(visitor.sum())))
    day0 = (t_first + DAY + (rng.gamma(1.0, 25.0, n) * DAY).astype(np.int64)) // DAY * DAY
    visit_t = day0[person] + rank_in_group(person) * DAY + rng.integers(8 * 3_600, 20 * 3_600, len(person))
    page = SELLER_SITE + gather(WEB_PAGES, rng.integers(0, len(WEB_PAGES), len(person)))
    visits = _frame(person, visit_t, A["page_view"], page, is_sales=False)

    reader = who(*NEWSLETTER_RUN, 0.6, ~people["do_not_email"].to_numpy())
    person = np.repeat(np.flatnonzero(reader), 3 + rng.poisson(1.5, int(reader.sum())))
    start = t_first + (rng.gamma(1.0, 15.0, n) * DAY).astype(np.int64) + 3_600
    first_issue = rng.integers(0, len(EMAIL_CAMPAIGNS), n)
    step = rank_in_group(person)
    open_t = start[person] + step * 7 * DAY + rng.integers(0, 6 * 3_600, len(person))
    issue = gather(EMAIL_CAMPAIGNS, (first_issue[person] + step) % len(EMAIL_CAMPAIGNS))
    opens = _frame(person, open_t, A["email_open"], issue, is_sales=False)
    return pl.concat([saved, visits, opens])


def _conversations(
    rng,
    people: pl.DataFrame,
    changes: pl.DataFrame,
    engagement: np.ndarray,
    pref: np.ndarray,
    t_first: np.ndarray,
    first_channel: pl.Series,
    end_ts: int,
) -> pl.DataFrame:
    """Calls, emails, sms and social messages with a direction and a response time."""
    n = people.height
    no_email = people["do_not_email"].to_numpy()
    no_call = people["do_not_call"].to_numpy()
    parts = []

    # The first response to an online lead: most within the hour, some hours later, a few never.
    want_call = rng.random(n) < FIRST_RESPONSE_CALL
    is_call = np.where(no_email, True, np.where(no_call, False, want_call))
    delay = _team_response(rng, "first", n)
    online = first_channel.is_in(ONLINE_CHANNELS).to_numpy() & ~(no_email & no_call) & ~np.isnan(delay)
    for call in (True, False):  # over the two kinds, not rows
        person = np.flatnonzero(online & (is_call == call))
        response = _lead_answers(rng, PHONE if call else EMAIL, person, engagement, pref)
        parts.append(
            _frame(
                person,
                t_first[person] + np.maximum(delay[person], 30).astype(np.int64),
                A["call"] if call else A["email"],
                FIRST_RESPONSE_DETAILS[0 if call else 1],
                duration=_call_durations(rng, response) if call else None,
                direction=OUTBOUND,
                response=response,
            )
        )

    # Outbound emails, text messages and LinkedIn messages while the lead is worked.
    person_of = changes["person_idx"].to_numpy()
    status = changes["status"]
    start = changes["t"].to_numpy()
    nxt = changes["next_t"].to_numpy()
    end = np.minimum(np.where(nxt > 0, nxt, start + SALES_WINDOW_CAP_DAYS * DAY), end_ts)
    boost = np.exp(SALES_ENGAGEMENT * engagement[person_of] - SALES_ENGAGEMENT**2 / 2)
    for status_name, kind, mean, details in OUTBOUND_RULES:  # over rules, not rows
        allowed = {"email": ~no_email, "sms": ~no_call}.get(kind, np.ones(n, bool))[person_of]
        rows = np.flatnonzero((status == status_name).to_numpy() & (end - start > 120) & allowed)
        rows = np.repeat(rows, rng.poisson(mean * boost[rows]))
        t = start[rows] + 60 + (rng.random(len(rows)) * (end[rows] - start[rows] - 120)).astype(np.int64)
        person = person_of[rows]
        channel = {"email": EMAIL, "sms": SMS}.get(kind, SOCIAL)
        parts.append(
            _frame(
                person,
                t,
                A[kind],
                gather(details, rng.integers(0, len(details), len(rows))),
                direction=OUTBOUND,
                response=_lead_answers(rng, channel, person, engagement, pref),
            )
        )

    # Calls and emails from the lead, answered by the team.
    lam = INBOUND_PER_PERSON * np.exp(0.5 * engagement - 0.125)
    person = np.repeat(np.arange(n), rng.poisson(lam))
    t = t_first[person] + (rng.gamma(1.2, 20.0 / 1.2, len(person)) * DAY).astype(np.int64) + 60
    call = (rng.random(len(person)) < INBOUND_CALL_SHARE) | no_email[person]
    for is_call, details in ((True, INBOUND_CALLS), (False, INBOUND_EMAILS)):  # over kinds, not rows
        rows = np.flatnonzero(call == is_call)
        response = _team_response(rng, "call" if is_call else "email", len(rows))
        parts.append(
            _frame(
                person[rows],
                t[rows],
                A["call"] if is_call else A["email"],
                gather(details, rng.integers(0, len(details), len(rows))),
                duration=_call_durations(rng, response) if is_call else None,
                direction=INBOUND,
                response=response,
            )
        )
    return pl.concat(parts)


def _frame(
    person: np.ndarray,
    t: np.ndarray,
    type_code: int,
    detail: pl.Series | str,
    *,
    is_sales: bool = True,
    duration: np.ndarray | None = None,
    direction: int | None = None,
    response: np.ndarray | None = None,
) -> pl.DataFrame:
    k = len(person)
    missing = np.full(k, np.nan)
    return pl.DataFrame(
        {
            "person_idx": person.astype(np.int64),
            "t": t.astype(np.int64),
            "type_code": np.full(k, type_code, dtype=np.int64),
            "is_sales": np.full(k, is_sales),
            "detail": detail if isinstance(detail, pl.Series) else pl.Series([detail] * k, dtype=pl.String),
            "duration_seconds": _ints(missing if duration is None else duration),
            "direction_code": _ints(missing if direction is None else np.full(k, float(direction))),
            "response_seconds": _ints(missing if response is None else response),
        }
    )


def _ints(values: np.ndarray) -> pl.Series:
    """Whole numbers with NaN as null."""
    return pl.Series(values.astype(float)).fill_nan(None).cast(pl.Int64)


def _durations(rng, type_code: np.ndarray) -> pl.Series:
    out = np.full(len(type_code), np.nan)
    for kind, (median, sigma) in DURATION.items():  # over activity types, not rows
        rows = np.flatnonzero(type_code == A[kind])
        out[rows] = np.round(median * rng.lognormal(0.0, sigma, len(rows)))
    return pl.Series(out).fill_nan(None).cast(pl.Int64)
