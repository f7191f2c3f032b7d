{#
    Conversion metrics per period (day, week, month: analytics.period_grains) and segment
    (analytics.segments, and 'all'), as of as_of (docs/funnels.md). Two kinds of figures:

    - Of the leads created in the period (a cohort): leads, qualified, converted (won by as_of),
      conversion rate, median and 90th percentile days from creation to the win. A lead created in
      March and won in May counts in March's conversion rate.
    - Of the deals closed in the period: deals won, revenue won, average deal size, deals lost,
      win rate by count (won / (won + lost)) and by amount (won amount / (won + lost amount)).
      The same lead's win counts in May's revenue.
#}

with

segmented as (
    {{ funnel_segmented(ref('int_funnel_leads'),
        ['lead_id', 'created_at', 'qualified_at', 'won_at', 'won_amount', 'lost_at', 'lost_amount', 'days_to_conversion']) }}
),

daily as (
    -- The day's counts once per lead and segment; weeks and months from them (rolled_up_from_days).
    select
        {{ period_start('day', 'created_at') }} as day_start,
        segment_type,
        segment_value,
        count(*) as leads,
        count(qualified_at) as qualified_leads,
        count(won_at) as converted_leads
    from segmented
    group by 1, 2, 3
),

converted as (
    select created_at, segment_type, segment_value, days_to_conversion
    from segmented
    where days_to_conversion is not null
),

created as (
    {{ rolled_up_from_days('daily', ['leads', 'qualified_leads', 'converted_leads']) }}
),

-- Percentiles do not add up: from the converted leads themselves, per period.
conversion_times as (
    {%- for grain in var('analytics').period_grains %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'created_at') }} as period_start,
        segment_type,
        segment_value,
        percentile_cont(0.5) within group (order by days_to_conversion) as median_days_to_conversion,
        percentile_cont(0.9) within group (order by days_to_conversion) as p90_days_to_conversion
    from converted
    group by 1, 2, 3, 4
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

closings as (
    select segment_type, segment_value, won_at as closed_at, 1 as is_won, won_amount as amount
    from segmented
    where won_at is not null
    union all
    select segment_type, segment_value, lost_at as closed_at, 0 as is_won, lost_amount as amount
    from segmented
    where lost_at is not null
),

closed as (
    {%- for grain in var('analytics').period_grains %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'closed_at') }} as period_start,
        segment_type,
        segment_value,
        sum(is_won) as deals_won,
        count(*) - sum(is_won) as deals_lost,
        sum(case when is_won = 1 then amount end) as revenue_won,
        sum(case when is_won = 0 then amount end) as amount_lost,
        count(case when is_won = 1 and amount is not null then 1 end) as won_deals_with_amount
    from closings
    group by 1, 2, 3, 4
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

joined as (
    select
        coalesce(created.period_grain, closed.period_grain) as period_grain,
        coalesce(created.period_start, closed.period_start) as period_start,
        coalesce(created.segment_type, closed.segment_type) as segment_type,
        coalesce(created.segment_value, closed.segment_value) as segment_value,
        coalesce(created.leads, 0) as leads,
        coalesce(created.qualified_leads, 0) as qualified_leads,
        coalesce(created.converted_leads, 0) as converted_leads,
        conversion_times.median_days_to_conversion,
        conversion_times.p90_days_to_conversion,
        coalesce(closed.deals_won, 0) as deals_won,
        coalesce(closed.deals_lost, 0) as deals_lost,
        coalesce(closed.revenue_won, 0) as revenue_won,
        coalesce(closed.amount_lost, 0) as amount_lost,
        closed.won_deals_with_amount
    from created
    full outer join closed
        on created.period_grain = closed.period_grain
        and created.period_start = closed.period_start
        and created.segment_type = closed.segment_type
        and created.segment_value = closed.segment_value
    left join conversion_times
        on created.period_grain = conversion_times.period_grain
        and created.period_start = conversion_times.period_start
        and created.segment_type = conversion_times.segment_type
        and created.segment_value = conversion_times.segment_value
)

select
    period_grain,
    period_start,
    segment_type,
    segment_value,
    cast(leads as bigint) as leads,
    cast(qualified_leads as bigint) as qualified_leads,
    cast(converted_leads as bigint) as converted_leads,
    case when leads > 0 then cast(converted_leads as double) / leads end as conversion_rate,
    case when leads > 0 then cast(qualified_leads as double) / leads end as qualification_rate,
    cast(median_days_to_conversion as double) as median_days_to_conversion,
    cast(p90_days_to_conversion as double) as p90_days_to_conversion,
    cast(deals_won as bigint) as deals_won,
    cast(revenue_won as double) as revenue_won,
    case when won_deals_with_amount > 0 then cast(revenue_won as double) / won_deals_with_amount end as average_deal_size,
    cast(deals_lost as bigint) as deals_lost,
    case when deals_won + deals_lost > 0 then cast(deals_won as double) / (deals_won + deals_lost) end as win_rate_by_count,
    case when revenue_won + amount_lost > 0 then cast(revenue_won as double) / (revenue_won + amount_lost) end as win_rate_by_amount,
    {{ as_of() }} as as_of
from joined
