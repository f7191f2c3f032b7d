{#
    Agent performance per period (day, week, month: analytics.period_grains) and agent, as of
    as_of (docs/funnels.md). Leads count for their owner agent in the period they were assigned
    to them (their first change by that agent; the creation when there is none):
    - leads assigned, contacted (a first response by the team: marts.first_response_sla), the
      contact rate, the median hours to that first response, converted (won by as_of) and the
      conversion rate;
    - deals won and revenue in the period of the win;
    - overdue follow-ups: open tasks of the agent (marts.follow_up_overdue) due in the period.
#}
{%- set grains = var('analytics').period_grains -%}

with

assigned as (
    select
        funnel_leads.lead_id,
        funnel_leads.agent_id,
        coalesce(sales_leads.assigned_at, funnel_leads.created_at) as assigned_at,
        funnel_leads.won_at,
        funnel_leads.won_amount,
        sla.first_response_at,
        sla.response_seconds
    from {{ ref('int_funnel_leads') }} as funnel_leads
    left join {{ ref('int_sales_leads_joined') }} as sales_leads
        on funnel_leads.lead_id = sales_leads.lead_id
    left join {{ ref('first_response_sla') }} as sla
        on funnel_leads.lead_id = sla.lead_id
    where funnel_leads.agent_id is not null
),

overdue as (
    select agent_id, due_at
    from {{ ref('follow_up_overdue') }}
    where agent_id is not null
),

events as (
    {%- for grain in grains %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'assigned_at') }} as period_start,
        agent_id,
        1 as assigned,
        case when first_response_at is not null then 1 else 0 end as contacted,
        response_seconds,
        case when won_at is not null then 1 else 0 end as converted,
        0 as won,
        cast(null as double) as won_amount,
        0 as overdue
    from assigned
    union all
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'won_at') }} as period_start,
        agent_id,
        0 as assigned,
        0 as contacted,
        cast(null as double) as response_seconds,
        0 as converted,
        1 as won,
        won_amount,
        0 as overdue
    from assigned
    where won_at is not null
    union all
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'due_at') }} as period_start,
        agent_id,
        0 as assigned,
        0 as contacted,
        cast(null as double) as response_seconds,
        0 as converted,
        0 as won,
        cast(null as double) as won_amount,
        1 as overdue
    from overdue
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

measured as (
    select
        period_grain,
        period_start,
        agent_id,
        sum(assigned) as leads_assigned,
        sum(contacted) as contacted_leads,
        percentile_cont(0.5) within group (order by response_seconds) as median_first_response_seconds,
        sum(converted) as converted_leads,
        sum(won) as deals_won,
        sum(won_amount) as revenue_won,
        sum(overdue) as overdue_follow_ups
    from events
    group by period_grain, period_start, agent_id
)

select
    measured.period_grain,
    measured.period_start,
    measured.agent_id,
    agents.agent_name,
    cast(measured.leads_assigned as bigint) as leads_assigned,
    cast(measured.contacted_leads as bigint) as contacted_leads,
    case when measured.leads_assigned > 0 then cast(measured.contacted_leads as double) / measured.leads_assigned end as contact_rate,
    cast(measured.median_first_response_seconds / 3600.0 as double) as median_first_response_hours,
    cast(measured.converted_leads as bigint) as converted_leads,
    case when measured.leads_assigned > 0 then cast(measured.converted_leads as double) / measured.leads_assigned end as conversion_rate,
    cast(measured.deals_won as bigint) as deals_won,
    cast(coalesce(measured.revenue_won, 0) as double) as revenue_won,
    cast(measured.overdue_follow_ups as bigint) as overdue_follow_ups,
    {{ as_of() }} as as_of
from measured
left join {{ ref('dim_agents') }} as agents
    on measured.agent_id = agents.agent_id
