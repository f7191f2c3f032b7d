{# The open follow-up tasks due before as_of, the longest overdue first per agent. #}

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
    cast(-minutes_until_due / 60.0 as double) as hours_overdue,
    -- bigint, as its contract says (row_number is an int on Spark)
    cast(row_number() over (
        partition by agent_id
        order by due_at asc, task_id asc
    ) as bigint) as overdue_rank,
    current_status,
    score,
    grade,
    priority,
    queued_as_of
from {{ ref('follow_up_tasks') }}
where due_status = 'overdue'
