{#
    Every marketing touch of every lead up to as_of (docs/funnels.md): each source record that
    brought the lead in (a form, an ad lead form, a call, an event, a referral, ... with its
    channel and campaign) and each of the lead's own inbound activities of a type
    analytics.attribution.activity_channels maps to a channel (email clicks, page views, webinars,
    ...; no campaign). The sales team's outbound activities are not touches. Journeys and
    attribution are built from these rows (for the leads first seen by as_of: int_funnel_leads).

    Incremental on DuckDB (a table on Spark, incremental_or_table), by lead: every row carries its
    lead's `_inputs_fingerprint` (inputs_fingerprint of the lead's touches up to as_of, the
    model's code and the channel map). A run numbers again the touches of the leads whose
    fingerprint changed: new records and activities, merges and splits, and touches that a later
    as_of brings in (the fingerprint is of the touches up to as_of, so a run with a new as_of
    renumbers only the leads with a touch between the two). A lead with no touch any more gets a
    tombstone row (touch_id null) that replaces its rows and that the post-hook deletes.
    docs/warehouse.md, "The incremental event facts, dim_leads and fct_lead_touches".
#}
{{ config(
    materialized=incremental_or_table(),
    unique_key='lead_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ delete_tombstones(this, 'touch_id') }}",
) }}
{%- set activity_channels = var('analytics').attribution.activity_channels -%}
{%- set touch_columns = ['touch_id', 'touch_at', 'touch_type', 'channel', 'campaign', 'source', 'source_record_id'] -%}
{#- Evaluated once: incremental_table_outdated reads the table's columns and logs. #}
{%- set incremental = is_incremental() and not incremental_table_outdated() -%}

with

record_touches as (
    select
        records.lead_id,
        records.created_at as touch_at,
        'lead_record' as touch_type,
        records.channel,
        records.campaign,
        records.source,
        records.source_record_id,
        {{ dbt.concat(["'record:'", 'records.source', "':'", 'records.source_record_id']) }} as touch_id
    from {{ ref('int_lead_records_matched') }} as records
    where records.created_at <= {{ as_of() }}
),

activity_touches as (
    select
        activities.lead_id,
        activities.occurred_at as touch_at,
        'activity' as touch_type,
        case activities.activity_type
        {%- for activity_type, channel in activity_channels %}
            when '{{ activity_type }}' then '{{ channel }}'
        {%- endfor %}
        end as channel,
        cast(null as {{ dbt.type_string() }}) as campaign,
        activities.source,
        activities.source_record_id,
        {{ dbt.concat(["'activity:'", 'activities.activity_id']) }} as touch_id
    from {{ ref('fct_lead_activities') }} as activities
    where activities.activity_type in ({{ sql_string_list(activity_channels | map('first') | list) }})
        and (activities.direction is null or activities.direction = 'inbound')
        and activities.occurred_at <= {{ as_of() }}
),

all_touches as (
    select * from record_touches
    union all
    select * from activity_touches
),

valid_touches as (
    select *
    from all_touches
    where touch_at is not null
        and lead_id is not null
),

{% if incremental %}

{#- Every lead's fingerprint, as the final select computes it for the leads it numbers (there
    over the window it numbers them in: no join of every touch in a table build). #}
fingerprints as (
    select
        lead_id,
        {{ inputs_fingerprint([rows_fingerprint('valid_touches', touch_columns)], activity_channels | string) }}
            as _inputs_fingerprint
    from valid_touches
    group by lead_id
),

changed_leads as (
    {{ changed_groups('fingerprints', 'lead_id') }}
),

touches as (
    select *
    from valid_touches
    where lead_id in (select lead_id from changed_leads where not is_gone)
),

{% else %}

touches as (
    select *
    from valid_touches
),

{% endif %}

numbered as (
    select
        touches.*,
        cast(row_number() over lead_touches as bigint) as touch_number,
        lag(touches.channel) over lead_touches as previous_channel,
        -- Over the partition alone: with the order and a whole frame, DuckDB computed bit_xor
        -- frame by frame (48 s instead of 5 s at 1,000,000 leads).
        {{ rows_fingerprint('touches', touch_columns) }} over (partition by touches.lead_id) as touches_fingerprint
    from touches
    -- Same-time touches: a record before an activity, then by a hash of the id (the same on every
    -- engine; sorting 6,000,000 string ids took twice as long at 1,000,000 leads).
    window lead_touches as (
        partition by touches.lead_id
        order by
            touches.touch_at,
            case when touches.touch_type = 'lead_record' then 0 else 1 end,
            {{ string_hash64('touches.touch_id') }}
    )
)

select
    numbered.touch_id,
    numbered.lead_id,
    numbered.touch_at,
    numbered.touch_type,
    numbered.channel,
    numbered.campaign,
    numbered.source,
    numbered.source_record_id,
    numbered.touch_number,
    numbered.touch_number = 1
        or coalesce(
            numbered.channel <> numbered.previous_channel,
            numbered.channel is not null or numbered.previous_channel is not null
        ) as is_new_channel,
    {{ inputs_fingerprint(['numbered.touches_fingerprint'], activity_channels | string) }} as _inputs_fingerprint
from numbered
{%- if incremental %}

union all

{#- A lead that had touches and has none now: its tombstone (the post-hook deletes it). #}
select
    cast(null as {{ dbt.type_string() }}) as touch_id,
    lead_id,
    cast(null as {{ dbt.type_timestamp() }}) as touch_at,
    cast(null as {{ dbt.type_string() }}) as touch_type,
    cast(null as {{ dbt.type_string() }}) as channel,
    cast(null as {{ dbt.type_string() }}) as campaign,
    cast(null as {{ dbt.type_string() }}) as source,
    cast(null as {{ dbt.type_string() }}) as source_record_id,
    cast(null as {{ dbt.type_bigint() }}) as touch_number,
    cast(null as {{ dbt.type_boolean() }}) as is_new_channel,
    cast(null as {{ dbt.type_bigint() }}) as _inputs_fingerprint
from changed_leads
where is_gone
{%- endif %}
