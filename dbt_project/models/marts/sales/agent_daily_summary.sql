{#
    One row per agent of dim_agents for the morning summary (the 08:00 job reads it): open tasks
    overdue and due today (from as_of to the next midnight, UTC), new leads (assigned within
    daily_summary.new_lead_minutes before as_of), leads routing recommends for them in this run,
    stale leads, and the top of their work queue.
#}
{%- set new_lead_minutes = var('sales').daily_summary.new_lead_minutes -%}
{%- set next_midnight = timestamp_plus_seconds('cast(' ~ dbt.date_trunc('day', as_of()) ~ ' as timestamp)', 86400) -%}

with

agents as (
    select *
    from {{ ref('dim_agents') }}
),

task_counts as (
    select
        agent_id,
        count(*) as open_task_count,
        count(case when due_status = 'overdue' then task_id end) as overdue_count,
        count(case when due_at >= {{ as_of() }} and due_at < {{ next_midnight }} then task_id end) as due_today_count
    from {{ ref('follow_up_tasks') }}
    where agent_id is not null
    group by agent_id
),

new_leads as (
    select
        owner_agent_id as agent_id,
        count(*) as new_lead_count
    from {{ ref('int_sales_leads_joined') }}
    where assigned_at > {{ timestamp_plus_seconds(as_of(), -60 * new_lead_minutes) }}
    group by owner_agent_id
),

routed_leads as (
    select
        recommended_agent_id as agent_id,
        count(*) as routed_lead_count
    from {{ ref('lead_routing') }}
    where recommended_agent_id is not null
    group by recommended_agent_id
),

stale_leads as (
    select
        agent_id,
        count(*) as stale_lead_count
    from {{ ref('stale_leads') }}
    where agent_id is not null
    group by agent_id
),

top_tasks as (
    select
        agent_id,
        lead_id as top_task_lead_id,
        task_name as top_task_name,
        expected_value as top_task_expected_value
    from {{ ref('sales_work_queue') }}
    where queue_rank = 1
        and agent_id is not null
)

select
    agents.agent_id,
    agents.agent_name,
    agents.is_active,
    coalesce(task_counts.overdue_count, 0) as overdue_count,
    coalesce(task_counts.due_today_count, 0) as due_today_count,
    coalesce(new_leads.new_lead_count, 0) as new_lead_count,
    coalesce(routed_leads.routed_lead_count, 0) as routed_lead_count,
    coalesce(stale_leads.stale_lead_count, 0) as stale_lead_count,
    coalesce(task_counts.open_task_count, 0) as open_task_count,
    agents.open_lead_count,
    agents.capacity,
    top_tasks.top_task_lead_id,
    top_tasks.top_task_name,
    top_tasks.top_task_expected_value,
    cast({{ as_of() }} as date) as summary_date,
    {{ as_of() }} as summary_as_of
from agents
left join task_counts
    on agents.agent_id = task_counts.agent_id
left join new_leads
    on agents.agent_id = new_leads.agent_id
left join routed_leads
    on agents.agent_id = routed_leads.agent_id
left join stale_leads
    on agents.agent_id = stale_leads.agent_id
left join top_tasks
    on agents.agent_id = top_tasks.agent_id
