{#
    The activities scoring reads: each lead's events up to as_of and no older than the longest
    activity-rule window or trigger lookback, with their age and epoch second.
#}
{%- set scoring = var('scoring') -%}
{%- set spans = [1] + scoring.activity_rules | map(attribute='window_days') | list
    + scoring.triggers | map(attribute='lookback_days') | list -%}

with

activities as (
    select
        activity_id,
        lead_id,
        activity_type,
        occurred_at,
        detail,
        direction,
        {{ seconds_between('occurred_at', as_of()) }} as age_seconds
    from {{ ref('fct_lead_activities') }}
    where lead_id is not null
)

select
    activity_id,
    lead_id,
    activity_type,
    occurred_at,
    detail,
    direction,
    age_seconds,
    {{ epoch_seconds('occurred_at') }} as occurred_epoch
from activities
where age_seconds >= 0
    and age_seconds < {{ spans | max }} * 86400
