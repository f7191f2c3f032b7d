{#
    Revenue forecast for the next 30, 60 and 90 days (analytics.forecast_horizons_days) as of
    as_of, from the open deals' stage probabilities (marts.fct_open_pipeline): per horizon and
    stage, the deals expected to close within it (expected_close_at from as_of to horizon days
    after it), their amount and the forecast (amount x stage probability). stage 'all' is the
    horizon's total; horizons are cumulative (60 days includes the first 30). Deals past their
    expected close date (slipped) are not forecast; slipped_deals and slipped_weighted_amount say
    how many and how much, the same for every horizon. docs/funnels.md.
#}

with

horizons as (
    {%- for days in var('analytics').forecast_horizons_days %}
    select {{ days }} as horizon_days{{ ' union all' if not loop.last }}
    {%- endfor %}
),

expected as (
    select
        horizons.horizon_days,
        pipeline.stage,
        pipeline.amount,
        pipeline.weighted_amount
    from {{ ref('fct_open_pipeline') }} as pipeline
    inner join horizons
        on pipeline.expected_close_at >= {{ as_of() }}
        and pipeline.expected_close_at <= {{ timestamp_plus_seconds(as_of(), 'horizons.horizon_days * 86400') }}
),

slipped as (
    select stage, count(*) as slipped_deals, sum(weighted_amount) as slipped_weighted_amount
    from {{ ref('fct_open_pipeline') }}
    where is_past_expected_close
    group by stage
    union all
    select 'all' as stage, count(*) as slipped_deals, sum(weighted_amount) as slipped_weighted_amount
    from {{ ref('fct_open_pipeline') }}
    where is_past_expected_close
),

by_stage as (
    select horizon_days, stage, count(*) as deals, sum(amount) as pipeline_amount, sum(weighted_amount) as forecast_revenue
    from expected
    group by horizon_days, stage
    union all
    select horizon_days, 'all' as stage, count(*) as deals, sum(amount) as pipeline_amount, sum(weighted_amount) as forecast_revenue
    from expected
    group by horizon_days
)

select
    horizons.horizon_days,
    stages.stage,
    cast(coalesce(by_stage.deals, 0) as bigint) as deals,
    cast(coalesce(by_stage.pipeline_amount, 0) as double) as pipeline_amount,
    cast(coalesce(by_stage.forecast_revenue, 0) as double) as forecast_revenue,
    cast(coalesce(slipped.slipped_deals, 0) as bigint) as slipped_deals,
    cast(coalesce(slipped.slipped_weighted_amount, 0) as double) as slipped_weighted_amount,
    {{ as_of() }} as as_of
from horizons
cross join (
    select distinct stage from {{ ref('fct_open_pipeline') }}
    union all
    select 'all' as stage
) as stages
left join by_stage
    on horizons.horizon_days = by_stage.horizon_days
    and stages.stage = by_stage.stage
left join slipped
    on stages.stage = slipped.stage
