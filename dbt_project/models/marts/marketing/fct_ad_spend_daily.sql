with

ad_spend as (
    {{ union_staged_records('ad_spend', [
        ref('stg_ad_spend__ad_spend'),
        ref('stg_other_sources__ad_spend'),
    ]) }}
),

daily_spend as (
    select
        spend_date,
        channel,
        platform,
        campaign,
        currency,
        sum(spend) as spend,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(clicks) as bigint) as clicks,
        count(*) as spend_record_count
    from ad_spend
    group by spend_date, channel, platform, campaign, currency
)

select
    {{ short_hash(dbt.concat([
        'cast(spend_date as ' ~ dbt.type_string() ~ ')', "'|'",
        'channel', "'|'",
        "coalesce(platform, '')", "'|'",
        "coalesce(campaign, '')", "'|'",
        "coalesce(currency, '')",
    ])) }} as ad_spend_day_id,
    spend_date,
    channel,
    platform,
    campaign,
    currency,
    spend,
    impressions,
    clicks,
    clicks / nullif(cast(impressions as double), 0) as click_through_rate,
    spend / nullif(cast(clicks as double), 0) as cost_per_click,
    spend_record_count
from daily_spend
