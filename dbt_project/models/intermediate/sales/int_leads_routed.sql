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
#}
{%- set routing = var('sales').routing -%}
{%- set passes = routing.capacity_passes -%}
{#- An agent's workload once it takes place number lead_rank. -#}
{%- if routing.workload_measure == 'share_of_capacity' -%}
    {%- set workload_after = 'cast(group_agents.load_before + group_leads.lead_rank as double) / nullif(group_agents.capacity, 0)' -%}
{%- else -%}
    {%- set workload_after = 'group_agents.load_before + group_leads.lead_rank' -%}
{%- endif -%}

with

candidates as (
    select
        lead_id,
        agent_id,
        routing_method
    from {{ ref('int_routing_candidates_matched') }}
    where routing_method <> 'none'
),

leads as (
    select
        lead_id,
        score,
        first_seen_at
    from {{ ref('int_routing_leads_selected') }}
),

agents as (
    select
        agent_id,
        open_lead_count,
        capacity
    from {{ ref('int_sales_agents_rated') }}
    where is_available
),

{%- for pass in range(1, passes + 1) %}

-- Pass {{ pass }}: the leads not placed yet, with the agents of their pool that have room.
pass_{{ pass }}_rooms as (
    select
        agents.agent_id,
        agents.capacity,
        agents.open_lead_count + {{ 'coalesce(taken.taken_count, 0)' if pass > 1 else '0' }} as load_before,
        agents.capacity - agents.open_lead_count{{ ' - coalesce(taken.taken_count, 0)' if pass > 1 }} as room
    from agents
    {%- if pass > 1 %}
    left join taken_{{ pass - 1 }} as taken
        on agents.agent_id = taken.agent_id
    {%- endif %}
),

pass_{{ pass }}_pool as (
    select
        candidates.lead_id,
        candidates.agent_id,
        candidates.routing_method,
        rooms.capacity,
        rooms.load_before,
        rooms.room
    from candidates
    inner join pass_{{ pass }}_rooms as rooms
        on candidates.agent_id = rooms.agent_id
    {%- if pass > 1 %}
    left join placed_{{ pass - 1 }} as placed
        on candidates.lead_id = placed.lead_id
    {%- endif %}
    where (rooms.room is null or rooms.room > 0)
    {%- if pass > 1 %}
        and placed.lead_id is null
    {%- endif %}
),

pass_{{ pass }}_groups as (
    select
        lead_id,
        {{ dbt.concat(['min(routing_method)', "':'", sorted_distinct_string_agg('agent_id', ',')]) }} as pool_key
    from pass_{{ pass }}_pool
    group by lead_id
),

pass_{{ pass }}_leads as (
    select
        groups.lead_id,
        groups.pool_key,
        leads.score,
        leads.first_seen_at,
        row_number() over (
            partition by groups.pool_key
            order by leads.score desc nulls last, leads.first_seen_at asc, groups.lead_id asc
        ) as lead_rank
    from pass_{{ pass }}_groups as groups
    inner join leads
        on groups.lead_id = leads.lead_id
),

pass_{{ pass }}_group_agents as (
    select distinct
        groups.pool_key,
        pool.agent_id,
        pool.routing_method,
        pool.capacity,
        pool.load_before,
        pool.room
    from pass_{{ pass }}_pool as pool
    inner join pass_{{ pass }}_groups as groups
        on pool.lead_id = groups.lead_id
),

pass_{{ pass }}_places as (
    select
        group_agents.pool_key,
        group_agents.agent_id,
        group_agents.load_before,
        group_agents.load_before + group_leads.lead_rank as load_after,
        row_number() over (
            partition by group_agents.pool_key
            order by
                case when group_agents.routing_method = 'round_robin' then group_leads.lead_rank end asc,
                case when group_agents.routing_method = 'round_robin' then group_agents.agent_id end asc,
                {{ workload_after }} asc nulls last,
                group_agents.agent_id asc
        ) as place_rank
    from pass_{{ pass }}_group_agents as group_agents
    inner join pass_{{ pass }}_leads as group_leads
        on group_agents.pool_key = group_leads.pool_key
        and (group_agents.room is null or group_leads.lead_rank <= group_agents.room)
),

pass_{{ pass }}_claims as (
    select
        group_leads.lead_id,
        places.agent_id,
        places.load_after,
        row_number() over (
            partition by places.agent_id
            order by
                places.load_after asc,
                group_leads.score desc nulls last,
                group_leads.first_seen_at asc,
                group_leads.lead_id asc
        ) as agent_claim_rank
    from pass_{{ pass }}_leads as group_leads
    inner join pass_{{ pass }}_places as places
        on group_leads.pool_key = places.pool_key
        and group_leads.lead_rank = places.place_rank
),

placed_{{ pass }} as (
    {%- if pass > 1 %}
    select lead_id, agent_id, routing_pass
    from placed_{{ pass - 1 }}
    union all
    {%- endif %}
    select
        claims.lead_id,
        claims.agent_id,
        {{ pass }} as routing_pass
    from pass_{{ pass }}_claims as claims
    inner join pass_{{ pass }}_rooms as rooms
        on claims.agent_id = rooms.agent_id
    where rooms.room is null or claims.agent_claim_rank <= rooms.room
),

taken_{{ pass }} as (
    select
        agent_id,
        count(*) as taken_count
    from placed_{{ pass }}
    group by agent_id
),
{%- endfor %}

routed as (
    select
        lead_id,
        agent_id,
        routing_pass
    from placed_{{ passes }}
)

select
    routed.lead_id,
    routed.agent_id,
    routed.routing_pass,
    count(*) over (partition by routed.agent_id) as agent_routed_lead_count
from routed
