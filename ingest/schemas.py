"""Canonical schemas: the shape every source is mapped into before it reaches the warehouse.

One table per entity lives in the warehouse's ``raw`` schema (``raw.lead_records``,
``raw.activities``, ...). Each source config maps its native columns onto the columns below;
``docs/schemas.md`` documents them for people. This module is the single source of truth: the
ingestion code, the pandera validation and the documentation test all read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

LEAD_STATUSES = (
    "New",
    "Contacted",
    "Qualified",
    "Nurturing",
    "Proposal",
    "Negotiation",
    "Closed Won",
    "Closed Lost",
    "Recycled",
    "Disqualified",
)
ACTIVITY_TYPES = (
    "email_open",
    "email_click",
    "page_view",
    "property_view",
    "form_submission",
    "call",
    "meeting",
    "demo",
    "chat",
    "content_download",
    "webinar",
    "demo_request",
    "pricing_page_view",
    "social_engagement",
    "search",
    "email",
    "sms",
)
# Who started a conversational activity (a call, email, sms or social message): the lead
# (inbound) or the team (outbound).
DIRECTIONS = ("inbound", "outbound")
CHANNELS = (
    "web_form",
    "ad_form",
    "referral",
    "call_center",
    "event",
    "chat",
    "walk_in",
    "crm",
    "other",
)
TIMELINES = ("immediate", "1-3 months", "3-6 months", "6-12 months", "12+ months")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    description: str
    # How the value is normalized on the way in (see ingest.normalize).
    kind: str = "text"  # text | email | phone | name | company | datetime | date | int | float | bool
    allowed: tuple[str, ...] | None = None
    # Computed by the ingestion (never mapped from a source column).
    derived: bool = False


@dataclass(frozen=True)
class Entity:
    name: str
    table: str
    description: str
    columns: tuple[Column, ...]
    # A row must carry at least one of these (a source config can override it).
    require_any: tuple[str, ...] = ()
    required: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


_ID = Column(
    "source_record_id",
    pl.String(),
    "The record's id in its source system. Derived from the row's content when the source has none.",
)

LEAD = Entity(
    name="lead",
    table="lead_records",
    description="One lead record as a source captured it. The same person may arrive many times.",
    require_any=("email", "phone", "last_name"),
    columns=(
        _ID,
        Column("first_name", pl.String(), "Given name, whitespace collapsed, title case.", "name"),
        Column("last_name", pl.String(), "Family name, whitespace collapsed, title case.", "name"),
        Column("email", pl.String(), "Email address, trimmed and lower-cased.", "email"),
        Column(
            "phone", pl.String(), "Phone number in E.164 (+15551234567), parsed with phonenumbers.", "phone"
        ),
        Column(
            "phone_is_valid",
            pl.Boolean(),
            "phonenumbers knows the number's area code or prefix. False: a whole number (right length) that no "
            "numbering plan knows, kept because it still identifies the person (recorded in raw.field_issues).",
            "bool",
            derived=True,
        ),
        Column("company", pl.String(), "Company name as written, whitespace collapsed.", "company"),
        Column("job_title", pl.String(), "Job title."),
        Column("industry", pl.String(), "Industry."),
        Column("company_size", pl.Int64(), "Number of employees.", "int"),
        Column(
            "annual_revenue",
            pl.Float64(),
            "The company's annual revenue in USD, as the lead or the CRM states it.",
            "float",
        ),
        Column("budget", pl.Float64(), "Stated budget or price range midpoint, in USD.", "float"),
        Column("timeline", pl.String(), "When the lead intends to buy.", "text", TIMELINES),
        Column(
            "product_interest",
            pl.String(),
            "The product, service line or property type the lead asks about, in the seller's own "
            "terms (e.g. Office, Warehouse, Retail). Free text: each business has its own catalogue.",
        ),
        Column(
            "budget_confirmed",
            pl.Boolean(),
            "BANT budget: the lead confirmed that the budget is approved or available, as the call "
            "center or the CRM records it. Null: not asked.",
            "bool",
        ),
        Column(
            "is_decision_maker",
            pl.Boolean(),
            "BANT authority: the lead decides (or signs) the purchase, as the call center or the CRM "
            "records it. Null: not asked.",
            "bool",
        ),
        Column(
            "pain_points",
            pl.String(),
            "BANT need: the problems the lead wants solved, free text or a semicolon-separated list "
            "(e.g. 'Lease expiring; Need more space').",
        ),
        Column(
            "purchase_timeline",
            pl.String(),
            "BANT timing: when the lead will buy, as the qualifying agent recorded it (may differ "
            "from the timeline stated at capture).",
            "text",
            TIMELINES,
        ),
        Column("city", pl.String(), "City."),
        Column("region", pl.String(), "State, province or region."),
        Column("country", pl.String(), "Country as given (ISO code or name)."),
        Column("postal_code", pl.String(), "Postal code."),
        Column("channel", pl.String(), "Capture channel.", "text", CHANNELS),
        Column("campaign", pl.String(), "Marketing campaign, ad or event that captured the lead."),
        Column("referrer", pl.String(), "Referring partner or person."),
        Column(
            "created_at", pl.Datetime("us", "UTC"), "When the source captured the lead (UTC).", "datetime"
        ),
        Column("do_not_email", pl.Boolean(), "The lead asked not to be emailed.", "bool"),
        Column("do_not_call", pl.Boolean(), "The lead asked not to be called.", "bool"),
    ),
)

ACTIVITY = Entity(
    name="activity",
    table="activities",
    description="Something a lead did or that was done to a lead (email, visit, call, meeting...).",
    required=("lead_record_source", "lead_record_id", "activity_type", "occurred_at"),
    columns=(
        _ID,
        Column("lead_record_source", pl.String(), "Source of the lead record this activity belongs to."),
        Column("lead_record_id", pl.String(), "source_record_id of that lead record."),
        Column("activity_type", pl.String(), "What happened.", "text", ACTIVITY_TYPES),
        Column("occurred_at", pl.Datetime("us", "UTC"), "When it happened (UTC).", "datetime"),
        Column("detail", pl.String(), "Page, email, property or subject involved."),
        Column("duration_seconds", pl.Int64(), "Duration for calls, meetings, demos and chats.", "int"),
        Column(
            "direction",
            pl.String(),
            "For calls, emails, sms and social messages: inbound (the lead reached out) or outbound "
            "(the team did). Null for activities that are not a message (views, opens, meetings...).",
            "text",
            DIRECTIONS,
        ),
        Column(
            "response_seconds",
            pl.Int64(),
            "Seconds until the other side answered: for an outbound call, email or sms the lead's "
            "answer, for an inbound one the team's first response. Null: never answered (or not a "
            "message).",
            "int",
        ),
    ),
)

STATUS_CHANGE = Entity(
    name="status_change",
    table="status_changes",
    description="A lead moving to a new status/stage in the CRM.",
    required=("lead_record_source", "lead_record_id", "status", "changed_at"),
    columns=(
        _ID,
        Column("lead_record_source", pl.String(), "Source of the lead record whose status changed."),
        Column("lead_record_id", pl.String(), "source_record_id of that lead record."),
        Column("status", pl.String(), "The new status.", "text", LEAD_STATUSES),
        Column("changed_at", pl.Datetime("us", "UTC"), "When the status changed (UTC).", "datetime"),
        Column("agent_id", pl.String(), "Sales agent who owns the lead at that point."),
        Column("deal_amount", pl.Float64(), "Deal amount in USD (Proposal onwards).", "float"),
        Column("reason", pl.String(), "Why (lost, disqualified or recycled reason)."),
    ),
)

AGENT = Entity(
    name="agent",
    table="agents",
    description="A sales agent who can be assigned leads.",
    required=("source_record_id",),
    columns=(
        Column("source_record_id", pl.String(), "The agent's id (agent_id)."),
        Column("agent_name", pl.String(), "Full name.", "text"),
        Column("email", pl.String(), "Work email.", "email"),
        Column("territory", pl.String(), "Comma-separated regions the agent covers."),
        Column("specializations", pl.String(), "Comma-separated industries or property types."),
        Column("price_min", pl.Float64(), "Lowest deal size the agent handles (USD).", "float"),
        Column("price_max", pl.Float64(), "Highest deal size the agent handles (USD).", "float"),
        Column("capacity", pl.Int64(), "Maximum open leads at once.", "int"),
        Column("active", pl.Boolean(), "Takes new leads.", "bool"),
    ),
)

AD_SPEND = Entity(
    name="ad_spend",
    table="ad_spend",
    description="Daily advertising spend per channel and campaign.",
    required=("spend_date", "spend"),
    columns=(
        _ID,
        Column("spend_date", pl.Date(), "Day of the spend.", "date"),
        Column("channel", pl.String(), "Capture channel the spend buys leads for.", "text", CHANNELS),
        Column("platform", pl.String(), "Ad platform (google, facebook, linkedin, ...)."),
        Column("campaign", pl.String(), "Campaign name; matches lead `campaign`."),
        Column("spend", pl.Float64(), "Amount spent that day.", "float"),
        Column("currency", pl.String(), "ISO currency code."),
        Column("impressions", pl.Int64(), "Impressions that day.", "int"),
        Column("clicks", pl.Int64(), "Clicks that day.", "int"),
    ),
)

MATCH_DECISIONS = ("match", "no_match")

MATCH_DECISION = Entity(
    name="match_decision",
    table="match_decisions",
    description="A reviewer's verdict on whether two lead records are the same person "
    "(from marts.lead_match_review_queue). Entity resolution obeys it on the next run.",
    required=("left_source", "left_record_id", "right_source", "right_record_id", "decision"),
    columns=(
        _ID,
        Column("left_source", pl.String(), "Source of one lead record."),
        Column("left_record_id", pl.String(), "Its source_record_id."),
        Column("right_source", pl.String(), "Source of the other lead record."),
        Column("right_record_id", pl.String(), "Its source_record_id."),
        Column("decision", pl.String(), "match (same person) or no_match.", "text", MATCH_DECISIONS),
        Column("reviewer", pl.String(), "Who decided."),
        Column(
            "decided_at",
            pl.Datetime("us", "UTC"),
            "When (UTC); the latest decision on a pair wins.",
            "datetime",
        ),
        Column("note", pl.String(), "Why."),
    ),
)

RECORD_DELETION = Entity(
    name="record_deletion",
    table="record_deletions",
    description="A record its source system deleted, found by an extraction that no longer sees it "
    "(ingest.crm_database). The record stays in the warehouse, marked deleted (marts.lead_identity_map, "
    "marts.dim_leads); a record extracted again after its deletion is no longer deleted.",
    required=("record_source", "record_id", "deleted_at"),
    columns=(
        Column(
            "source_record_id",
            pl.String(),
            "The deletion's id: `<record_source>:<record_id>` (a record deleted again replaces it).",
        ),
        Column("record_source", pl.String(), "Source (config name) of the deleted record."),
        Column("record_id", pl.String(), "source_record_id of the deleted record."),
        Column(
            "deleted_at",
            pl.Datetime("us", "UTC"),
            "When the deletion was found (UTC): the snapshot of the first extraction without the record.",
            "datetime",
        ),
    ),
)

ENTITIES: dict[str, Entity] = {
    e.name: e for e in (LEAD, ACTIVITY, STATUS_CHANGE, AGENT, AD_SPEND, MATCH_DECISION, RECORD_DELETION)
}

# Lineage columns every raw table carries, so every warehouse number traces back to a file row.
LINEAGE_COLUMNS: dict[str, pl.DataType] = {
    "source": pl.String(),
    "attributes": pl.String(),  # JSON object of the native columns no mapping consumed
    "_file": pl.String(),
    "_file_sha256": pl.String(),
    "_file_version": pl.Int64(),
    "_row_number": pl.Int64(),
    "_batch_id": pl.String(),
    "_ingested_at": pl.Datetime("us", "UTC"),
}


def raw_schema(entity: Entity) -> dict[str, pl.DataType]:
    """Column order and types of ``raw.<entity.table>``."""
    return (
        {"source": pl.String()}
        | {c.name: c.dtype for c in entity.columns}
        | {k: v for k, v in LINEAGE_COLUMNS.items() if k != "source"}
    )
