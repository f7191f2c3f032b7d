{#
    Each campaign's performance over everything up to as_of (docs/funnels.md): the leads whose
    first campaign it is, how many responded (an inbound activity of theirs, or an answer to the
    team's outbound attempt: a response_seconds), qualified and were won, the rates, the won
    revenue, the spend and the return on it. A campaign that spent without bringing a lead has a
    row with 0 leads.
#}

with

leads as (
    select
        lead_id,
        coalesce(campaign, '(none)') as campaign,
        qualified_at,
        won_at,
        won_amount
    from {{ ref('int_funnel_leads') }}
),

responses as (
    select distinct lead_id
    from {{ ref('fct_lead_activities') }}
    where occurred_at <= {{ as_of() }}
        and (
            direction = 'inbound'
            or (direction = 'outbound' and response_seconds is not null)
        )
),

by_campaign as (
    select
        leads.campaign,
        count(*) as leads,
        count(responses.lead_id) as responded_leads,
        count(leads.qualified_at) as qualified_leads,
        count(leads.won_at) as converted_leads,
        sum(leads.won_amount) as revenue_won
    from leads
    left join responses
        on leads.lead_id = responses.lead_id
    group by leads.campaign
),

spend as (
    select coalesce(campaign, '(none)') as campaign, min(channel) as spend_channel, sum(spend) as spend
    from {{ ref('fct_ad_spend_daily') }}
    where cast(spend_date as timestamp) < {{ as_of() }}
    group by coalesce(campaign, '(none)')
),

joined as (
    select
        coalesce(by_campaign.campaign, spend.campaign) as campaign,
        spend.spend_channel,
        coalesce(by_campaign.leads, 0) as leads,
        coalesce(by_campaign.responded_leads, 0) as responded_leads,
        coalesce(by_campaign.qualified_leads, 0) as qualified_leads,
        coalesce(by_campaign.converted_leads, 0) as converted_leads,
        coalesce(by_campaign.revenue_won, 0) as revenue_won,
        coalesce(spend.spend, 0) as spend
    from by_campaign
    full outer join spend
        on by_campaign.campaign = spend.campaign
)

select
    campaign,
    spend_channel,
    cast(leads as bigint) as leads,
    cast(responded_leads as bigint) as responded_leads,
    case when leads > 0 then cast(responded_leads as double) / leads end as response_rate,
    cast(qualified_leads as bigint) as qualified_leads,
    cast(converted_leads as bigint) as converted_leads,
    case when leads > 0 then cast(converted_leads as double) / leads end as conversion_rate,
    cast(revenue_won as double) as revenue_won,
    cast(spend as double) as spend,
    case when spend > 0 then revenue_won / spend end as return_on_ad_spend,
    case when spend > 0 then (revenue_won - spend) / spend end as roi,
    {{ as_of() }} as as_of
from joined
