with

agents as (
    {{ union_staged_records('agent', [
        ref('stg_crm_agents__agents'),
        ref('stg_crm_database_agents__agents'),
        ref('stg_other_sources__agents'),
    ]) }}
),

ranked_agents as (
    -- An agent listed by several rosters: the most recently ingested entry wins.
    select
        *,
        row_number() over (
            partition by agent_id
            order by _ingested_at desc nulls last, source asc
        ) as agent_recency_rank
    from agents
),

owned_leads as (
    select
        owner_agent_id as agent_id,
        count(*) as owned_lead_count,
        count(case when not is_closed and not is_deleted then lead_id end) as open_lead_count,
        count(case when is_won then lead_id end) as won_lead_count
    from {{ ref('dim_leads') }}
    where owner_agent_id is not null
    group by owner_agent_id
)

select
    ranked_agents.agent_id,
    ranked_agents.agent_name,
    ranked_agents.email,
    ranked_agents.territory,
    ranked_agents.specializations,
    ranked_agents.price_min,
    ranked_agents.price_max,
    ranked_agents.capacity,
    coalesce(ranked_agents.is_active, false) as is_active,
    coalesce(owned_leads.owned_lead_count, 0) as owned_lead_count,
    coalesce(owned_leads.open_lead_count, 0) as open_lead_count,
    coalesce(owned_leads.won_lead_count, 0) as won_lead_count,
    ranked_agents.capacity - coalesce(owned_leads.open_lead_count, 0) as remaining_capacity,
    ranked_agents.source
from ranked_agents
left join owned_leads
    on ranked_agents.agent_id = owned_leads.agent_id
where ranked_agents.agent_recency_rank = 1
