{#
    Every open follow-up task as of as_of (int_follow_up_tasks_derived: the follow-up rules and the
    scoring triggers' tasks), with the agent who should do it (the lead's owner, else the agent
    routing recommends) and where it stands: overdue (due before as_of), in an upcoming window
    (due from as_of up to and including as_of + the window; the shortest window that holds it),
    or later.
#}
{%- set follow_up = var('sales').follow_up -%}

with

tasks as (
    select *
    from {{ ref('int_follow_up_tasks_derived') }}
),

leads as (
    select *
    from {{ ref('int_sales_leads_joined') }}
),

lead_agents as (
    select *
    from {{ ref('int_sales_lead_agents') }}
),

timed as (
    select
        tasks.*,
        {{ seconds_between(as_of(), 'tasks.due_at') }} as seconds_until_due
    from tasks
)

select
    timed.task_id,
    timed.lead_id,
    lead_agents.agent_id,
    lead_agents.agent_source,
    timed.task_source,
    timed.source_id,
    timed.task,
    timed.task_name,
    timed.anchor_at,
    timed.due_at,
    case
        when timed.seconds_until_due < 0 then 'overdue'
        {%- for name, minutes in follow_up.upcoming_windows %}
        when timed.seconds_until_due <= {{ minutes * 60 }} then '{{ name }}'
        {%- endfor %}
        else 'later'
    end as due_status,
    cast(timed.seconds_until_due / 60.0 as double) as minutes_until_due,
    timed.last_done_at,
    timed.is_recurring,
    leads.current_status,
    leads.score,
    leads.grade,
    leads.priority,
    {{ as_of() }} as queued_as_of
from timed
inner join leads
    on timed.lead_id = leads.lead_id
inner join lead_agents
    on timed.lead_id = lead_agents.lead_id
