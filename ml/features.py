"""Point-in-time features: what was known about a lead at one moment, and nothing later.

One SQL query computes every feature of a lead as of a cutoff moment, for any set of
``(lead_id, cutoff_at)`` pairs:

- the training set (``training_examples``): each lead at each age of
  ``training_set.cutoff_days`` at which it was still open, with its label, converted (Closed Won)
  within ``horizon_days`` after the cutoff, or null while that horizon has not elapsed;
- the leads to score (``scoring_rows``): every lead open at ``as_of`` and not deleted in its
  sources, as of ``as_of``.

What a feature may read, as of the cutoff ``t``:

- the lead's fields **as first captured**: for each field, the value of the earliest source record
  created at or before ``t`` that has one, in the version of that record first delivered
  (``raw.lead_records``; a later re-export of a CRM record, updated after qualification, never
  reaches an earlier cutoff); channel and campaign as staged;
- activities that occurred at or before ``t``; a reply counts only if it came by ``t``
  (``occurred_at + response_seconds <= t``);
- status changes at or before ``t``: the status at ``t``, the furthest stage reached;
- the rule score valid at ``t`` in ``marts.lead_score_history`` (null before the history starts).

Records without a ``created_at`` are not used (when they became known is unknown). Which records
form one lead is entity resolution's current answer, made with every record: documented in
docs/model.md as the one thing a cutoff does not rewind.

The query reads the warehouse tables named in ``WarehouseTables`` (so a test can give it a small
database of its own) and returns a polars DataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from ml.config import ModelConfig, attribute_feature_name

WON_STATUS = "Closed Won"
CLOSED_STATUSES = ("Closed Won", "Closed Lost", "Disqualified")
# The funnel's stage order (config/scoring.yml status_workflow.stage_order): a lead's furthest
# stage is its highest rank here; Recycled and statuses outside the order rank 0.
STAGE_ORDER = ("New", "Contacted", "Nurturing", "Qualified", "Proposal", "Negotiation", "Closed Won")

MARKETING_TOUCHES = (
    "email_open",
    "email_click",
    "page_view",
    "property_view",
    "form_submission",
    "content_download",
    "webinar",
    "demo_request",
    "pricing_page_view",
    "search",
    "chat",
)
CONVERSATIONS = ("call", "email", "sms", "social_engagement")


@dataclass(frozen=True)
class Feature:
    """One model input. ``kind``: numeric, categorical or boolean. ``phrase`` renders the lead's
    value in words a sales agent reads (ml.explain)."""

    name: str
    kind: str
    phrase: (
        str  # a template: {value}, {n} (a whole number), {s} (plural ending), {money}; or a key of ml.explain
    )
    description: str
    zero: str | None = None  # the phrase when the number is 0 (default: "{n} " read as "no ")


FEATURES: tuple[Feature, ...] = (
    # As first captured.
    Feature("first_source", "categorical", "came in through {value}", "source of the lead's first record"),
    Feature("first_channel", "categorical", "first touch: {value}", "channel of the first record"),
    Feature("first_campaign", "categorical", "campaign: {value}", "campaign of the first record"),
    Feature(
        "capture_weekday", "categorical", "first came in on a {value}", "weekday of the first capture (UTC)"
    ),
    Feature("industry", "categorical", "industry: {value}", "industry, as first captured"),
    Feature("seniority", "categorical", "seniority: {value}", "from the job title, as first captured"),
    Feature("company_size", "numeric", "{n} employee{s}", "company head-count, as first captured"),
    Feature("annual_revenue", "numeric", "company revenue {money}", "annual revenue, as first captured"),
    Feature("budget", "numeric", "budget {money}", "stated budget, as first captured"),
    Feature("timeline", "categorical", "buying timeline: {value}", "stated timeline, as first captured"),
    Feature(
        "product_interest", "categorical", "interested in {value}", "product interest, as first captured"
    ),
    Feature("region", "categorical", "region: {value}", "state or region, as first captured"),
    Feature("budget_confirmed", "boolean", "budget_confirmed", "BANT: budget confirmed"),
    Feature("is_decision_maker", "boolean", "is_decision_maker", "BANT: the decision maker"),
    Feature("pain_point_count", "numeric", "{n} pain point{s} named", "BANT: pain points named"),
    Feature("has_phone", "boolean", "has_phone", "a phone number was captured"),
    Feature("do_not_email", "boolean", "do_not_email", "asked not to be emailed"),
    Feature("do_not_call", "boolean", "do_not_call", "asked not to be called"),
    # Behaviour up to the cutoff.
    Feature(
        "lead_age_days",
        "numeric",
        "lead {n} day{s} old",
        "days since first captured (capped at the last cutoff)",
        zero="lead captured today",
    ),
    Feature(
        "marketing_touches", "numeric", "{n} marketing touch{es}", "web visits, email opens, downloads, ..."
    ),
    Feature(
        "recent_touches",
        "numeric",
        "{n} touch{es} in the last week",
        "marketing touches in the recent window",
    ),
    Feature(
        "web_visits", "numeric", "{n} page, property and search visit{s}", "page and property views, searches"
    ),
    Feature("pricing_page_views", "numeric", "{n} pricing-page view{s}", "pricing-page views"),
    Feature(
        "recent_pricing_page_views",
        "numeric",
        "{n} pricing-page view{s} in the last week",
        "in the recent window",
    ),
    Feature("demo_requests", "numeric", "{n} demo request{s}", "demo requests"),
    Feature("email_clicks", "numeric", "{n} email click{s}", "clicks in marketing emails"),
    Feature("email_opens", "numeric", "{n} email open{s}", "marketing emails opened"),
    Feature(
        "content_engagements", "numeric", "{n} download{s} and webinar{s}", "content downloads and webinars"
    ),
    Feature("form_submissions", "numeric", "{n} form submission{s}", "forms submitted"),
    Feature("meetings", "numeric", "{n} meeting{s} and demo{s} held", "sales meetings and demos"),
    Feature(
        "outbound_touches", "numeric", "{n} call{s}, email{s} and message{s} from sales", "outbound contacts"
    ),
    Feature(
        "answered_outbound",
        "numeric",
        "answered {n} of our calls and messages",
        "outbound contacts answered by the cutoff",
        zero="has not answered our calls or messages",
    ),
    Feature(
        "unanswered_emails",
        "numeric",
        "no response to {n} email{s}",
        "outbound emails not answered by the cutoff",
        zero="no unanswered emails",
    ),
    Feature(
        "unanswered_calls",
        "numeric",
        "{n} call{s} not picked up",
        "outbound calls not answered by the cutoff",
    ),
    Feature(
        "inbound_contacts",
        "numeric",
        "reached out {n} time{s} on their own",
        "calls and emails from the lead",
        zero="has not reached out on their own",
    ),
    Feature(
        "days_since_last_touch",
        "numeric",
        "days_since_last_touch",
        "days since the lead's last marketing touch",
    ),
    # Funnel up to the cutoff.
    Feature("status", "categorical", "status: {value}", "status at the cutoff"),
    Feature("furthest_stage", "categorical", "reached {value}", "furthest funnel stage reached"),
    Feature("status_changes", "numeric", "{n} status change{s}", "status changes so far"),
    Feature(
        "days_in_status", "numeric", "{n} day{s} in the current status", "days since the last status change"
    ),
    Feature(
        "rule_score", "numeric", "rule score {n}", "the rule score valid at the cutoff (lead_score_history)"
    ),
)
FEATURE_NAMES = tuple(f.name for f in FEATURES)
FEATURES_BY_NAME = {f.name: f for f in FEATURES}


def feature_kinds(config: ModelConfig) -> dict[str, str]:
    """Every feature's kind (numeric, categorical, boolean): the built-in ones, then the source
    attributes config/model.yml names (``training_set.attribute_features``)."""
    kinds = {f.name: f.kind for f in FEATURES}
    for extra in config.training_set.attribute_features:
        kinds[attribute_feature_name(extra.attribute)] = extra.kind
    return kinds


# The columns a training or scoring frame carries beside the features.
KEY_COLUMNS = ("lead_id", "first_seen_at", "cutoff_days", "cutoff_at")


@dataclass(frozen=True)
class WarehouseTables:
    """Where the query reads; a test points these at tables of its own."""

    records: str = "intermediate.int_lead_records_matched"
    raw_records: str = "raw.lead_records"
    activities: str = "marts.fct_lead_activities"
    status_changes: str = "marts.fct_lead_status_changes"
    score_history: str = "marts.lead_score_history"
    rule_scores: str = "marts.lead_rule_scores"


WAREHOUSE = WarehouseTables()
EXECUTIVE_WORDS = "owner|founder|ceo|chief|president|managing partner|principal"


def _sql_list(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _first_captured(column: str, alias: str | None = None) -> str:
    """The value of the earliest record (by created_at, then source and id) that has one."""
    return f"arg_min({column}, record_order) filter (where {column} is not null) as {alias or column}"


def feature_query(cutoffs: str, as_of: datetime, config: ModelConfig, tables: WarehouseTables) -> str:
    """Every feature of each ``(lead_id, cutoff_days, cutoff_at)`` row of the relation ``cutoffs``."""
    recent = config.training_set.recent_days
    max_age = max(config.training_set.cutoff_days)
    stage_ranks = " ".join(f"when '{s}' then {i + 1}" for i, s in enumerate(STAGE_ORDER))
    stage_names = " ".join(f"when {i + 1} then '{s}'" for i, s in enumerate(STAGE_ORDER))
    in_window = "a.occurred_at <= c.cutoff_at"
    answered = (
        "a.response_seconds is not null and a.occurred_at + to_seconds(a.response_seconds) <= c.cutoff_at"
    )
    attribute_columns = attribute_captured = attribute_selected = ""
    for extra in config.training_set.attribute_features:
        name = attribute_feature_name(extra.attribute)
        value = f"json_extract_string(r.attributes, '$.\"{extra.attribute}\"')"
        if extra.kind == "numeric":
            value = f"try_cast({value} as double)"
        attribute_columns += f",\n        {value} as {name}"
        attribute_captured += f",\n        {_first_captured(name)}"
        attribute_selected += f"\n    p.{name},"
    status_aggregates = f"""
        max(s.changed_at) as status_at,
        max(case s.status {stage_ranks} else 0 end) as furthest_stage_rank,
        count(*) as status_changes"""
    return f"""
with cutoffs as ({cutoffs}),
first_versions as (
    -- each source record as first delivered: a later re-export (a CRM record updated after
    -- qualification) keeps its created_at but may carry what was learned since
    select *
    from {tables.raw_records}
    qualify row_number() over (
        partition by source, source_record_id
        order by _ingested_at asc nulls last, _file_version asc nulls last, _row_number asc nulls last
    ) = 1
),
known_records as (
    -- identity, capture time, channel and campaign as staged; the profile as first delivered
    select
        m.lead_id, m.source, m.source_record_id, m.created_at, m.channel, m.campaign,
        f.industry, f.job_title, f.company_size, f.annual_revenue, f.budget, f.timeline,
        f.product_interest, f.budget_confirmed, f.is_decision_maker, f.pain_points, f.region, f.phone,
        f.do_not_email, f.do_not_call, f.attributes
    from {tables.records} m
    join first_versions f on f.source = m.source and f.source_record_id = m.source_record_id
),
records as (
    select
        c.lead_id, c.cutoff_at, r.*,
        -- capture order (to the second, then source and id, so ties resolve the same every run)
        row_number() over (
            partition by c.lead_id, c.cutoff_at
            order by date_trunc('second', r.created_at), r.source, r.source_record_id
        ) as record_order,
        case
            when regexp_matches(lower(r.job_title), '\\b({EXECUTIVE_WORDS})\\b')
                and not regexp_matches(lower(r.job_title), 'vice') then 'executive'
            when regexp_matches(lower(r.job_title), '\\b(vp|vice president|director|head)\\b') then 'vp or director'
            when regexp_matches(lower(r.job_title), '\\b(manager|lead|supervisor)\\b') then 'manager'
            when r.job_title is not null then 'other'
        end as seniority_from_title,
        case when r.pain_points is null then null
             else len(string_split(r.pain_points, ';')) end as pain_point_count_stated{attribute_columns}
    from cutoffs c
    join known_records r on r.lead_id = c.lead_id
    where r.created_at is not null and r.created_at <= c.cutoff_at
),
captured as (
    select
        lead_id, cutoff_at,
        arg_min(source, record_order) as first_source,
        {_first_captured("channel", "first_channel")},
        {_first_captured("campaign", "first_campaign")},
        {_first_captured("industry")},
        {_first_captured("seniority_from_title", "seniority")},
        {_first_captured("company_size")},
        {_first_captured("annual_revenue")},
        {_first_captured("budget")},
        {_first_captured("timeline")},
        {_first_captured("product_interest")},
        {_first_captured("region")},
        {_first_captured("budget_confirmed")},
        {_first_captured("is_decision_maker")},
        {_first_captured("pain_point_count_stated", "pain_point_count")},
        bool_or(phone is not null) as has_phone,
        coalesce(bool_or(do_not_email), false) as do_not_email,
        coalesce(bool_or(do_not_call), false) as do_not_call{attribute_captured}
    from records
    group by lead_id, cutoff_at
),
activities as (
    select
        c.lead_id, c.cutoff_at,
        count(*) filter (where a.activity_type in ({_sql_list(MARKETING_TOUCHES)})) as marketing_touches,
        count(*) filter (where a.activity_type in ({_sql_list(MARKETING_TOUCHES)})
            and a.occurred_at > c.cutoff_at - to_days({recent})) as recent_touches,
        count(*) filter (where a.activity_type in ('page_view', 'property_view', 'search')) as web_visits,
        count(*) filter (where a.activity_type = 'pricing_page_view') as pricing_page_views,
        count(*) filter (where a.activity_type = 'pricing_page_view'
            and a.occurred_at > c.cutoff_at - to_days({recent})) as recent_pricing_page_views,
        count(*) filter (where a.activity_type = 'demo_request') as demo_requests,
        count(*) filter (where a.activity_type = 'email_click') as email_clicks,
        count(*) filter (where a.activity_type = 'email_open') as email_opens,
        count(*) filter (where a.activity_type in ('content_download', 'webinar')) as content_engagements,
        count(*) filter (where a.activity_type = 'form_submission') as form_submissions,
        count(*) filter (where a.activity_type in ('meeting', 'demo')) as meetings,
        count(*) filter (where a.activity_type in ({_sql_list(CONVERSATIONS)})
            and a.direction = 'outbound') as outbound_touches,
        count(*) filter (where a.activity_type in ({_sql_list(CONVERSATIONS)})
            and a.direction = 'outbound' and {answered}) as answered_outbound,
        count(*) filter (where a.activity_type = 'email' and a.direction = 'outbound'
            and not coalesce({answered}, false)) as unanswered_emails,
        count(*) filter (where a.activity_type = 'call' and a.direction = 'outbound'
            and not coalesce({answered}, false)) as unanswered_calls,
        count(*) filter (where a.activity_type in ({_sql_list(CONVERSATIONS)})
            and a.direction = 'inbound') as inbound_contacts,
        date_diff('second', max(a.occurred_at) filter (
            where a.activity_type in ({_sql_list(MARKETING_TOUCHES)})), c.cutoff_at) / 86400.0
            as days_since_last_touch
    from cutoffs c
    join {tables.activities} a on a.lead_id = c.lead_id
    where {in_window}
    group by c.lead_id, c.cutoff_at
),
statuses as (
{_statuses(tables, status_aggregates)}
),
wins as ({_wins(tables)}),
scores as (
    select c.lead_id, c.cutoff_at, max(h.score) as rule_score
    from cutoffs c
    join {tables.score_history} h on h.lead_id = c.lead_id
    where h.valid_from <= c.cutoff_at and (h.valid_to is null or h.valid_to > c.cutoff_at)
    group by c.lead_id, c.cutoff_at
)
select
    c.lead_id, c.first_seen_at, c.cutoff_days, c.cutoff_at,
    dayname(c.first_seen_at) as capture_weekday,
    p.first_source, p.first_channel, p.first_campaign, p.industry, p.seniority,
    cast(p.company_size as double) as company_size, cast(p.annual_revenue as double) as annual_revenue,
    cast(p.budget as double) as budget, p.timeline, p.product_interest, p.region,
    p.budget_confirmed, p.is_decision_maker, cast(p.pain_point_count as double) as pain_point_count,
    coalesce(p.has_phone, false) as has_phone, coalesce(p.do_not_email, false) as do_not_email,
    coalesce(p.do_not_call, false) as do_not_call,
    least(date_diff('second', c.first_seen_at, c.cutoff_at) / 86400.0, {max_age}) as lead_age_days,
    {
        ", ".join(
            f"cast(coalesce(a.{n}, 0) as double) as {n}"
            for n in (
                "marketing_touches",
                "recent_touches",
                "web_visits",
                "pricing_page_views",
                "recent_pricing_page_views",
                "demo_requests",
                "email_clicks",
                "email_opens",
                "content_engagements",
                "form_submissions",
                "meetings",
                "outbound_touches",
                "answered_outbound",
                "unanswered_emails",
                "unanswered_calls",
                "inbound_contacts",
            )
        )
    },
    a.days_since_last_touch,
    coalesce(s.status, 'New') as status,
    case coalesce(s.furthest_stage_rank, 1) {stage_names} else 'New' end as furthest_stage,
    cast(coalesce(s.status_changes, 0) as double) as status_changes,
    date_diff('second', coalesce(s.status_at, c.first_seen_at), c.cutoff_at) / 86400.0 as days_in_status,
    cast(sc.rule_score as double) as rule_score,{attribute_selected}
    coalesce(s.status, 'New') in ({_sql_list(CLOSED_STATUSES)}) as closed_at_cutoff,
    w.won_at,
    cast(cur.score as double) as current_rule_score
from cutoffs c
left join captured p on p.lead_id = c.lead_id and p.cutoff_at = c.cutoff_at
left join activities a on a.lead_id = c.lead_id and a.cutoff_at = c.cutoff_at
left join statuses s on s.lead_id = c.lead_id and s.cutoff_at = c.cutoff_at
left join scores sc on sc.lead_id = c.lead_id and sc.cutoff_at = c.cutoff_at
left join wins w on w.lead_id = c.lead_id
left join {tables.rule_scores} cur on cur.lead_id = c.lead_id
"""


def _statuses(tables: WarehouseTables, more: str = "") -> str:
    """Each ``cutoffs`` row's status at its cutoff (the latest change at or before it), and
    ``more`` aggregates of those changes: one definition for the features and for which training
    rows are open (``training_set``)."""
    return f"""
    select
        c.lead_id, c.cutoff_at,
        arg_max(s.status, s.changed_at) as status{"," if more else ""}{more}
    from cutoffs c
    join {tables.status_changes} s on s.lead_id = c.lead_id
    where s.changed_at <= c.cutoff_at
    group by c.lead_id, c.cutoff_at"""


def _wins(tables: WarehouseTables) -> str:
    """Each lead's first win."""
    return f"""
    select lead_id, min(changed_at) as won_at
    from {tables.status_changes}
    where status = '{WON_STATUS}'
    group by lead_id"""


def _first_seen(tables: WarehouseTables) -> str:
    return f"""
        select lead_id, min(created_at) as first_seen_at
        from {tables.records}
        where created_at is not null
        group by lead_id"""


def _cutoffs(
    as_of: datetime,
    config: ModelConfig,
    tables: WarehouseTables,
    cutoff_days: list[int] | None = None,
    unlabelled_only: bool = False,
) -> str:
    """Each lead at each cutoff age reached by ``as_of``: ``(lead_id, first_seen_at, cutoff_days,
    cutoff_at)``."""
    horizon = config.training_set.horizon_days
    days = ", ".join(f"({d})" for d in (cutoff_days or config.training_set.cutoff_days))
    as_of_sql = _timestamp(as_of)
    running = (
        f"and f.first_seen_at + to_days(d.cutoff_days + {horizon}) > {as_of_sql}" if unlabelled_only else ""
    )
    return f"""
        select f.lead_id, f.first_seen_at, d.cutoff_days,
               f.first_seen_at + to_days(d.cutoff_days) as cutoff_at
        from ({_first_seen(tables)}) f
        cross join (values {days}) as d(cutoff_days)
        where f.first_seen_at + to_days(d.cutoff_days) <= {as_of_sql} {running}"""


def _timestamp(moment: datetime) -> str:
    return f"timestamp '{moment:%Y-%m-%d %H:%M:%S}'"


def _labelled(as_of: datetime, config: ModelConfig) -> str:
    """``horizon_end`` and ``label`` of a row with ``cutoff_at`` and ``won_at``."""
    horizon = config.training_set.horizon_days
    as_of_sql = _timestamp(as_of)
    return f"""
            cutoff_at + to_days({horizon}) as horizon_end,
            case
                when cutoff_at + to_days({horizon}) > {as_of_sql} then null
                when won_at > cutoff_at and won_at <= cutoff_at + to_days({horizon}) then 1
                else 0
            end as label"""


def training_examples(
    conn: duckdb.DuckDBPyConnection,
    as_of: datetime,
    config: ModelConfig,
    tables: WarehouseTables = WAREHOUSE,
    *,
    cutoff_days: list[int] | None = None,
    unlabelled_only: bool = False,
) -> pl.DataFrame:
    """One row per lead and cutoff age at which the lead was open, the cutoff at or before
    ``as_of``: its features, ``label`` (1 won within the horizon after the cutoff, 0 not, null
    while the horizon has not elapsed by ``as_of``) and ``horizon_end``. ``cutoff_days`` (default:
    the config's) and ``unlabelled_only`` (the rows whose horizon is still running) narrow it to
    what drift monitoring compares."""
    cutoffs = _cutoffs(as_of, config, tables, cutoff_days, unlabelled_only)
    query = f"""
        select *,{_labelled(as_of, config)}
        from ({feature_query(cutoffs, as_of, config, tables)})
        where not closed_at_cutoff
        order by first_seen_at, lead_id, cutoff_days"""
    return conn.sql(query).pl()


@dataclass(frozen=True)
class TrainingSetSize:
    """The whole training set's size, of which the training reads the newest labelled rows."""

    labelled_rows: int
    unlabelled_rows: int  # horizon still running at as_of
    labelled_leads: int
    converted_leads: int

    @classmethod
    def of(cls, examples: pl.DataFrame) -> TrainingSetSize:
        """The size of ``examples`` (rows with ``lead_id`` and ``label``)."""
        labelled = examples.filter(pl.col("label").is_not_null())
        return cls(
            labelled_rows=labelled.height,
            unlabelled_rows=examples.height - labelled.height,
            labelled_leads=labelled["lead_id"].n_unique(),
            converted_leads=labelled.filter(pl.col("label") == 1)["lead_id"].n_unique(),
        )


def newest_labelled(examples: pl.DataFrame, cap: int) -> pl.DataFrame:
    """The labelled rows of ``examples`` the training keeps: the newest ``cap`` by first capture,
    then lead id and cutoff."""
    labelled = examples.filter(pl.col("label").is_not_null())
    if labelled.height <= cap:
        return labelled
    return labelled.sort("first_seen_at", "lead_id", "cutoff_days").tail(cap)


def training_set(
    conn: duckdb.DuckDBPyConnection,
    as_of: datetime,
    config: ModelConfig,
    tables: WarehouseTables = WAREHOUSE,
) -> tuple[pl.DataFrame, TrainingSetSize]:
    """The labelled rows of ``training_examples`` the training keeps (the newest
    ``max_training_rows`` by first capture, then lead id and cutoff), and the size of the whole set.

    Which rows are kept needs only each row's status at its cutoff and the lead's win, so that is
    found first and every feature is computed for the kept rows alone: at 1,000,000 leads 600,000
    of 1,994,667 rows (docs/performance.md). The rows are those ``training_examples`` gives."""
    keys = conn.sql(
        f"""
        with cutoffs as ({_cutoffs(as_of, config, tables)}),
        statuses as ({_statuses(tables)}),
        wins as ({_wins(tables)}),
        open_rows as (
            select c.lead_id, c.first_seen_at, c.cutoff_days, c.cutoff_at, w.won_at
            from cutoffs c
            left join statuses s on s.lead_id = c.lead_id and s.cutoff_at = c.cutoff_at
            left join wins w on w.lead_id = c.lead_id
            where coalesce(s.status, 'New') not in ({_sql_list(CLOSED_STATUSES)})
        )
        select lead_id, first_seen_at, cutoff_days, cutoff_at,{_labelled(as_of, config)}
        from open_rows"""
    ).pl()
    kept = newest_labelled(keys, config.training_set.max_training_rows)
    conn.register(
        "_leadhouse_training_keys", kept.select("lead_id", "first_seen_at", "cutoff_days", "cutoff_at")
    )
    try:
        # No second `not closed_at_cutoff`: the rows are the ones chosen above, whatever a tie of
        # two status changes at the same moment makes arg_max pick this time.
        examples = conn.sql(
            f"""
            select *,{_labelled(as_of, config)}
            from ({feature_query("select * from _leadhouse_training_keys", as_of, config, tables)})
            order by first_seen_at, lead_id, cutoff_days"""
        ).pl()
    finally:
        conn.unregister("_leadhouse_training_keys")
    return examples, TrainingSetSize.of(keys)


def scoring_rows(
    conn: duckdb.DuckDBPyConnection,
    as_of: datetime,
    config: ModelConfig,
    tables: WarehouseTables = WAREHOUSE,
) -> pl.DataFrame:
    """Every lead open at ``as_of`` (first captured by then, not deleted in its sources), with its
    features as of ``as_of``. The closed leads are left out before any feature is computed (most
    leads of a mature warehouse are closed); so are the deleted ones (every record deleted in its
    source, ``is_deleted``: a lead the CRM deleted is nobody's work)."""
    as_of_sql = _timestamp(as_of)
    cutoffs = f"""
        select f.lead_id, f.first_seen_at, cast(null as integer) as cutoff_days, {as_of_sql} as cutoff_at
        from ({_first_seen(tables)}) f
        anti join (
            select lead_id
            from {tables.status_changes}
            where changed_at <= {as_of_sql}
            group by lead_id
            having arg_max(status, changed_at) in ({_sql_list(CLOSED_STATUSES)})
        ) closed on closed.lead_id = f.lead_id
        anti join (
            select lead_id
            from {tables.records}
            group by lead_id
            having bool_and(coalesce(is_deleted, false))
        ) deleted on deleted.lead_id = f.lead_id
        where f.first_seen_at <= {as_of_sql}"""
    query = f"""
        select * from ({feature_query(cutoffs, as_of, config, tables)})
        where not closed_at_cutoff
        order by lead_id"""
    return conn.sql(query).pl()
