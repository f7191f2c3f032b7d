{#
    The agents each lead to route may go to, after routing.steps in priority order: every step
    keeps the agents of the pool so far that match the lead when at least one does, and is
    skipped when none does (<step>_step_matched says which). Only available agents (active, under
    capacity) are considered. When a step matched, the pool is then narrowed to the agents with
    the preferred conversion rate if it holds any (routing_method rules); when none matched, every
    available agent stays (round_robin), or none is recommended (fallback none).
    One row per lead and agent of its final pool; a lead with no available agent has no row.
#}
{%- set routing = var('sales').routing -%}
{%- set steps = routing.steps -%}

with

leads as (
    select *
    from {{ ref('int_routing_leads_selected') }}
),

agents as (
    select *
    from {{ ref('int_sales_agents_rated') }}
    where is_available
),

pairs as (
    select
        leads.lead_id,
        agents.agent_id,
        agents.is_preferred,
        {%- for step in steps %}
        {%- if step.step == 'territory' %}
        {{ sales_list_contains('agents.territory_key', 'leads.region') }} as territory_match,
        {%- elif step.step == 'specialization' %}
        case
            {%- for field in step.lead_fields %}
            when {{ sales_list_contains('agents.specializations_key', 'leads.' ~ field) }} then leads.{{ field }}
            {%- endfor %}
        end as specialization_matched_value,
        {%- elif step.step == 'budget_range' %}
        coalesce(
            leads.budget is not null
            and (agents.price_min is null or leads.budget >= agents.price_min)
            and (agents.price_max is null or leads.budget <= agents.price_max),
            false
        ) as budget_range_match,
        {%- endif %}
        {%- endfor %}
        true as in_pool_0
    from leads
    cross join agents
),

{%- for step in steps %}
{%- set match = 'specialization_matched_value is not null' if step.step == 'specialization' else step.step ~ '_match' %}

step_{{ loop.index }}_flagged as (
    select
        *,
        max(case when in_pool_{{ loop.index0 }} and {{ match }} then 1 else 0 end)
            over (partition by lead_id) = 1 as {{ step.step }}_step_matched
    from {{ 'pairs' if loop.first else 'step_' ~ loop.index0 }}
),

step_{{ loop.index }} as (
    select
        *,
        in_pool_{{ loop.index0 }} and ({{ match }} or not {{ step.step }}_step_matched) as in_pool_{{ loop.index }}
    from step_{{ loop.index }}_flagged
),
{%- endfor %}

pooled as (
    select
        *,
        {%- for step in steps %}
        {{ step.step }}_step_matched or
        {%- endfor %}
        false as any_step_matched
    from {{ 'step_' ~ (steps | length) if steps else 'pairs' }}
    where in_pool_{{ steps | length }}
),

preferences as (
    select
        *,
        max(case when is_preferred then 1 else 0 end) over (partition by lead_id) = 1 as pool_has_preferred
    from pooled
)

select
    lead_id,
    agent_id,
    case
        when any_step_matched then 'rules'
        else '{{ "round_robin" if routing.fallback == "round_robin" else "none" }}'
    end as routing_method,
    {%- for step in steps %}
    {{ step.step }}_step_matched,
    {%- if step.step == 'specialization' %}
    specialization_matched_value,
    {%- endif %}
    {%- endfor %}
    is_preferred
from preferences
where not any_step_matched
    or is_preferred
    or not pool_has_preferred
