{#
    The leads routing recommends an agent for (routing.leads): open leads without an owner, and
    open leads first seen within new_within_minutes before as_of (just captured and scored), owned
    or not. routing_scope says which.
#}
{%- set routing = var('sales').routing -%}
{%- set new_within = routing.new_within_minutes -%}

with

leads as (
    select
        *,
        {%- if new_within is none %}
        false as is_new
        {%- else %}
        first_seen_at > {{ timestamp_plus_seconds(as_of(), -60 * new_within) }} as is_new
        {%- endif %}
    from {{ ref('int_sales_leads_joined') }}
    where not is_closed
)

select
    lead_id,
    case when owner_agent_id is null then 'unassigned' else 'new_lead' end as routing_scope,
    owner_agent_id,
    region,
    industry,
    product_interest,
    budget,
    score,
    first_seen_at
from leads
where
    {%- if routing.unassigned %}
    owner_agent_id is null or
    {%- endif %}
    is_new
