"""Native shapes: how each source system writes its records.

Each renderer takes canonical record values (after noise) and produces the columns, names and
value formats of one source as described by ``config/sources/<source>.yml``: its date format,
name layout ("Jane Doe" / "DOE, JANE"), boolean and money spellings and nesting. Columns no
mapping uses (a form's message, a call's disposition) are added where a real system has them;
ingestion keeps those in ``attributes``. tests/sample_data checks these shapes against the YAML.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from .config import GeneratorConfig
from .reference import PAID_CAMPAIGNS, REFERRAL_PARTNERS, SELLER_SITE
from .vectors import gather

ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"
_CAMPAIGN_INDEX = {c.name: i for i, c in enumerate(PAID_CAMPAIGNS)}


def timestamp(fmt: str, column: str = "t") -> pl.Expr:
    return pl.from_epoch(column, "s").dt.strftime(fmt)


def _created(fmt: str) -> pl.Expr:
    """The capture time in the source's format, or the injected unparseable value."""
    return pl.coalesce("bad_date", timestamp(fmt))


def _full_name(first: str = "first_name", last: str = "last_name") -> pl.Expr:
    return pl.concat_str(first, last, separator=" ", ignore_nulls=True).replace("", None)


def _thousands(column: str) -> pl.Expr:
    """25000 -> '25,000' (amounts below a trillion)."""
    v = pl.col(column)
    billions, millions = v // 1_000_000_000, (v // 1_000_000) % 1_000
    thousands, units = (v // 1_000) % 1_000, v % 1_000
    padded_millions, padded_thousands, padded_units = (
        e.cast(pl.String).str.zfill(3) for e in (millions, thousands, units)
    )
    return (
        pl.when(v >= 1_000_000_000)
        .then(
            pl.concat_str(
                billions.cast(pl.String), padded_millions, padded_thousands, padded_units, separator=","
            )
        )
        .when(v >= 1_000_000)
        .then(pl.concat_str(millions.cast(pl.String), padded_thousands, padded_units, separator=","))
        .when(v >= 1_000)
        .then(pl.concat_str(thousands.cast(pl.String), padded_units, separator=","))
        .otherwise(v.cast(pl.String))
    )


def _yes_no(column: str) -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit("Y")).when(~pl.col(column)).then(pl.lit("N"))


def _pick(
    rng: np.random.Generator, n: int, values: tuple[str, ...], p: tuple[float, ...] | None = None
) -> pl.Series:
    return gather(values, rng.choice(len(values), n, p=p))


def web_forms(rec: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = rec.height
    message = rng.choice(5, n, p=[0.35, 0.25, 0.15, 0.15, 0.10])
    sqft = ((pl.col("budget") / 30 / 100).round() * 100).cast(pl.Int64)
    ptype = pl.col("product_interest_stated").str.to_lowercase()
    revenue = pl.col("annual_revenue").cast(pl.Int64)
    return rec.with_columns(_msg=pl.Series(message), _sqft=sqft, _revenue=revenue).select(
        pl.col("source_record_id").alias("Submission ID"),
        _created("%m/%d/%Y %H:%M").alias("Submitted At"),
        pl.col("first_name").alias("First Name"),
        pl.col("last_name").alias("Last Name"),
        pl.col("email").alias("Email Address"),
        pl.col("phone").alias("Phone Number"),
        pl.col("company").alias("Company"),
        pl.col("job_title").alias("Job Title"),
        pl.col("industry").str.to_titlecase().alias("Industry"),
        pl.col("company_size").alias("Company Size"),
        ("$" + _thousands("budget")).alias("Budget (USD)"),
        pl.col("timeline").alias("Timeline"),
        pl.col("city").alias("City"),
        pl.col("region").alias("State"),
        pl.col("postal_code").alias("Zip"),
        ("$" + _thousands("_revenue")).alias("Annual Revenue"),
        pl.col("product_interest").alias("Property Type"),
        pl.when(pl.col("country").is_null())
        .then(None)
        .otherwise(_pick(rng, n, ("United States", "US", "USA"), (0.6, 0.25, 0.15)))
        .alias("Country"),
        pl.col("platform").alias("UTM Source"),
        pl.col("medium").alias("UTM Medium"),
        pl.col("campaign").alias("UTM Campaign"),
        (
            SELLER_SITE
            + _pick(rng, n, ("/contact", "/request-a-quote", "/tenant-representation", "/listings"))
        ).alias("Page URL"),
        pl.when(pl.col("_msg") == 1)
        .then(
            "Looking for about "
            + _thousands("_sqft")
            + " sq ft of "
            + ptype
            + " space in "
            + pl.col("city")
            + "."
        )
        .when(pl.col("_msg") == 2)
        .then(pl.lit("Please call me to discuss options."))
        .when(pl.col("_msg") == 3)
        .then("Our lease ends soon, what is available near " + pl.col("city") + "?")
        .when(pl.col("_msg") == 4)
        .then(pl.lit("Can you send pricing for the listing I saw?"))
        .alias("Message"),
        pl.when(pl.col("do_not_email")).then(pl.lit("Yes")).otherwise(pl.lit("No")).alias("Email Opt Out"),
    )


def ad_leads(rec: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    idx = pl.col("campaign").replace_strict(_CAMPAIGN_INDEX, return_dtype=pl.Int64)
    return rec.select(
        pl.col("source_record_id").alias("leadgen_id"),
        _created("%Y-%m-%dT%H:%M:%S+0000").alias("created_time"),
        pl.col("platform"),
        (23_851_000_000 + idx * 1_000 + pl.Series(rng.integers(1, 4, rec.height)))
        .cast(pl.String)
        .alias("ad_id"),
        (9_100_000 + idx).cast(pl.String).alias("form_id"),
        pl.col("campaign").alias("campaign_name"),
        _full_name().alias("full_name"),
        pl.col("email"),
        pl.col("phone").alias("phone_number"),
        pl.col("company").alias("company_name"),
        pl.col("job_title"),
        pl.col("industry").str.to_titlecase(),
        pl.col("company_size"),
        pl.col("annual_revenue").cast(pl.Int64).alias("company_revenue"),
        pl.col("budget"),
        pl.col("timeline"),
        pl.col("product_interest").alias("property_type"),
        pl.col("city"),
        pl.col("region").alias("state"),
        pl.col("country"),
        pl.lit(False).alias("is_organic"),
    )


def call_center(rec: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = rec.height
    inbound = pl.col("campaign").str.starts_with("Inbound")
    return rec.select(
        pl.col("source_record_id").alias("CALL_ID"),
        _created("%Y%m%d%H%M%S").alias("CALL_START"),
        pl.when(inbound).then(pl.lit("INBOUND")).otherwise(pl.lit("OUTBOUND")).alias("DIRECTION"),
        pl.concat_str("last_name", "first_name", separator=", ").str.to_uppercase().alias("CALLER_NAME"),
        pl.col("phone").alias("CALLBACK_NO"),
        pl.col("company").str.to_uppercase().alias("COMPANY"),
        pl.col("city").alias("CITY"),
        pl.col("region").alias("STATE"),
        pl.col("budget").alias("BUDGET"),
        pl.col("timeline").alias("TIMELINE"),
        pl.col("campaign").alias("CAMPAIGN"),
        pl.when(pl.col("do_not_call")).then(pl.lit("Y")).otherwise(pl.lit("N")).alias("DNC"),
        _yes_no("budget_confirmed").alias("BANT_BUDGET_OK"),
        _yes_no("is_decision_maker").alias("BANT_DECISION_MAKER"),
        pl.col("pain_points").alias("BANT_NEED"),
        pl.col("purchase_timeline").alias("BANT_TIMELINE"),
        ("x" + pl.Series(rng.integers(2_100, 2_160, n)).cast(pl.String)).alias("AGENT_EXT"),
        pl.Series(np.rint(rng.lognormal(np.log(300), 0.6, n)).astype(np.int64)).alias("DURATION_SEC"),
        _pick(rng, n, ("Interested", "Call back", "Send info", "Voicemail"), (0.4, 0.25, 0.25, 0.1)).alias(
            "DISPOSITION"
        ),
    )


def events(rec: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = rec.height
    return rec.select(
        pl.col("source_record_id").alias("Attendee ID"),
        pl.col("campaign").alias("Event"),
        _created("%d.%m.%Y %H:%M").alias("Check-in"),
        _full_name().alias("Name"),
        pl.col("email").alias("E-mail"),
        pl.col("phone").alias("Mobile"),
        pl.col("company").alias("Organisation"),
        pl.col("job_title").alias("Position"),
        pl.col("city").alias("Town"),
        pl.col("postal_code").alias("Postcode"),
        _pick(rng, n, ("Visitor", "Exhibitor", "Speaker", "VIP"), (0.85, 0.08, 0.02, 0.05)).alias(
            "Badge Type"
        ),
        pl.Series(rng.integers(0, 6, n)).alias("Sessions"),
    )


def chat(rec: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = rec.height
    messages = rng.integers(3, 30, n)
    rating = pl.Series(np.where(rng.random(n) < 0.4, rng.integers(1, 6, n), -1)).replace(-1, None)
    return rec.select(
        pl.col("source_record_id").alias("conversation_id"),
        pl.col("t").alias("started_at"),
        (pl.col("t") + pl.Series(messages * rng.integers(20, 90, n))).alias("ended_at"),
        pl.col("campaign").alias("page_url"),
        pl.struct(
            _full_name().alias("name"),
            pl.col("email"),
            pl.col("phone"),
            pl.col("company"),
            pl.col("city"),
            pl.col("product_interest").alias("space_type"),
        ).alias("visitor"),
        pl.Series(messages).alias("messages"),
        _pick(rng, n, ("bot", "Dana", "Luis", "Priya", "Sam"), (0.5, 0.15, 0.15, 0.1, 0.1)).alias("operator"),
        rating.alias("rating"),
    )


def walk_ins(rec: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = rec.height
    return rec.select(
        pl.col("source_record_id").alias("Visit No"),
        _created("%b %d %Y %-I:%M %p").alias("Visit Date"),
        pl.col("city").alias("Office"),
        _full_name().alias("Guest Name"),
        pl.col("phone").alias("Phone"),
        pl.col("email").alias("Email"),
        pl.col("product_interest").alias("Interested In"),
        pl.col("budget").alias("Budget"),
        pl.col("timeline").alias("Buying Timeline"),
        _pick(rng, n, ("Maria", "Kevin", "Aisha", "Tom")).alias("Host"),
        pl.lit(
            _pick(
                rng,
                n,
                (
                    "",
                    "Walked in after seeing the sign",
                    "Wants a tour this week",
                    "Brought floor plans",
                    "Asked about parking",
                ),
            )
        )
        .replace("", None)
        .alias("Notes"),
    )


def crm_export(rec: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    return rec.select(
        "source_record_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "job_title",
        "industry",
        "company_size",
        pl.col("annual_revenue").cast(pl.Int64),
        "budget",
        "timeline",
        "product_interest",
        "budget_confirmed",
        "is_decision_maker",
        pl.col("pain_points").str.replace_all("; ", ";", literal=True),  # a multi-select picklist
        "purchase_timeline",
        "city",
        "region",
        "country",
        "postal_code",
        "campaign",
        "referrer",
        _created(ISO_UTC).alias("created_at"),
        "do_not_email",
        "do_not_call",
        # Custom fields no mapping uses: ingestion keeps them in `attributes`.
        pl.col("lead_rating").alias("Lead_Rating__c"),
        pl.col("preferred_contact").alias("Preferred_Contact__c"),
    )


def referrals(rec: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = rec.height
    return rec.select(
        pl.col("source_record_id").alias("referral_id"),
        _created("%d/%m/%Y").alias("referral_date"),
        pl.col("referrer").alias("referred_by"),
        pl.when(pl.col("referrer").is_in(REFERRAL_PARTNERS))
        .then(pl.lit("partner"))
        .otherwise(pl.lit("client"))
        .alias("referrer_type"),
        pl.col("first_name").alias("referred_first"),
        pl.col("last_name").alias("referred_last"),
        pl.col("email").alias("referred_email"),
        pl.col("phone").alias("referred_phone"),
        pl.col("company").alias("referred_company"),
        pl.col("industry").str.to_titlecase().alias("referred_industry"),
        pl.col("budget").alias("est_budget"),
        pl.col("city").alias("referred_city"),
        pl.col("region").alias("referred_state"),
        pl.lit(
            _pick(
                rng,
                n,
                (
                    "",
                    "Expanding team, needs space soon",
                    "Current lease ends next year",
                    "Warm intro - mention our name",
                ),
            )
        )
        .replace("", None)
        .alias("notes"),
    )


RENDERERS: dict[str, Callable[[pl.DataFrame, np.random.Generator], pl.DataFrame]] = {
    "web_forms": web_forms,
    "ad_leads": ad_leads,
    "call_center": call_center,
    "events": events,
    "chat": chat,
    "walk_ins": walk_ins,
    "crm_export": crm_export,
    "referrals": referrals,
}


def render_leads(cfg: GeneratorConfig, source: str, rec: pl.DataFrame) -> pl.DataFrame:
    return RENDERERS[source](rec, cfg.rng(f"render:{source}"))


def render_status_changes(changes: pl.DataFrame) -> pl.DataFrame:
    return changes.select(
        "source_record_id",
        "lead_record_source",
        "lead_record_id",
        "status",
        timestamp(ISO_UTC).alias("changed_at"),
        "agent_id",
        pl.col("deal_amount").cast(pl.Int64),
        "reason",
    )


def render_activities(acts: pl.DataFrame) -> pl.DataFrame:
    return acts.select(
        pl.col("source_record_id").alias("activity_id"),
        pl.col("lead_record_source").alias("lead_source_system"),
        pl.col("lead_record_id").alias("lead_ref"),
        pl.col("activity_type").alias("type"),
        timestamp(ISO_UTC).alias("timestamp"),
        "detail",
        pl.col("duration_seconds").alias("duration_s"),
        "direction",
        pl.col("response_seconds").alias("response_time_s"),
        "owner_id",
    )
