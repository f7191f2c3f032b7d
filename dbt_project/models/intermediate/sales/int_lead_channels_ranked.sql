{#
    Each lead's response rate per contact channel (work_queue.preferred_channel.channels): the
    outbound activities of the channel's types that got an answer (response_seconds) / all of
    them, for the channels with at least min_attempts. Channels the lead opted out of are left
    out (do_not_email: email; do_not_call: phone and sms). channel_rank 1 is the preferred one:
    the highest rate, ties in the order the config lists the channels.
#}
{%- set preferred = var('sales').work_queue.preferred_channel -%}
{%- set opted_out = {'email': 'do_not_email', 'phone': 'do_not_call', 'sms': 'do_not_call'} -%}

with

-- Each channel's activity types, one row each (a type may count for more than one channel).
channel_types as (
    {%- for name, types in preferred.channels %}
    {%- set channel_loop = loop %}
    {%- for activity_type in types | unique %}
    select '{{ name }}' as channel, {{ channel_loop.index }} as channel_order, {{ sql_string_list([activity_type]) }} as activity_type
    {%- if not (channel_loop.last and loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
),

-- One pass over the outbound activities, grouped by lead and channel.
channel_outcomes as (
    select
        outbound.lead_id,
        channel_types.channel,
        channel_types.channel_order,
        count(*) as attempt_count,
        count(outbound.response_seconds) as response_count
    from {{ ref('int_sales_activities_classified') }} as outbound
    inner join channel_types
        on outbound.activity_type = channel_types.activity_type
    where outbound.direction = 'outbound'
    group by outbound.lead_id, channel_types.channel, channel_types.channel_order
),

eligible as (
    select
        channel_outcomes.*,
        cast(channel_outcomes.response_count as double) / channel_outcomes.attempt_count as response_rate
    from channel_outcomes
    inner join {{ ref('int_sales_leads_joined') }} as leads
        on channel_outcomes.lead_id = leads.lead_id
    where channel_outcomes.attempt_count >= {{ preferred.min_attempts }}
        {%- for name, types in preferred.channels if name in opted_out %}
        and not (channel_outcomes.channel = '{{ name }}' and leads.{{ opted_out[name] }})
        {%- endfor %}
)

select
    lead_id,
    channel,
    attempt_count,
    response_count,
    response_rate,
    row_number() over (
        partition by lead_id
        order by response_rate desc, channel_order asc
    ) as channel_rank
from eligible
