{#
    One row per agent of dim_agents with what routing weighs: the conversion rate (won / closed
    leads, once the agent has routing.workload.conversion_min_closed_leads closed ones), whether it
    reaches prefer_conversion_rate_at_least, the room left under capacity, and whether the agent
    may receive leads at all: active and under capacity (no capacity: no limit).
#}
{%- set routing = var('sales').routing -%}
{%- set preferred_at = routing.prefer_conversion_rate_at_least -%}

with

agents as (
    select
        agent_id,
        agent_name,
        territory,
        specializations,
        price_min,
        price_max,
        capacity,
        is_active,
        open_lead_count,
        owned_lead_count - open_lead_count as closed_lead_count,
        won_lead_count
    from {{ ref('dim_agents') }}
),

rated as (
    select
        *,
        case
            when closed_lead_count >= {{ routing.conversion_min_closed_leads }}
                then cast(won_lead_count as double) / closed_lead_count
        end as conversion_rate
    from agents
)

select
    agent_id,
    agent_name,
    territory,
    specializations,
    {{ sales_list_key('territory') }} as territory_key,
    {{ sales_list_key('specializations') }} as specializations_key,
    price_min,
    price_max,
    capacity,
    is_active,
    open_lead_count,
    closed_lead_count,
    won_lead_count,
    conversion_rate,
    {%- if preferred_at is none %}
    false as is_preferred,
    {%- else %}
    coalesce(conversion_rate >= {{ preferred_at }}, false) as is_preferred,
    {%- endif %}
    capacity - open_lead_count as remaining_capacity,
    is_active and (capacity is null or open_lead_count < capacity) as is_available
from rated
