{#
    Cohorts as of as_of (docs/funnels.md): leads by the month they were created x weeks since
    creation (0 .. analytics.cohort_weeks) -> the share of the cohort won within that many weeks
    (a win on day d counts from week floor(d / 7)). is_complete: every lead of the cohort has been
    around that long by as_of, so the figure can still only grow where it is false.
#}
{%- set weeks = var('analytics').cohort_weeks -%}

with

leads as (
    select
        {{ period_start('month', 'created_at') }} as cohort_month,
        created_at,
        days_to_conversion
    from {{ ref('int_funnel_leads') }}
),

cohorts as (
    select cohort_month, count(*) as cohort_leads, max(created_at) as last_created_at
    from leads
    group by cohort_month
),

weeks as (
    {%- for week in range(weeks + 1) %}
    select {{ week }} as weeks_since_creation{{ ' union all' if not loop.last }}
    {%- endfor %}
),

conversion_weeks as (
    select
        cohort_month,
        floor(days_to_conversion / 7) as conversion_week,
        count(*) as won_leads
    from leads
    where days_to_conversion is not null
    group by cohort_month, floor(days_to_conversion / 7)
),

conversions as (
    select
        cohorts.cohort_month,
        weeks.weeks_since_creation,
        coalesce(sum(case when conversion_weeks.conversion_week <= weeks.weeks_since_creation then conversion_weeks.won_leads end), 0) as converted_leads
    from cohorts
    cross join weeks
    left join conversion_weeks
        on cohorts.cohort_month = conversion_weeks.cohort_month
    group by cohorts.cohort_month, weeks.weeks_since_creation
)

select
    conversions.cohort_month,
    conversions.weeks_since_creation,
    cast(cohorts.cohort_leads as bigint) as cohort_leads,
    cast(conversions.converted_leads as bigint) as converted_leads,
    cast(conversions.converted_leads as double) / cohorts.cohort_leads as cumulative_conversion_rate,
    {{ timestamp_plus_seconds('cohorts.last_created_at', '7 * 86400 * (conversions.weeks_since_creation + 1)') }} <= {{ as_of() }} as is_complete,
    {{ as_of() }} as as_of
from conversions
inner join cohorts
    on conversions.cohort_month = cohorts.cohort_month
