{#
    Who works each lead in the queues: its owner, else the agent routing recommends
    (int_leads_routed); null when it has neither.
#}

select
    leads.lead_id,
    coalesce(leads.owner_agent_id, routed.agent_id) as agent_id,
    case
        when leads.owner_agent_id is not null then 'owner'
        when routed.agent_id is not null then 'routing'
    end as agent_source
from {{ ref('int_sales_leads_joined') }} as leads
left join {{ ref('int_leads_routed') }} as routed
    on leads.lead_id = routed.lead_id
