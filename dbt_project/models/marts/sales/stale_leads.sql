{#
    Open leads with no activity and no status change for follow_up.stale_after_days (7) days
    before as_of: their last touch (the latest activity, status change or, for a lead never
    touched, its first_seen_at) is at least that long ago. Exactly 7 days counts as stale.
#}
{%- set stale_after_days = var('sales').follow_up.stale_after_days -%}

with

leads as (
    select
        leads.*,
        lead_agents.agent_id,
        lead_agents.agent_source,
        greatest(
            coalesce(leads.last_activity_at, leads.first_seen_at),
            coalesce(leads.current_status_at, leads.first_seen_at),
            leads.first_seen_at
        ) as last_touch_at
    from {{ ref('int_sales_leads_joined') }} as leads
    inner join {{ ref('int_sales_lead_agents') }} as lead_agents
        on leads.lead_id = lead_agents.lead_id
    where not leads.is_closed
),

aged as (
    select
        *,
        {{ seconds_between('last_touch_at', as_of()) }} as seconds_without_activity
    from leads
)

select
    lead_id,
    agent_id,
    agent_source,
    current_status,
    current_status_at,
    last_activity_at,
    last_touch_at,
    cast(seconds_without_activity / 86400.0 as double) as days_without_activity,
    {{ stale_after_days }} as stale_after_days,
    score,
    grade,
    priority,
    {{ as_of() }} as queued_as_of
from aged
where seconds_without_activity >= {{ stale_after_days * 86400 }}
