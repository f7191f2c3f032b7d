{#
    The agents each lead to route may go to, after routing.steps in priority order: every step
    keeps the agents of the pool so far that match the lead when at least one does, and is
    skipped when none does (<step>_step_matched says which). Only available agents (active, under
    capacity) are considered. When a step matched, the pool is then narrowed to the agents with
    the preferred conversion rate if it holds any (routing_method rules); when none matched, every
    available agent stays (round_robin), or none is recommended (fallback none).
    One row per lead and agent of its final pool when a step matched. When none did, the pool is
    every available agent: one row for the lead with agent_id null (the routing passes and
    lead_routing read it as every available agent; listing them was 6,221,917 rows, nearly all
    of the model, at 1,000,000 leads). A lead with no available agent has no row.

    The steps read only a few fields of the lead (its profile: region, the specialization fields,
    budget), so the pools are worked out once per profile and then given to its leads: at
    1,000,000 leads, 16,408 leads to route have 5,203 profiles, and every profile is compared
    with every available agent (974).
#}
{%- set routing = var('sales').routing -%}
{%- set steps = routing.steps -%}
{%- set profile_fields = [] -%}
{%- for step in steps -%}
    {%- for field in {'territory': ['region'], 'budget_range': ['budget']}.get(step.step, step.lead_fields) -%}
        {%- if field not in profile_fields %}{% do profile_fields.append(field) %}{% endif -%}
    {%- endfor -%}
{%- endfor -%}

with

leads as (
    select *
    from {{ ref('int_routing_leads_selected') }}
),

profiles as (
    select
        {%- for field in profile_fields %}
        {{ field }},
        {%- endfor %}
        row_number() over (order by {% for field in profile_fields %}{{ field }} asc nulls last, {% endfor %}1) as profile_id
    from (
        select distinct
            {%- for field in profile_fields %}
            {{ field }},
            {%- endfor %}
            1 as one
        from leads
    ) as distinct_profiles
),

lead_profiles as (
    select
        leads.lead_id,
        profiles.profile_id
    from leads
    inner join profiles
        on {% for field in profile_fields %}leads.{{ field }} is not distinct from profiles.{{ field }} and {% endfor %}true
),

agents as (
    select *
    from {{ ref('int_sales_agents_rated') }}
    where is_available
),

pairs as (
    select
        profiles.profile_id,
        agents.agent_id,
        agents.is_preferred,
        {%- for step in steps %}
        {%- if step.step == 'territory' %}
        {{ sales_list_contains('agents.territory_key', 'profiles.region') }} as territory_match,
        {%- elif step.step == 'specialization' %}
        case
            {%- for field in step.lead_fields %}
            when {{ sales_list_contains('agents.specializations_key', 'profiles.' ~ field) }} then profiles.{{ field }}
            {%- endfor %}
        end as specialization_matched_value,
        {%- elif step.step == 'budget_range' %}
        coalesce(
            profiles.budget is not null
            and (agents.price_min is null or profiles.budget >= agents.price_min)
            and (agents.price_max is null or profiles.budget <= agents.price_max),
            false
        ) as budget_range_match,
        {%- endif %}
        {%- endfor %}
        true as in_pool_0
    from profiles
    cross join agents
),

{%- for step in steps %}
{%- set match = 'specialization_matched_value is not null' if step.step == 'specialization' else step.step ~ '_match' %}

step_{{ loop.index }}_flagged as (
    select
        *,
        max(case when in_pool_{{ loop.index0 }} and {{ match }} then 1 else 0 end)
            over (partition by profile_id) = 1 as {{ step.step }}_step_matched
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
        max(case when is_preferred then 1 else 0 end) over (partition by profile_id) = 1 as pool_has_preferred
    from pooled
),

-- A profile no step matched keeps every available agent: one row per lead, agent_id null.
fallback_profiles as (
    select distinct profile_id
    from pooled
    where not any_step_matched
)

select
    lead_profiles.lead_id,
    preferences.agent_id,
    'rules' as routing_method,
    {%- for step in steps %}
    {{ step.step }}_step_matched,
    {%- if step.step == 'specialization' %}
    specialization_matched_value,
    {%- endif %}
    {%- endfor %}
    is_preferred
from preferences
inner join lead_profiles
    on preferences.profile_id = lead_profiles.profile_id
where any_step_matched
    and (is_preferred or not pool_has_preferred)

union all

select
    lead_profiles.lead_id,
    cast(null as {{ dbt.type_string() }}) as agent_id,
    '{{ "round_robin" if routing.fallback == "round_robin" else "none" }}' as routing_method,
    {%- for step in steps %}
    false as {{ step.step }}_step_matched,
    {%- if step.step == 'specialization' %}
    cast(null as {{ dbt.type_string() }}) as specialization_matched_value,
    {%- endif %}
    {%- endfor %}
    cast(null as boolean) as is_preferred
from fallback_profiles
inner join lead_profiles
    on fallback_profiles.profile_id = lead_profiles.profile_id
