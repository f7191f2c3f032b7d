{#
    Source and campaign ROI per period (day, week, month) and campaign, as of as_of
    (docs/funnels.md). Spend is what the ad platforms billed in the period (marts.fct_ad_spend_daily);
    the leads are those created in the period whose first campaign it is, with how many of them
    qualified and were won by as_of and their won revenue (a cohort, as in conversion_metrics).
    A campaign without spend (organic, events, call lists) has spend 0, so its costs per lead are
    0 and its return on ad spend is null; a campaign that spent without leads has null costs per
    lead. Leads and spend without a campaign are '(none)'. A day's spend counts once the day has
    begun before as_of. Spend is summed as the platforms report it: a warehouse with spend in
    several currencies needs it converted first (fct_ad_spend_daily keeps each row's currency).
#}
{%- set grains = var('analytics').period_grains -%}

with

spend as (
    select spend_date, coalesce(campaign, '(none)') as campaign, channel, spend, impressions, clicks
    from {{ ref('fct_ad_spend_daily') }}
    where cast(spend_date as timestamp) < {{ as_of() }}
),

campaign_channels as (
    -- The channel the ad platforms report a campaign under (the first, should there be several).
    select campaign, min(channel) as channel
    from spend
    group by campaign
),

leads as (
    select
        created_at,
        coalesce(campaign, '(none)') as campaign,
        case when qualified_at is not null then 1 else 0 end as is_qualified,
        case when won_at is not null then 1 else 0 end as is_won,
        won_amount
    from {{ ref('int_funnel_leads') }}
),

events as (
    {%- for grain in grains %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'spend_date') }} as period_start,
        campaign,
        spend,
        impressions,
        clicks,
        0 as leads,
        0 as qualified_leads,
        0 as customers,
        cast(null as double) as revenue
    from spend
    union all
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'created_at') }} as period_start,
        campaign,
        cast(null as double) as spend,
        cast(null as bigint) as impressions,
        cast(null as bigint) as clicks,
        1 as leads,
        is_qualified as qualified_leads,
        is_won as customers,
        won_amount as revenue
    from leads
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

measured as (
    select
        period_grain,
        period_start,
        campaign,
        coalesce(sum(spend), 0) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(leads) as leads,
        sum(qualified_leads) as qualified_leads,
        sum(customers) as customers,
        coalesce(sum(revenue), 0) as revenue
    from events
    group by period_grain, period_start, campaign
)

select
    measured.period_grain,
    measured.period_start,
    measured.campaign,
    campaign_channels.channel as spend_channel,
    cast(measured.spend as double) as spend,
    cast(measured.impressions as bigint) as impressions,
    cast(measured.clicks as bigint) as clicks,
    cast(measured.leads as bigint) as leads,
    cast(measured.qualified_leads as bigint) as qualified_leads,
    cast(measured.customers as bigint) as customers,
    cast(measured.revenue as double) as revenue,
    case when measured.leads > 0 then measured.spend / measured.leads end as cost_per_lead,
    case when measured.qualified_leads > 0 then measured.spend / measured.qualified_leads end as cost_per_qualified_lead,
    case when measured.customers > 0 then measured.spend / measured.customers end as cost_per_acquisition,
    case when measured.spend > 0 then measured.revenue / measured.spend end as return_on_ad_spend,
    {{ as_of() }} as as_of
from measured
left join campaign_channels
    on measured.campaign = campaign_channels.campaign
