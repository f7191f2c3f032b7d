{#
    Pipeline velocity per segment as of as_of (docs/funnels.md): qualified opportunities (open
    leads that reached a qualified stage) x average deal size (of the won deals) x win rate (won /
    closed opportunities: leads that qualified and were won or lost) / median sales cycle (days
    from creation to the win): the revenue the pipeline is expected to bring in per day.
#}

with

leads as (
    select
        funnel_leads.*,
        pipeline.lead_id is not null as is_open
    from {{ ref('int_funnel_leads') }} as funnel_leads
    left join {{ ref('fct_open_pipeline') }} as pipeline
        on funnel_leads.lead_id = pipeline.lead_id
),

segmented as (
    {{ funnel_segmented('leads', ['lead_id', 'is_open', 'qualified_at', 'won_at', 'won_amount', 'lost_at', 'days_to_conversion']) }}
),

measured as (
    select
        segment_type,
        segment_value,
        count(case when is_open and qualified_at is not null then 1 end) as qualified_opportunities,
        count(won_at) as won_deals,
        count(case when qualified_at is not null and (won_at is not null or lost_at is not null) then 1 end) as closed_opportunities,
        avg(won_amount) as average_deal_size,
        percentile_cont(0.5) within group (order by days_to_conversion) as median_cycle_days
    from segmented
    group by segment_type, segment_value
)

select
    segment_type,
    segment_value,
    cast(qualified_opportunities as bigint) as qualified_opportunities,
    cast(won_deals as bigint) as won_deals,
    cast(closed_opportunities as bigint) as closed_opportunities,
    case when closed_opportunities > 0 then cast(won_deals as double) / closed_opportunities end as win_rate,
    cast(average_deal_size as double) as average_deal_size,
    cast(median_cycle_days as double) as median_cycle_days,
    case
        when closed_opportunities > 0 and median_cycle_days > 0
            then qualified_opportunities * average_deal_size * (cast(won_deals as double) / closed_opportunities) / median_cycle_days
    end as velocity_per_day,
    {{ as_of() }} as as_of
from measured
