{#
    Each lead's journey as of as_of (marts.fct_lead_touches, docs/funnels.md): its first touch,
    its last touch before the conversion (the last touch so far for a lead not won), the touches
    up to then, the ordered path of their channels (a channel repeated in a row shown once:
    fct_lead_touches.is_new_channel), when it qualified and the days from creation to the win.
#}

with

funnel_leads as (
    select lead_id, created_at, qualified_at, won_at, won_amount, days_to_conversion
    from {{ ref('int_funnel_leads') }}
),

journey_touches as (
    select
        touches.lead_id,
        touches.touch_at,
        touches.touch_number,
        touches.channel,
        touches.campaign,
        touches.is_new_channel
    from {{ ref('fct_lead_touches') }} as touches
    inner join funnel_leads
        on touches.lead_id = funnel_leads.lead_id
    where funnel_leads.won_at is null or touches.touch_at <= funnel_leads.won_at
),

summarized as (
    select
        lead_id,
        count(*) as touchpoint_count,
        max(touch_number) as last_touch_number,
        count(distinct channel) as channel_count,
        {{ ordered_string_agg("case when is_new_channel then channel end", 'touch_number', ' > ') }} as channel_path
    from journey_touches
    group by lead_id
)

select
    funnel_leads.lead_id,
    funnel_leads.created_at,
    first_touches.touch_at as first_touch_at,
    first_touches.channel as first_touch_channel,
    first_touches.campaign as first_touch_campaign,
    last_touches.touch_at as last_touch_at,
    last_touches.channel as last_touch_channel,
    last_touches.campaign as last_touch_campaign,
    cast(coalesce(summarized.touchpoint_count, 0) as bigint) as touchpoint_count,
    cast(coalesce(summarized.channel_count, 0) as bigint) as channel_count,
    summarized.channel_path,
    funnel_leads.qualified_at,
    funnel_leads.won_at is not null as is_converted,
    funnel_leads.won_at as converted_at,
    funnel_leads.won_amount,
    funnel_leads.days_to_conversion,
    {{ as_of() }} as as_of
from funnel_leads
left join summarized
    on funnel_leads.lead_id = summarized.lead_id
left join journey_touches as first_touches
    on funnel_leads.lead_id = first_touches.lead_id
    and first_touches.touch_number = 1
left join journey_touches as last_touches
    on summarized.lead_id = last_touches.lead_id
    and summarized.last_touch_number = last_touches.touch_number
