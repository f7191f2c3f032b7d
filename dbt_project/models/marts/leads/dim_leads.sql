{#
    One row per lead. Golden fields: the most recent non-null value of each field over the lead's
    records (by created_at, records without one last; ties by ingestion time, then source and id).
    The BANT answers (budget_confirmed, is_decision_maker, pain_points, purchase_timeline) are
    golden fields too: the latest answer a qualifying agent recorded.

    Incremental on DuckDB (a table on Spark, incremental_or_table). Each lead's row carries
    `_inputs_fingerprint` (macros/cross_engine/fingerprints.sql): a hash of every input column it
    is computed from (its records in int_lead_records_matched, its changes in
    fct_lead_status_changes), of this model's code and of the project vars it reads. A run
    computes the fingerprints of every lead (under 1 s at 1,000,000 leads), then the rows of the
    leads whose fingerprint is new or differs: new and changed records, new status changes,
    merges and splits (the records a lead gained or lost). The post-hook deletes the leads that
    have no record any more (merged away). Everything else stays as written. `tests/dbt/test_incremental_marts.py` proves the table equals a full
    rebuild's; `dbt build --full-refresh` rebuilds it (after a change to a macro it calls).
#}
{{ config(
    materialized=incremental_or_table(),
    unique_key='lead_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ delete_rows_missing_from(this, 'lead_id', ref('int_lead_records_matched')) }}",
) }}

{%- set golden_fields = [
    'first_name', 'last_name', 'email', 'phone', 'company', 'job_title', 'industry',
    'company_size', 'annual_revenue', 'budget', 'timeline', 'product_interest',
    'budget_confirmed', 'is_decision_maker', 'pain_points', 'purchase_timeline',
    'city', 'region', 'country', 'postal_code',
] -%}
{#- Every column this model reads, and nothing else: they are what the fingerprint covers. #}
{%- set record_columns = golden_fields + [
    'source', 'source_record_id', 'channel', 'campaign', 'created_at', '_ingested_at',
    'do_not_email', 'do_not_call', 'is_deleted', 'deleted_at',
] -%}
{%- set change_columns = ['status_change_id', 'status', 'changed_at', 'agent_id', 'deal_amount'] -%}
{%- set settings = var('leadhouse_won_status') ~ var('leadhouse_closed_statuses') | join(',') -%}

with

matched_records as (
    select
        lead_id,
        {{ record_columns | join(', ') }}
    from {{ ref('int_lead_records_matched') }}
),

all_status_changes as (
    select
        lead_id,
        {{ change_columns | join(', ') }}
    from {{ ref('fct_lead_status_changes') }}
    where lead_id is not null
),

{% if is_incremental() and not incremental_table_outdated() %}

{#- Every lead's fingerprint, as the final select computes it for the leads it writes (there
    from the lead's record summary and status history: no join of every lead in a table build). #}
record_fingerprints as (
    select
        lead_id,
        {{ rows_fingerprint('matched_records', record_columns) }} as records_fingerprint
    from matched_records
    group by lead_id
),

change_fingerprints as (
    select
        lead_id,
        {{ rows_fingerprint('all_status_changes', change_columns) }} as changes_fingerprint
    from all_status_changes
    group by lead_id
),

fingerprints as (
    select
        record_fingerprints.lead_id,
        {{ inputs_fingerprint(
            ['record_fingerprints.records_fingerprint', 'change_fingerprints.changes_fingerprint'], settings
        ) }} as _inputs_fingerprint
    from record_fingerprints
    left join change_fingerprints
        on record_fingerprints.lead_id = change_fingerprints.lead_id
),

{#- The leads whose inputs differ from those of the row this table holds, or that it lacks. #}
{#- (The leads gone, merged away, are the post-hook's to delete.) #}
changed_leads as (
    {{ changed_groups('fingerprints', 'lead_id') }}
),

lead_records as (
    select *
    from matched_records
    where lead_id in (select lead_id from changed_leads)
),

status_changes as (
    select *
    from all_status_changes
    where lead_id in (select lead_id from changed_leads)
),

{% else %}

lead_records as (
    select *
    from matched_records
),

status_changes as (
    select *
    from all_status_changes
),

{% endif %}

record_counts as (
    select
        lead_id,
        count(*) as record_count
    from lead_records
    group by lead_id
),

-- Most leads have one record: its values are the golden ones and its summary is itself, with no
-- window and no distinct aggregate over it (the windows over every record took 7.4 s of 11 s at
-- 1,000,000 leads; docs/performance.md).
single_records as (
    select lead_records.*
    from lead_records
    inner join record_counts
        on lead_records.lead_id = record_counts.lead_id
    where record_counts.record_count = 1
),

multiple_records as (
    select lead_records.*
    from lead_records
    inner join record_counts
        on lead_records.lead_id = record_counts.lead_id
    where record_counts.record_count > 1
),

golden_records as (
    select
        lead_id,
        {%- for field in golden_fields %}
        {{ field }},
        {%- endfor %}
        channel as first_channel,
        campaign as first_campaign,
        cast(1 as bigint) as record_recency_rank
    from single_records

    union all

    select
        lead_id,
        {%- for field in golden_fields %}
        {{ first_value_ignore_nulls(field) }} over newest_records_first as {{ field }},
        {%- endfor %}
        {{ first_value_ignore_nulls('channel') }} over oldest_records_first as first_channel,
        {{ first_value_ignore_nulls('campaign') }} over oldest_records_first as first_campaign,
        row_number() over newest_record_rank as record_recency_rank
    from multiple_records
    window
        newest_record_rank as (
            partition by lead_id
            order by created_at desc nulls last, _ingested_at desc nulls last, source asc, source_record_id asc
        ),
        newest_records_first as (
            partition by lead_id
            order by created_at desc nulls last, _ingested_at desc nulls last, source asc, source_record_id asc
            rows between unbounded preceding and unbounded following
        ),
        oldest_records_first as (
            partition by lead_id
            order by created_at asc nulls last, _ingested_at asc nulls last, source asc, source_record_id asc
            rows between unbounded preceding and unbounded following
        )
),

lead_record_summaries as (
    select
        lead_id,
        created_at as first_seen_at,
        created_at as last_seen_at,
        cast(1 as bigint) as source_record_count,
        cast(1 as bigint) as source_count,
        source as sources,
        coalesce(do_not_email, false) as do_not_email,
        coalesce(do_not_call, false) as do_not_call,
        coalesce(is_deleted, false) as is_deleted,
        deleted_at as last_deleted_at,
        {{ row_fingerprint('single_records', record_columns) }} as records_fingerprint
    from single_records

    union all

    select
        lead_id,
        min(created_at) as first_seen_at,
        max(created_at) as last_seen_at,
        count(*) as source_record_count,
        count(distinct source) as source_count,
        {{ sorted_distinct_string_agg('source', ',') }} as sources,
        coalesce({{ dbt.bool_or('do_not_email') }}, false) as do_not_email,
        coalesce({{ dbt.bool_or('do_not_call') }}, false) as do_not_call,
        -- Deleted: every record of the lead deleted in its source (one kept record keeps it).
        count(case when not coalesce(is_deleted, false) then 1 end) = 0 as is_deleted,
        max(deleted_at) as last_deleted_at,
        {{ rows_fingerprint('multiple_records', record_columns) }} as records_fingerprint
    from multiple_records
    group by lead_id
),

status_history as (
    select
        lead_id,
        status,
        changed_at,
        row_number() over newest_change_rank as change_recency_rank,
        {{ first_value_ignore_nulls('agent_id') }} over newest_changes_first as owner_agent_id,
        -- The deal amount known at this change: its own, else the latest one before it.
        {{ first_value_ignore_nulls('deal_amount') }} over this_and_older_changes as known_deal_amount,
        -- Over the partition alone (fct_lead_touches says why).
        {{ rows_fingerprint('status_changes', change_columns) }} over (partition by lead_id) as changes_fingerprint
    from status_changes
    window
        newest_change_rank as (
            partition by lead_id
            order by changed_at desc nulls last, status_change_id desc
        ),
        newest_changes_first as (
            partition by lead_id
            order by changed_at desc nulls last, status_change_id desc
            rows between unbounded preceding and unbounded following
        ),
        this_and_older_changes as (
            partition by lead_id
            order by changed_at desc nulls last, status_change_id desc
            rows between current row and unbounded following
        )
),

current_statuses as (
    select
        lead_id,
        status as current_status,
        changed_at as current_status_at,
        owner_agent_id,
        changes_fingerprint
    from status_history
    where change_recency_rank = 1
),

first_wins as (
    select
        lead_id,
        changed_at as won_at,
        known_deal_amount as won_amount,
        row_number() over (
            partition by lead_id
            order by changed_at asc nulls last, change_recency_rank desc
        ) as win_order
    from status_history
    where status in ({{ sql_string_list([var('leadhouse_won_status')]) }})
)

select
    golden_records.lead_id,
    {%- for field in golden_fields %}
    golden_records.{{ field }},
    {%- endfor %}
    golden_records.first_channel,
    golden_records.first_campaign,
    lead_record_summaries.first_seen_at,
    lead_record_summaries.last_seen_at,
    lead_record_summaries.source_record_count,
    lead_record_summaries.source_count,
    lead_record_summaries.sources,
    lead_record_summaries.do_not_email,
    lead_record_summaries.do_not_call,
    lead_record_summaries.is_deleted,
    case when lead_record_summaries.is_deleted then lead_record_summaries.last_deleted_at end as deleted_at,
    current_statuses.current_status,
    current_statuses.current_status_at,
    current_statuses.owner_agent_id,
    coalesce(
        current_statuses.current_status in ({{ sql_string_list(var('leadhouse_closed_statuses')) }}),
        false
    ) as is_closed,
    first_wins.won_at is not null as is_won,
    first_wins.won_amount,
    first_wins.won_at,
    {{ inputs_fingerprint(
        ['lead_record_summaries.records_fingerprint', 'current_statuses.changes_fingerprint'], settings
    ) }} as _inputs_fingerprint
from golden_records
inner join lead_record_summaries
    on golden_records.lead_id = lead_record_summaries.lead_id
left join current_statuses
    on golden_records.lead_id = current_statuses.lead_id
left join first_wins
    on golden_records.lead_id = first_wins.lead_id
    and first_wins.win_order = 1
where golden_records.record_recency_rank = 1
