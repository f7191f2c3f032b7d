{#
    Every marketing touch of every lead up to as_of (docs/funnels.md): each source record that
    brought the lead in (a form, an ad lead form, a call, an event, a referral, ... with its
    channel and campaign) and each of the lead's own inbound activities of a type
    analytics.attribution.activity_channels maps to a channel (email clicks, page views, webinars,
    ...; no campaign). The sales team's outbound activities are not touches. Journeys and
    attribution are built from these rows (for the leads first seen by as_of: int_funnel_leads).
#}
{%- set activity_channels = var('analytics').attribution.activity_channels -%}

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

touches as (
    select * from record_touches
    union all
    select * from activity_touches
),

numbered as (
    select
        touches.*,
        cast(row_number() over lead_touches as bigint) as touch_number,
        lag(touches.channel) over lead_touches as previous_channel
    from touches
    where touches.touch_at is not null
        and touches.lead_id is not null
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
    touch_id,
    lead_id,
    touch_at,
    touch_type,
    channel,
    campaign,
    source,
    source_record_id,
    touch_number,
    touch_number = 1
        or coalesce(channel <> previous_channel, channel is not null or previous_channel is not null) as is_new_channel
from numbered
