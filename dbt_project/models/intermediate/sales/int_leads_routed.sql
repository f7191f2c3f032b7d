{#
    The agent each lead gets, set-based, with the leads of this run counted against capacity.

    Leads with the same final pool (int_routing_candidates_matched) form a group, ranked by score
    (then first seen, lead id). Each agent of the pool offers places numbered 1, 2, ... up to its
    room (capacity - open leads - leads it got in earlier passes; no capacity: no limit). The
    places are ranked: by the agent's workload once the place is taken (routing.workload.measure),
    then agent id (rules), or by place number, then agent id (round_robin: one lead per agent in
    turn). The k-th lead of the group takes the k-th place. Groups sharing an agent may claim more
    places than it has: each agent keeps the claims of lowest workload, then highest score, up to
    its room; the other leads try again in the next pass with the agents that still have room
    (routing.capacity_passes). A lead placed in no pass has no row.

    How: macros/sales/routing_passes.sql. The pools are read once (one lead of each pool gives its
    agents); each pass reads them and the pass before it. On DuckDB the passes are materialized
    CTEs below; on Spark, working tables built by the pre-hook.
#}
{{ config(
    pre_hook="{{ routing_pass_tables(ref('int_routing_candidates_matched'), ref('int_routing_leads_selected'), ref('int_sales_agents_rated')) }}",
    post_hook="{{ routing_drop_pass_tables() }}",
) }}
{%- set routing = var('sales').routing -%}
{%- set passes = routing.capacity_passes -%}
{#- Read on every engine, so dbt sees the dependencies even where the pre-hook reads them. -#}
{%- set candidates = ref('int_routing_candidates_matched') -%}
{%- set leads = ref('int_routing_leads_selected') -%}
{%- set agents_rated = ref('int_sales_agents_rated') -%}

with

{%- if steps_in_working_tables() %}
{%- set last_pass = working_table('routing_placed_' ~ passes) %}
{%- else %}
{%- set last_pass = 'placed_' ~ passes %}

agents as {{ materialized_cte() }} (
    {{ routing_agents_sql(agents_rated) }}
),

pool_leads as {{ materialized_cte() }} (
    {{ routing_leads_sql(candidates, leads, 'agents') }}
),

pool_agents as {{ materialized_cte() }} (
    {{ routing_pool_agents_sql('pool_leads', candidates, 'agents') }}
),

{%- for pass in range(1, passes + 1) %}

placed_{{ pass }} as {{ materialized_cte() }} (
    {{ routing_pass_sql(pass, 'pool_leads', 'pool_agents', 'agents', 'placed_' ~ (pass - 1) if pass > 1 else none, routing.workload_measure) }}
),
{%- endfor %}
{%- endif %}

routed as (
    select
        lead_id,
        agent_id,
        routing_pass
    from {{ last_pass }}
)

select
    routed.lead_id,
    routed.agent_id,
    routed.routing_pass,
    count(*) over (partition by routed.agent_id) as agent_routed_lead_count
from routed
