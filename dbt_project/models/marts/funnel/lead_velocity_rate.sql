{#
    Lead velocity rate per month and segment, as of as_of (docs/funnels.md): the leads that
    qualified in the month (their first entry into a qualified stage), the month before, and the
    growth between them: (this month - last month) / last month. Months without a qualification
    in a segment have no row; a segment's first month has no growth.
#}

with

segmented as (
    {{ funnel_segmented(ref('int_funnel_leads'), ['lead_id', 'qualified_at']) }}
),

monthly as (
    select
        {{ period_start('month', 'qualified_at') }} as month_start,
        segment_type,
        segment_value,
        count(*) as qualified_leads
    from segmented
    where qualified_at is not null
    group by 1, 2, 3
),

with_previous as (
    select
        monthly.month_start,
        monthly.segment_type,
        monthly.segment_value,
        monthly.qualified_leads,
        previous.qualified_leads as previous_month_qualified_leads
    from monthly
    left join monthly as previous
        on monthly.segment_type = previous.segment_type
        and monthly.segment_value = previous.segment_value
        and previous.month_start = cast({{ dbt.dateadd('month', -1, 'monthly.month_start') }} as date)
)

select
    month_start,
    segment_type,
    segment_value,
    cast(qualified_leads as bigint) as qualified_leads,
    cast(coalesce(previous_month_qualified_leads, 0) as bigint) as previous_month_qualified_leads,
    case
        when previous_month_qualified_leads > 0
            then cast(qualified_leads - previous_month_qualified_leads as double) / previous_month_qualified_leads
    end as lead_velocity_rate,
    {{ as_of() }} as as_of
from with_previous
