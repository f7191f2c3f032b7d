{#
    The recommended agent for every lead routing selects (config/sales.yml routing, docs/sales.md),
    the step that decided and the reason in words: "territory TX; specialization technology;
    budget in range; workload 12/40; conversion 21 %", or "round robin: no agent matched; ...".
#}
{%- set routing = var('sales').routing -%}
{%- set steps = routing.steps -%}
{%- set text = dbt.type_string() -%}

{#- The reason: the fallback, each step matched or skipped, the agent's workload and conversion. -#}
{%- set reason = [["routing_method = 'round_robin'", "'round robin: no agent matched'"]] -%}
{%- set matched = [] -%}
{%- for step in steps -%}
    {%- set rules = "routing_method = 'rules' and " -%}
    {%- set flag = step.step ~ '_step_matched' -%}
    {%- do matched.append([flag, "'" ~ step.step ~ "'"]) -%}
    {%- if step.step == 'territory' -%}
        {%- do reason.append([rules ~ flag, dbt.concat(["'territory '", 'region'])]) -%}
        {%- do reason.append([rules ~ 'not ' ~ flag ~ ' and region is null', "'no region'"]) -%}
        {%- do reason.append([rules ~ 'not ' ~ flag ~ ' and region is not null', dbt.concat(["'no agent for territory '", 'region'])]) -%}
    {%- elif step.step == 'specialization' -%}
        {%- do reason.append([rules ~ flag, dbt.concat(["'specialization '", 'specialization_matched_value'])]) -%}
        {%- do reason.append([rules ~ 'not ' ~ flag, "'no specialization match'"]) -%}
    {%- elif step.step == 'budget_range' -%}
        {%- do reason.append([rules ~ flag, "'budget in range'"]) -%}
        {%- do reason.append([rules ~ 'not ' ~ flag ~ ' and budget is null', "'no budget'"]) -%}
        {%- do reason.append([rules ~ 'not ' ~ flag ~ ' and budget is not null', "'no agent for the budget'"]) -%}
    {%- endif -%}
{%- endfor -%}
{%- do reason.append(['true', dbt.concat([
    "'workload '", "cast(agent_open_lead_count as " ~ text ~ ")", "'/'",
    "coalesce(cast(agent_capacity as " ~ text ~ "), 'no limit')",
])]) -%}
{%- do reason.append(['true', dbt.concat([
    "'conversion '",
    "coalesce(" ~ dbt.concat(["cast(cast(round(agent_conversion_rate * 100, 0) as bigint) as " ~ text ~ ")", "' %'"]) ~ ", 'n/a')",
])]) -%}
{%- do reason.append(['routing_pass > 1', dbt.concat([
    "'pass '", "cast(routing_pass as " ~ text ~ ")", "' (earlier choices at capacity)'",
])]) -%}

with

leads as (
    select *
    from {{ ref('int_routing_leads_selected') }}
),

candidates as (
    select *
    from {{ ref('int_routing_candidates_matched') }}
),

pools as (
    select
        lead_id,
        min(routing_method) as routing_method,
        {%- for step in steps %}
        max(case when {{ step.step }}_step_matched then 1 else 0 end) = 1 as {{ step.step }}_step_matched,
        {%- endfor %}
        count(agent_id) as listed_agent_count,
        -- A row without an agent: no step matched, every available agent is a candidate.
        count(*) > count(agent_id) as is_every_available_agent
    from candidates
    group by lead_id
),

routed as (
    select *
    from {{ ref('int_leads_routed') }}
),

agents as (
    select *
    from {{ ref('int_sales_agents_rated') }}
),

available as (
    select count(*) as available_agent_count
    from agents
    where is_available
),

joined as (
    select
        leads.*,
        pools.routing_method,
        {%- for step in steps %}
        coalesce(pools.{{ step.step }}_step_matched, false) as {{ step.step }}_step_matched,
        {%- if step.step == 'specialization' %}
        chosen.specialization_matched_value,
        {%- endif %}
        {%- endfor %}
        case
            when pools.is_every_available_agent then available.available_agent_count
            else coalesce(pools.listed_agent_count, 0)
        end as candidate_agent_count,
        routed.agent_id as recommended_agent_id,
        routed.routing_pass,
        routed.agent_routed_lead_count,
        agents.open_lead_count as agent_open_lead_count,
        agents.capacity as agent_capacity,
        agents.conversion_rate as agent_conversion_rate
    from leads
    left join pools
        on leads.lead_id = pools.lead_id
    left join routed
        on leads.lead_id = routed.lead_id
    left join candidates as chosen
        on routed.lead_id = chosen.lead_id
        and routed.agent_id = chosen.agent_id
    left join agents
        on routed.agent_id = agents.agent_id
    cross join available
)

select
    lead_id,
    recommended_agent_id,
    case
        when recommended_agent_id is null then 'unrouted'
        when routing_method = 'round_robin' then 'round_robin'
        {%- for step in steps | reverse %}
        when {{ step.step }}_step_matched then '{{ step.step }}'
        {%- endfor %}
    end as routing_step,
    case
        when candidate_agent_count = 0 then 'unrouted: no active agent under capacity'
        when routing_method = 'none' then 'unrouted: no agent matched (routing.fallback is none)'
        when recommended_agent_id is null
            then 'unrouted: every agent it may go to is at capacity with the leads of this run'
        else {{ sales_joined_text(reason) }}
    end as routing_reason,
    {%- if matched %}
    case when routing_method = 'rules' then {{ sales_joined_text(matched, ',') }} else '' end as matched_steps,
    {%- else %}
    '' as matched_steps,
    {%- endif %}
    routing_scope,
    owner_agent_id as current_owner_agent_id,
    region,
    industry,
    product_interest,
    budget,
    score,
    candidate_agent_count,
    routing_pass,
    agent_open_lead_count,
    agent_capacity,
    agent_conversion_rate,
    agent_routed_lead_count,
    {{ as_of() }} as routed_as_of
from joined
