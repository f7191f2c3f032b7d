{#
    Every marketing touch of every lead up to as_of (docs/funnels.md): each source record that
    brought the lead in (a form, an ad lead form, a call, an event, a referral, ... with its
    channel and campaign) and each of the lead's own inbound activities of a type
    analytics.attribution.activity_channels maps to a channel (email clicks, page views, webinars,
    ...; no campaign). The sales team's outbound activities are not touches. Journeys and
    attribution are built from these rows.
#}
{%- set activity_channels = var('analytics').attribution.activity_channels -%}

with

leads as (
    select lead_id from {{ ref('int_funnel_leads') }}
),

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
)

select
    touches.touch_id,
    touches.lead_id,
    touches.touch_at,
    touches.touch_type,
    touches.channel,
    touches.campaign,
    touches.source,
    touches.source_record_id,
    cast(row_number() over (
        partition by touches.lead_id
        order by touches.touch_at, touches.touch_type desc, touches.touch_id
    ) as bigint) as touch_number
from touches
inner join leads
    on touches.lead_id = leads.lead_id
where touches.touch_at is not null
