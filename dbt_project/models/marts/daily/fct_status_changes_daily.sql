{#
    Status changes per day: the stage transitions as a time series (how many leads moved from
    each status to each other one that day, by agent). Day partitioned like fct_activities_daily.
#}
{{ config(
    materialized=incremental_or_table(),
    incremental_strategy='append',
    on_schema_change='fail',
    tags=['daily_partitioned'],
    pre_hook="{{ clear_partition_window('change_date') }}",
) }}

select
    cast(changed_at as date) as change_date,
    previous_status,
    status,
    agent_id,
    count(*) as change_count,
    count(distinct lead_id) as lead_count,
    sum(deal_amount) as deal_amount
from {{ ref('fct_lead_status_changes') }}
where changed_at is not null
    and {{ in_partition_window('changed_at') }}
group by
    cast(changed_at as date),
    previous_status,
    status,
    agent_id
