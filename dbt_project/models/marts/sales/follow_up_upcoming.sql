{#
    The open follow-up tasks due from as_of up to and including the end of the longest upcoming
    window (follow_up.upcoming_windows: the next 30 minutes, the next day), each under the shortest
    window that holds it: the reminders.
#}
{%- set windows = var('sales').follow_up.upcoming_windows -%}

select
    task_id,
    lead_id,
    agent_id,
    agent_source,
    task_source,
    source_id,
    task,
    task_name,
    due_at,
    due_status as upcoming_window,
    minutes_until_due,
    current_status,
    score,
    grade,
    priority,
    queued_as_of
from {{ ref('follow_up_tasks') }}
where due_status in ({{ sql_string_list(windows | map('first') | list) }})
