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

-- The profiles' values as list needles (',value,'), once per profile, not per pair.
profile_needles as (
    select
        profiles.*,
        {%- for field in profile_fields if field != 'budget' %}
        {{ sales_list_needle(field) }} as {{ field }}_needle,
        {%- endfor %}
        1 as one
    from profiles
),

pairs as (
    select
        profiles.profile_id,
        agents.agent_id,
        agents.is_preferred,
        {%- for step in steps %}
        {%- if step.step == 'territory' %}
        {{ sales_list_contains('agents.territory_key', 'profiles.region_needle') }} as step_{{ loop.index }}_match,
        {%- elif step.step == 'specialization' %}
        case
            {%- for field in step.lead_fields %}
            when {{ sales_list_contains('agents.specializations_key', 'profiles.' ~ field ~ '_needle') }} then profiles.{{ field }}
            {%- endfor %}
        end as specialization_matched_value,
        {%- elif step.step == 'budget_range' %}
        coalesce(
            profiles.budget is not null
            and (agents.price_min is null or profiles.budget >= agents.price_min)
            and (agents.price_max is null or profiles.budget <= agents.price_max),
            false
        ) as step_{{ loop.index }}_match,
        {%- endif %}
        {%- endfor %}
        1 as one
    from profile_needles as profiles
    cross join agents
),

{#-
    Which steps matched, per profile, by aggregates, not a window over every pair per step: each
    pair has a pattern (which steps it matches, and whether the agent is preferred: 2^(steps + 1)
    patterns), and a profile's step k matched when a pair of some pattern in its pool after step
    k - 1 matches step k. The pool after step k holds a pattern when, for each step j <= k, the
    pattern matches j or step j did not match.
-#}
{%- set step_count = steps | length -%}
{%- set pattern_count = 2 ** (step_count + 1) -%}
{#- in_pool[k][p]: the condition for pattern p to be in the pool after step k. -#}
{%- set in_pool = [] -%}
{%- for k in range(step_count + 1) -%}
    {%- set conditions = [] -%}
    {%- for pattern in range(pattern_count) -%}
        {%- set terms = [] -%}
        {%- for j in range(1, k + 1) if (pattern // (2 ** (j - 1))) % 2 == 0 -%}
            {%- do terms.append('not step_' ~ j ~ '_matched') -%}
        {%- endfor -%}
        {%- do conditions.append('(' ~ (terms | join(' and ')) ~ ')' if terms else 'true') -%}
    {%- endfor -%}
    {%- do in_pool.append(conditions) -%}
{%- endfor %}

pair_patterns as (
    select
        *,
        {%- for step in steps %}
        (case when {{ 'specialization_matched_value is not null' if step.step == 'specialization' else 'step_' ~ loop.index ~ '_match' }} then {{ 2 ** loop.index0 }} else 0 end) +
        {%- endfor %}
        (case when is_preferred then {{ 2 ** step_count }} else 0 end) as pattern
    from pairs
),

profile_patterns as (
    select
        profile_id,
        {%- for pattern in range(pattern_count) %}
        max(case when pattern = {{ pattern }} then 1 else 0 end) = 1 as has_{{ pattern }}{{ ',' if not loop.last }}
        {%- endfor %}
    from pair_patterns
    group by profile_id
),
{%- for step in steps %}
{%- set k = loop.index %}

profile_step_{{ k }} as (
    select
        *,
        (
            {%- for pattern in range(pattern_count) if (pattern // (2 ** (k - 1))) % 2 == 1 %}
            (has_{{ pattern }} and {{ in_pool[k - 1][pattern] }}) or
            {%- endfor %}
            false
        ) as step_{{ k }}_matched
    from {{ 'profile_patterns' if k == 1 else 'profile_step_' ~ (k - 1) }}
),
{%- endfor %}

profile_flags as (
    select
        profile_id,
        {%- for step in steps %}
        step_{{ loop.index }}_matched as {{ step.step }}_step_matched,
        {%- endfor %}
        {%- for step in steps %}
        step_{{ loop.index }}_matched or
        {%- endfor %}
        false as any_step_matched,
        (
            {%- for pattern in range(pattern_count) if (pattern // (2 ** step_count)) % 2 == 1 %}
            (has_{{ pattern }} and {{ in_pool[step_count][pattern] }}) or
            {%- endfor %}
            false
        ) as pool_has_preferred
    from {{ 'profile_step_' ~ step_count if steps else 'profile_patterns' }}
),

-- The pairs in the final pool of a profile some step matched, narrowed to the preferred agents
-- when the pool holds any.
preferences as (
    select
        pair_patterns.profile_id,
        pair_patterns.agent_id,
        pair_patterns.is_preferred,
        {%- for step in steps %}
        profile_flags.{{ step.step }}_step_matched,
        {%- if step.step == 'specialization' %}
        pair_patterns.specialization_matched_value,
        {%- endif %}
        {%- endfor %}
        profile_flags.any_step_matched
    from pair_patterns
    inner join profile_flags
        on pair_patterns.profile_id = profile_flags.profile_id
    where profile_flags.any_step_matched
        {%- for step in steps %}
        and ({{ 'pair_patterns.specialization_matched_value is not null' if step.step == 'specialization' else 'pair_patterns.step_' ~ loop.index ~ '_match' }} or not profile_flags.{{ step.step }}_step_matched)
        {%- endfor %}
        and (pair_patterns.is_preferred or not profile_flags.pool_has_preferred)
),

-- A profile no step matched keeps every available agent: one row per lead, agent_id null.
fallback_profiles as (
    select profile_id
    from profile_flags
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
