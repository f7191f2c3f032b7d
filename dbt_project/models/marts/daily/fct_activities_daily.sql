{#
    Activities per day: a time series analysts and BI chart without scanning every activity. Day
    partitioned (one Dagster partition a UTC day): a run builds the days of its window only, and
    a backfill of a range twice gives the same rows (macros/cross_engine/partition_window.sql).
#}
{{ config(
    materialized=incremental_or_table(),
    incremental_strategy='append',
    on_schema_change='fail',
    tags=['daily_partitioned'],
    pre_hook="{{ clear_partition_window('activity_date') }}",
) }}

select
    cast(occurred_at as date) as activity_date,
    activity_type,
    direction,
    source,
    count(*) as activity_count,
    count(distinct lead_id) as lead_count,
    count(*) - count(lead_id) as unmatched_activity_count,
    cast(sum(duration_seconds) as {{ dbt.type_bigint() }}) as duration_seconds
from {{ ref('fct_lead_activities') }}
where occurred_at is not null
    and {{ in_partition_window('occurred_at') }}
group by
    cast(occurred_at as date),
    activity_type,
    direction,
    source
