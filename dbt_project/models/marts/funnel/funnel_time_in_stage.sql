{#
    Time in stage per stage as of as_of (marts.fct_lead_stage_history): visits, those still open,
    re-entries, the median and 90th percentile of the hours spent in the stage by visits that left
    it, and the drop-offs: visits that left the stage for a lost end (a closed status other than
    the won one: leadhouse_closed_statuses, leadhouse_won_status), so the stage lost leads were
    last in.
#}
{%- set lost = var('leadhouse_closed_statuses') | reject('equalto', var('leadhouse_won_status')) | list -%}

with

visits as (
    select
        stage,
        stage_rank,
        lead_id,
        is_current,
        is_reentry,
        next_stage,
        case when not is_current then hours_in_stage end as completed_hours
    from {{ ref('fct_lead_stage_history') }}
)

select
    stage,
    stage_rank,
    count(*) as visit_count,
    count(distinct lead_id) as lead_count,
    count(case when is_current then 1 end) as open_visit_count,
    count(case when not is_current then 1 end) as completed_visit_count,
    count(case when is_reentry then 1 end) as reentry_count,
    cast(percentile_cont(0.5) within group (order by completed_hours) as double) as median_hours,
    cast(percentile_cont(0.9) within group (order by completed_hours) as double) as p90_hours,
    count(case when next_stage in ({{ sql_string_list(lost) }}) then 1 end) as drop_off_count,
    {{ as_of() }} as as_of
from visits
group by stage, stage_rank
