{#
    The funnel per period (of the leads' creation: day, week, month) and segment, as of as_of
    (docs/funnels.md): per step of analytics.funnel_steps, the leads that reached it in order
    (int_funnel_leads: a step counts only if it happened at or after the previous one, so a lead
    that skipped a step stops at the step before), their share of the first step's leads and of
    the previous step's.
#}
{%- set analytics = var('analytics') -%}
{%- set steps = analytics.funnel_steps -%}

with

segmented as (
    {{ funnel_segmented(ref('int_funnel_leads'), ['lead_id', 'created_at'] + funnel_step_columns(steps | length)) }}
),

daily as (
    -- The day's counts once per lead and segment; weeks and months from them (rolled_up_from_days).
    select
        {{ period_start('day', 'created_at') }} as day_start,
        segment_type,
        segment_value,
        {%- for step in steps %}
        count(step_{{ loop.index }}_at) as step_{{ loop.index }}_leads{{ ',' if not loop.last }}
        {%- endfor %}
    from segmented
    group by 1, 2, 3
),

counted as (
    {{ rolled_up_from_days('daily', funnel_step_columns(steps | length) | map('replace', '_at', '_leads') | list) }}
),

steps as (
    {%- for step in steps %}
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        {{ loop.index }} as step_number,
        '{{ step }}' as step,
        step_{{ loop.index }}_leads as leads_reached,
        step_1_leads as first_step_leads,
        step_{{ loop.index0 if not loop.first else 1 }}_leads as previous_step_leads
    from counted
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    period_grain,
    period_start,
    segment_type,
    segment_value,
    step_number,
    step,
    cast(leads_reached as bigint) as leads_reached,
    case when first_step_leads > 0 then cast(leads_reached as double) / first_step_leads end as conversion_from_first_step,
    case when previous_step_leads > 0 then cast(leads_reached as double) / previous_step_leads end as conversion_from_previous_step,
    {{ as_of() }} as as_of
from steps
