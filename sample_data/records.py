"""Source records: when and where each person was captured, before any noise.

Every person gets a first-touch record; ~20 % get 1-4 more (duplicates), either in the same
source (a re-submitted form, a second call) or in another one. This module decides, per record,
the source, the capture time, the batch file it lands in, its id in the source system and the
campaign that captured it. Field values and their noise are added by :mod:`sample_data.noise`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .config import (
    DUPLICATE_PERSON_RATE,
    EXTRA_RECORDS_PMF,
    LEAD_SOURCES,
    SAME_SOURCE_DUPLICATE_RATE,
    SOURCE_NAMES,
    GeneratorConfig,
)
from .reference import (
    CALL_CENTER_CAMPAIGNS,
    CAMPAIGN_VARIANTS,
    CITIES,
    CRM_CAMPAIGNS,
    EVENT_KINDS,
    INDUSTRIES,
    PAID_CAMPAIGNS,
    REFERRAL_PARTNERS,
    SELLER_SITE,
    WEB_PAGES,
)
from .vectors import base62_ids, choice_per_row, gather, normalized, nulls, padded, rank_in_group

DAY = 86_400
SRC = {name: i for i, name in enumerate(SOURCE_NAMES)}

# Hour-of-day profiles (local business rhythm; timestamps are written as UTC wall time).
_BUSINESS = np.array([0, 0, 0, 0, 0, 0, 0, 1, 4, 9, 10, 10, 8, 9, 10, 9, 7, 4, 1, 0, 0, 0, 0, 0], float)
_ONLINE = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.5, 1, 2, 4, 6, 7, 7, 6, 7, 7, 6, 5, 5, 5, 6, 6, 5, 3, 2], float)
HOUR_PROFILE = {
    "web_forms": _ONLINE,
    "ad_leads": _ONLINE,
    "chat": _ONLINE,
    "call_center": _BUSINESS,
    "crm_export": _BUSINESS,
    "walk_ins": _BUSINESS,
    "referrals": _BUSINESS,
    "events": np.array([0] * 8 + [6, 10, 8, 6, 5, 6, 6, 5, 4, 3, 1] + [0] * 5, float),
}
# Timestamp precision each source's date format keeps (seconds).
PRECISION = {"referrals": DAY, "web_forms": 60, "events": 60, "walk_ins": 60}
WEB_FORM_TRAFFIC = (0.50, 0.35, 0.15)  # paid campaign, organic, newsletter


@dataclass(frozen=True)
class Events:
    """The event calendar: check-ins at the 'events' source happen on these days."""

    day: np.ndarray  # day index from the start of the period, sorted
    name: pl.Series


def build_records(cfg: GeneratorConfig, people: pl.DataFrame) -> pl.DataFrame:
    """One row per source record, sorted by person then capture time."""
    rng = cfg.rng("records")
    n = people.height
    n_days = (cfg.end_ts - cfg.start_ts) // DAY
    office = np.array([c.office for c in CITIES])[people["city_idx"].to_numpy()]

    extra = np.where(rng.random(n) < DUPLICATE_PERSON_RATE, 1 + rng.choice(4, n, p=EXTRA_RECORDS_PMF), 0)
    person = np.repeat(np.arange(n), 1 + extra)
    rank = rank_in_group(person)
    m = len(person)

    first_src = _draw_sources(rng, office, [s.share for s in LEAD_SOURCES])
    other_src = _draw_sources(rng, office[person], [s.dup_share for s in LEAD_SOURCES])
    same = rng.random(m) < SAME_SOURCE_DUPLICATE_RATE
    source = np.where((rank == 0) | same, first_src[person], other_src)

    day0 = rng.choice(n_days, n, p=_daily_intensity(cfg.start_ts, n_days))
    quick = same & (rng.random(m) < 0.4)  # re-submitted within a day
    delay = np.where(quick, rng.integers(0, 2, m), np.ceil(rng.exponential(45.0, m))).astype(np.int64)
    day = np.where(rank == 0, day0[person], day0[person] + delay)
    late = day >= n_days
    day[late] = day0[person][late] + (rng.random(int(late.sum())) * (n_days - day0[person][late])).astype(
        np.int64
    )

    events = _event_calendar(rng, cfg.start_ts, n_days)
    is_event = source == SRC["events"]
    event_idx = np.minimum(np.searchsorted(events.day, day), len(events.day) - 1)
    day = np.where(is_event, events.day[event_idx], day)

    t = cfg.start_ts + day * DAY + _time_of_day(rng, source)
    t = np.minimum(t, cfg.end_ts - 3_601)
    for name, step in PRECISION.items():  # over sources, not rows
        mask = source == SRC[name]
        t[mask] -= (t[mask] - cfg.start_ts) % step

    order = np.lexsort((rank, source, t, person))
    person, rank, source, t, event_idx = (a[order] for a in (person, rank, source, t, event_idx))
    is_first = np.ones(m, dtype=bool)
    is_first[1:] = person[1:] != person[:-1]

    records = pl.DataFrame(
        {
            "person_idx": person,
            "source_code": source,
            "t": t,
            "is_first": is_first,
            "batch": cfg.batch_of(t),
        }
    ).with_columns(
        source=gather(SOURCE_NAMES, source),
        source_record_id=_source_record_ids(rng, source, t, person),
    )
    campaigns = _campaigns(rng, cfg, records, people, events, event_idx, n_days)
    return pl.concat([records, campaigns], how="horizontal")


def _draw_sources(rng: np.random.Generator, office: np.ndarray, shares: list[float]) -> np.ndarray:
    """Pick a source per row; walk-ins are only possible where Larkspur has an office."""
    probs = np.tile(normalized(shares), (len(office), 1))
    probs[~office, SRC["walk_ins"]] = 0.0
    return choice_per_row(rng, probs)


def _daily_intensity(start_ts: int, n_days: int) -> np.ndarray:
    """Lead volume per day: business growth, quiet weekends, a holiday dip."""
    d = np.arange(n_days)
    epoch_day = start_ts // DAY + d
    weekday = (epoch_day + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weekly = np.array([1.15, 1.15, 1.1, 1.05, 0.95, 0.5, 0.4])[weekday]
    trend = 0.75 + 0.5 * d / max(n_days - 1, 1)
    day_of_year = (epoch_day - 10_957) % 365.25  # days since the 1 Jan closest before
    holiday = np.where((day_of_year > 354) | (day_of_year < 2), 0.5, 1.0)
    return normalized(weekly * trend * holiday)


def _time_of_day(rng: np.random.Generator, source: np.ndarray) -> np.ndarray:
    profiles = np.stack([normalized(HOUR_PROFILE[name]) for name in SOURCE_NAMES])
    hour = choice_per_row(rng, profiles[source])
    return hour * 3_600 + rng.integers(0, 3_600, len(source))


def _event_calendar(rng: np.random.Generator, start_ts: int, n_days: int) -> Events:
    """An event every 6-13 days in an office city: open houses, seminars, expos."""
    gaps = rng.integers(6, 14, n_days // 6 + 2)
    days = np.cumsum(gaps) - gaps[0] + int(rng.integers(0, 6))
    days = days[days < n_days]
    offices = [c.name for c in CITIES if c.office]
    kind = gather(EVENT_KINDS, rng.integers(0, len(EVENT_KINDS), len(days)))
    city = gather(offices, rng.integers(0, len(offices), len(days)))
    month = pl.from_epoch(pl.Series(start_ts + days * DAY), "s").dt.strftime("%b %Y")
    return Events(day=days, name=kind + " - " + city + " - " + month)


def _source_record_ids(
    rng: np.random.Generator, source: np.ndarray, t: np.ndarray, person: np.ndarray
) -> pl.Series:
    """Ids in each source system's own style, issued in capture order."""
    order = np.lexsort((person, t, source))
    seq = np.empty(len(source), dtype=np.int64)
    seq[order] = rank_in_group(source[order])
    ids = nulls(len(source))
    styles = {
        "web_forms": lambda s: pl.Series(58_210_000 + s).cast(pl.String),
        "ad_leads": lambda s: pl.Series(
            1_203_400_000_000_000 + s * 7_919 + rng.integers(0, 7_919, len(s))
        ).cast(pl.String),
        "call_center": lambda s: padded("CL-", 3_000_000 + s, 8),
        "crm_export": lambda s: base62_ids("00Q8c0000", 9_000_000 + s, 6),
        "events": lambda s: padded("ATT-", 1 + s, 6),
        "chat": lambda s: "conv_" + base62_ids("", 11_000_000_000 + s * 104_729, 8),
        "referrals": lambda s: padded("REF-", 1 + s, 5),
        "walk_ins": lambda s: pl.Series(1_001 + s).cast(pl.String),
    }
    for name, style in styles.items():  # over sources, not rows
        rows = np.flatnonzero(source == SRC[name])
        if len(rows):
            ids = ids.scatter(rows, style(seq[rows]))
    return ids


def _campaigns(
    rng: np.random.Generator,
    cfg: GeneratorConfig,
    records: pl.DataFrame,
    people: pl.DataFrame,
    events: Events,
    event_idx: np.ndarray,
    n_days: int,
) -> pl.DataFrame:
    """Campaign, platform and medium per record, consistent with what ran on that day.

    Paid campaigns only capture leads while they run, so ad_spend (billed per running day)
    lines up with the campaigns seen in ad_leads and web_forms.
    """
    m = records.height
    source = records["source_code"].to_numpy()
    day = (records["t"].to_numpy() - cfg.start_ts) // DAY
    campaign = nulls(m)
    platform = nulls(m)
    medium = nulls(m)

    web_traffic = rng.choice(3, m, p=WEB_FORM_TRAFFIC)
    paid_rows = np.flatnonzero(
        (source == SRC["ad_leads"]) | ((source == SRC["web_forms"]) & (web_traffic == 0))
    )
    if len(paid_rows):
        weights = np.array([c.weight for c in PAID_CAMPAIGNS])
        start = np.array([c.start_month * n_days // 18 for c in PAID_CAMPAIGNS])
        end = np.array([c.end_month * n_days // 18 for c in PAID_CAMPAIGNS])
        src_of = np.array([SRC[c.source] for c in PAID_CAMPAIGNS])
        d = day[paid_rows, None]
        probs = weights * (d >= start) * (d < end) * (source[paid_rows, None] == src_of)
        chosen = choice_per_row(rng, probs)
        campaign = campaign.scatter(paid_rows, gather([c.name for c in PAID_CAMPAIGNS], chosen))
        platform = platform.scatter(paid_rows, gather([c.platform for c in PAID_CAMPAIGNS], chosen))
        medium = medium.scatter(
            paid_rows,
            gather(["cpc" if c.source == "web_forms" else "lead_form" for c in PAID_CAMPAIGNS], chosen),
        )

    organic = np.flatnonzero((source == SRC["web_forms"]) & (web_traffic == 1))
    kind = rng.choice(3, len(organic), p=[0.6, 0.3, 0.1])
    platform = platform.scatter(organic, gather(["google", "(direct)", "linkedin"], kind))
    medium = medium.scatter(organic, gather(["organic", "(none)", "referral"], kind))

    newsletter = np.flatnonzero((source == SRC["web_forms"]) & (web_traffic == 2))
    month = pl.from_epoch(pl.Series(records["t"].to_numpy()[newsletter]), "s").dt.strftime("%Y_%m")
    campaign = campaign.scatter(newsletter, "newsletter_" + month)
    platform = platform.scatter(newsletter, pl.Series(["newsletter"] * len(newsletter), dtype=pl.String))
    medium = medium.scatter(newsletter, pl.Series(["email"] * len(newsletter), dtype=pl.String))

    calls = np.flatnonzero(source == SRC["call_center"])
    campaign = campaign.scatter(
        calls,
        gather(
            CALL_CENTER_CAMPAIGNS,
            rng.choice(len(CALL_CENTER_CAMPAIGNS), len(calls), p=[0.35, 0.15, 0.10, 0.25, 0.15]),
        ),
    )
    campaign = _split_into_variants(cfg, campaign)

    crm = np.flatnonzero((source == SRC["crm_export"]) & (rng.random(m) < 0.6))
    campaign = campaign.scatter(crm, gather(CRM_CAMPAIGNS, rng.integers(0, len(CRM_CAMPAIGNS), len(crm))))

    at_event = np.flatnonzero(source == SRC["events"])
    campaign = campaign.scatter(at_event, events.name.gather(event_idx[at_event]))

    chats = np.flatnonzero(source == SRC["chat"])
    campaign = campaign.scatter(chats, _chat_pages(rng, people, records["person_idx"].to_numpy()[chats]))

    referrer = nulls(m)
    referrals = np.flatnonzero(source == SRC["referrals"])
    partner = rng.random(len(referrals)) < 0.65
    client = people.select(pl.concat_str("first_name", "last_name", separator=" "))[:, 0]
    referrer = referrer.scatter(
        referrals,
        pl.select(
            pl.when(pl.Series(partner))
            .then(gather(REFERRAL_PARTNERS, rng.integers(0, len(REFERRAL_PARTNERS), len(referrals))))
            .otherwise(client.gather(rng.integers(0, people.height, len(referrals))))
        )[:, 0],
    )
    crm_ref = np.flatnonzero((source == SRC["crm_export"]) & (rng.random(m) < 0.05))
    referrer = referrer.scatter(
        crm_ref, gather(REFERRAL_PARTNERS, rng.integers(0, len(REFERRAL_PARTNERS), len(crm_ref)))
    )
    return pl.DataFrame({"campaign": campaign, "platform": platform, "medium": medium, "referrer": referrer})


def _split_into_variants(cfg: GeneratorConfig, campaign: pl.Series) -> pl.Series:
    """Each record of a campaign under test gets one of its variants (``CAMPAIGN_VARIANTS``) at
    random, from a stream of its own: every other draw of the sample is the one it was without
    the test, and the campaign's share of the records is unchanged."""
    rng = cfg.rng("campaign variants")
    for name, variants in CAMPAIGN_VARIANTS.items():  # over campaigns, not rows
        rows = np.flatnonzero((campaign == name).fill_null(False).to_numpy())
        campaign = campaign.scatter(rows, gather(variants, rng.integers(0, len(variants), len(rows))))
    return campaign


def _chat_pages(rng: np.random.Generator, people: pl.DataFrame, person: np.ndarray) -> pl.Series:
    """The page a chat started on: a listing page in the visitor's city or a general page."""
    city = (
        people["city"]
        .gather(person)
        .str.to_lowercase()
        .str.replace_all(".", "", literal=True)
        .str.replace_all(" ", "-")
    )
    ptype = gather(
        [i.property_type.lower().replace(" ", "-") for i in INDUSTRIES],
        people["industry_idx"].to_numpy()[person],
    )
    general = gather(WEB_PAGES, rng.integers(0, len(WEB_PAGES), len(person)))
    listing = pl.Series(rng.random(len(person)) < 0.55)
    return pl.select(
        SELLER_SITE + pl.when(listing).then("/listings/" + ptype + "/" + city).otherwise(general)
    )[:, 0]
