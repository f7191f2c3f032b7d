{#
    Open pipeline by stage as of as_of (marts.fct_open_pipeline): open leads, the amount, the
    stage probability and the weighted pipeline (amount x probability), docs/funnels.md.
#}

select
    stage,
    max(stage_probability) as stage_probability,
    cast(count(*) as bigint) as open_leads,
    cast(count(amount) as bigint) as leads_with_amount,
    cast(count(case when amount_source = 'deal' then 1 end) as bigint) as leads_with_deal_amount,
    cast(coalesce(sum(amount), 0) as double) as pipeline_amount,
    cast(coalesce(sum(weighted_amount), 0) as double) as weighted_pipeline,
    cast(percentile_cont(0.5) within group (order by days_in_stage) as double) as median_days_in_stage,
    max(as_of) as as_of
from {{ ref('fct_open_pipeline') }}
group by stage
