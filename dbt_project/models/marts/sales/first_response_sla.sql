{#
    Every lead first seen by as_of: how long the team took to answer it first, against the SLA of
    its first channel (follow_up.first_response_sla: web_form 1 hour, ...). The first response is
    the team's first touch at or after first_seen_at (int_sales_activities_classified: an outbound
    activity, the answer to an inbound one, a meeting). Exactly at the SLA counts as met.
    sla_status: met, missed (answered late), waiting (unanswered, still inside the SLA) or
    unanswered (past the SLA without an answer).
#}
{%- set sla = var('sales').follow_up.first_response_sla -%}

with

leads as (
    select
        leads.lead_id,
        leads.first_channel,
        leads.first_seen_at,
        lead_agents.agent_id,
        case
            {%- for channel, seconds in sla.channels %}
            when leads.first_channel = '{{ channel }}' then {{ seconds }}
            {%- endfor %}
            else {{ sla.default_seconds }}
        end as sla_seconds
    from {{ ref('int_sales_leads_joined') }} as leads
    inner join {{ ref('int_sales_lead_agents') }} as lead_agents
        on leads.lead_id = lead_agents.lead_id
),

-- The team's touches at or after the lead was first seen.
touches as (
    select
        touches.lead_id,
        touches.team_touch_at,
        touches.activity_id,
        touches.activity_type,
        touches.direction
    from {{ ref('int_sales_activities_classified') }} as touches
    inner join leads
        on touches.lead_id = leads.lead_id
    where touches.team_touch_at >= leads.first_seen_at
),

-- The first touch's time (an aggregate, then the ties at that time ranked: sorting every touch
-- of every lead took 10 s of CPU at 1,000,000 leads).
first_touch_times as (
    select
        lead_id,
        min(team_touch_at) as first_response_at
    from touches
    group by lead_id
),

first_touches as (
    select
        touches.lead_id,
        touches.team_touch_at,
        touches.activity_type,
        touches.direction,
        row_number() over (partition by touches.lead_id order by touches.activity_id asc) as tie_order
    from touches
    inner join first_touch_times
        on touches.lead_id = first_touch_times.lead_id
        and touches.team_touch_at = first_touch_times.first_response_at
),

responses as (
    select
        leads.*,
        first_touches.team_touch_at as first_response_at,
        first_touches.activity_type as first_response_activity_type,
        first_touches.direction as first_response_direction,
        {{ seconds_between('leads.first_seen_at', 'first_touches.team_touch_at') }} as response_seconds,
        {{ seconds_between('leads.first_seen_at', as_of()) }} as seconds_since_first_seen
    from leads
    left join first_touches
        on leads.lead_id = first_touches.lead_id
        and first_touches.tie_order = 1
)

select
    lead_id,
    agent_id,
    first_channel,
    first_seen_at,
    first_response_at,
    first_response_activity_type,
    first_response_direction,
    cast(response_seconds as double) as response_seconds,
    cast(sla_seconds as bigint) as sla_seconds,
    case
        when response_seconds <= sla_seconds then 'met'
        when response_seconds is not null then 'missed'
        when seconds_since_first_seen <= sla_seconds then 'waiting'
        else 'unanswered'
    end as sla_status,
    case
        when response_seconds is not null then response_seconds <= sla_seconds
        when seconds_since_first_seen > sla_seconds then false
    end as is_sla_met,
    {{ as_of() }} as queued_as_of
from responses
