{#
    Routing's capacity passes (int_leads_routed), one SQL per step, so DuckDB runs them as
    materialized CTEs of the model and Spark as working tables of its pre-hook (each pass reads
    the one before it three times: inlined, three passes planned as 27 copies of the first).

    The steps read relations by name: `agents` (available agents: agent_id, agent_hash,
    open_lead_count, capacity), `pool_leads` (each lead to route with its first-pass pool,
    routing_leads_sql), `pool_agents` (the agents of each first-pass pool), `placed_before` (the
    leads earlier passes placed: lead_id, agent_id, routing_pass; none before the first pass).
#}

{% macro routing_agents_sql(agents_rated) %}
    select
        agent_id,
        {{ string_hash64('agent_id') }} as agent_hash,
        open_lead_count,
        capacity
    from {{ agents_rated }}
    where is_available
{% endmacro %}

{#
    A key for a set of agents with a routing method: equal sets, equal keys. The method, the
    number of agents and the XOR of their 60-bit hashes (any order; a different set gives the
    same key about once in 2^60): an aggregate, where a sorted list of the agent ids cost 4.7 s
    of CPU for the 6,221,917 candidate rows at 1,000,000 leads (a round-robin pool holds every
    available agent).
#}
{% macro routing_pool_key(routing_method, agent_hash) -%}
    {{ dbt.concat([
        'min(' ~ routing_method ~ ')', "':'",
        'cast(count(*) as ' ~ dbt.type_string() ~ ')', "':'",
        'cast(bit_xor(' ~ agent_hash ~ ') as ' ~ dbt.type_string() ~ ')',
    ]) }}
{%- endmacro %}

{#
    Each lead to route with its pool: the routing method and every agent it may go to, as a key.
    A candidate row without an agent (no step matched) stands for every available agent: one
    pool for all such leads.
#}
{% macro routing_leads_sql(candidates, leads, agents) %}
    select
        candidates.lead_id,
        leads.score,
        leads.first_seen_at,
        min(candidates.routing_method) as routing_method,
        case
            when count(candidates.agent_id) = 0
                then {{ dbt.concat(['min(candidates.routing_method)', "':every available agent'"]) }}
            else {{ routing_pool_key('candidates.routing_method', 'agents.agent_hash') }}
        end as pool_key
    from {{ candidates }} as candidates
    inner join {{ leads }} as leads
        on candidates.lead_id = leads.lead_id
    left join {{ agents }} as agents
        on candidates.agent_id = agents.agent_id
    where candidates.routing_method <> 'none'
        and (candidates.agent_id is null or agents.agent_id is not null)
    group by candidates.lead_id, leads.score, leads.first_seen_at
{% endmacro %}

{#
    The agents of each pool, read from one lead of the pool (every lead of it has the same; they
    are available agents, as pool_leads joined them); a pool of every available agent reads them
    from `agents`.
#}
{% macro routing_pool_agents_sql(pool_leads, candidates, agents) %}
    with

    representatives as (
        select
            pool_key,
            min(routing_method) as routing_method,
            min(lead_id) as lead_id
        from {{ pool_leads }}
        group by pool_key
    ),

    represented as (
        select
            representatives.pool_key,
            representatives.routing_method,
            candidates.agent_id
        from representatives
        inner join {{ candidates }} as candidates
            on representatives.lead_id = candidates.lead_id
    )

    select
        pool_key,
        routing_method,
        agent_id
    from represented
    where agent_id is not null
    union all
    select
        represented.pool_key,
        represented.routing_method,
        agents.agent_id
    from represented
    cross join {{ agents }} as agents
    where represented.agent_id is null
{% endmacro %}

{#
    Pass `pass`: every lead placed so far (lead_id, agent_id, routing_pass). The leads not placed
    yet, with the agents of their pool that still have room; leads whose pools keep the same
    agents form a group.
#}
{% macro routing_pass_sql(pass, pool_leads, pool_agents, agents, placed_before, workload_measure) %}
    {#- An agent's workload once it takes place number lead_rank. -#}
    {%- if workload_measure == 'share_of_capacity' -%}
        {%- set workload_after = 'cast(group_agents.load_before + group_leads.lead_rank as double) / nullif(group_agents.capacity, 0)' -%}
    {%- else -%}
        {%- set workload_after = 'group_agents.load_before + group_leads.lead_rank' -%}
    {%- endif -%}
    with

    {%- if placed_before %}
    taken as (
        select
            agent_id,
            count(*) as taken_count
        from {{ placed_before }}
        group by agent_id
    ),
    {%- endif %}

    -- Each agent's load and room with the leads it got in earlier passes.
    rooms as (
        select
            agents.agent_id,
            agents.agent_hash,
            agents.capacity,
            agents.open_lead_count{{ ' + coalesce(taken.taken_count, 0)' if placed_before }} as load_before,
            agents.capacity - agents.open_lead_count{{ ' - coalesce(taken.taken_count, 0)' if placed_before }} as room
        from {{ agents }} as agents
        {%- if placed_before %}
        left join taken
            on agents.agent_id = taken.agent_id
        {%- endif %}
    ),

    -- The agents of each first-pass pool that have room.
    pools_with_room as (
        select
            pool_agents.pool_key,
            pool_agents.routing_method,
            rooms.agent_id,
            rooms.agent_hash,
            rooms.capacity,
            rooms.load_before,
            rooms.room
        from {{ pool_agents }} as pool_agents
        inner join rooms
            on pool_agents.agent_id = rooms.agent_id
        where rooms.room is null or rooms.room > 0
    ),

    -- This pass's group of each first-pass pool: its routing method and agents with room.
    groups as (
        select
            pool_key,
            {{ routing_pool_key('routing_method', 'agent_hash') }} as group_key
        from pools_with_room
        group by pool_key
    ),

    group_leads as (
        select
            pool_leads.lead_id,
            groups.group_key,
            pool_leads.score,
            pool_leads.first_seen_at,
            row_number() over (
                partition by groups.group_key
                order by pool_leads.score desc nulls last, pool_leads.first_seen_at asc nulls last, pool_leads.lead_id asc
            ) as lead_rank
        from {{ pool_leads }} as pool_leads
        inner join groups
            on pool_leads.pool_key = groups.pool_key
        {%- if placed_before %}
        left join {{ placed_before }} as placed
            on pool_leads.lead_id = placed.lead_id
        where placed.lead_id is null
        {%- endif %}
    ),

    group_agents as (
        select distinct
            groups.group_key,
            pools_with_room.agent_id,
            pools_with_room.routing_method,
            pools_with_room.capacity,
            pools_with_room.load_before,
            pools_with_room.room
        from pools_with_room
        inner join groups
            on pools_with_room.pool_key = groups.pool_key
    ),

    -- Each agent of a group offers places 1, 2, ... up to its room, ranked: by place number,
    -- then agent id (round robin), or by its workload once the place is taken, then agent id.
    places as (
        select
            group_agents.group_key,
            group_agents.agent_id,
            group_agents.load_before + group_leads.lead_rank as load_after,
            row_number() over (
                partition by group_agents.group_key
                order by
                    case when group_agents.routing_method = 'round_robin' then group_leads.lead_rank end asc,
                    case when group_agents.routing_method = 'round_robin' then group_agents.agent_id end asc,
                    {{ workload_after }} asc nulls last,
                    group_agents.agent_id asc,
                    group_leads.lead_rank asc
            ) as place_rank
        from group_agents
        inner join group_leads
            on group_agents.group_key = group_leads.group_key
            and (group_agents.room is null or group_leads.lead_rank <= group_agents.room)
    ),

    -- The k-th lead of a group claims the k-th place; each agent ranks the claims on it.
    claims as (
        select
            group_leads.lead_id,
            places.agent_id,
            row_number() over (
                partition by places.agent_id
                order by
                    places.load_after asc,
                    group_leads.score desc nulls last,
                    group_leads.first_seen_at asc nulls last,
                    group_leads.lead_id asc
            ) as agent_claim_rank
        from group_leads
        inner join places
            on group_leads.group_key = places.group_key
            and group_leads.lead_rank = places.place_rank
    )

    {%- if placed_before %}
    select
        lead_id,
        agent_id,
        routing_pass
    from {{ placed_before }}
    union all
    {%- endif %}
    -- The claims each agent keeps, up to its room: those leads are placed.
    select
        claims.lead_id,
        claims.agent_id,
        {{ pass }} as routing_pass
    from claims
    inner join rooms
        on claims.agent_id = rooms.agent_id
    where rooms.room is null or claims.agent_claim_rank <= rooms.room
{% endmacro %}

{# Spark: every step as a working table (the pre-hook of int_leads_routed). #}
{% macro routing_pass_tables(candidates, leads, agents_rated) %}
    {% if not execute or not steps_in_working_tables() %}{{ return('') }}{% endif %}
    {% set routing = var('sales').routing %}
    {% set W = working_table %}
    {{ create_working_table('routing_agents', routing_agents_sql(agents_rated)) }}
    {{ create_working_table('routing_pool_leads', routing_leads_sql(candidates, leads, W('routing_agents'))) }}
    {{ create_working_table('routing_pool_agents', routing_pool_agents_sql(W('routing_pool_leads'), candidates, W('routing_agents'))) }}
    {% for pass in range(1, routing.capacity_passes + 1) %}
        {{ create_working_table('routing_placed_' ~ pass, routing_pass_sql(
            pass, W('routing_pool_leads'), W('routing_pool_agents'), W('routing_agents'),
            W('routing_placed_' ~ (pass - 1)) if pass > 1 else none, routing.workload_measure)) }}
        {% if pass > 1 %}{{ drop_working_tables(['routing_placed_' ~ (pass - 1)]) }}{% endif %}
    {% endfor %}
    {{ drop_working_tables(['routing_agents', 'routing_pool_leads', 'routing_pool_agents']) }}
    {{ return('') }}
{% endmacro %}

{% macro routing_drop_pass_tables() %}
    {% if execute and steps_in_working_tables() %}
        {{ drop_working_tables(['routing_placed_' ~ var('sales').routing.capacity_passes]) }}
    {% endif %}
    {{ return('') }}
{% endmacro %}
