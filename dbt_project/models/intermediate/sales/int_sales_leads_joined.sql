{#
    One row per lead first seen by as_of: what routing, the follow-up queues and the work queue
    read about it (status and owner from dim_leads, fields from lead_enrichment, score from
    lead_rule_scores), its latest activities up to as_of, and when its current owner got it. A
    lead without a status yet is New. A lead deleted in its sources (dim_leads.is_deleted) is left
    out: nobody works a lead the CRM deleted.
#}

with

leads as (
    select
        lead_id,
        owner_agent_id,
        coalesce(current_status, 'New') as current_status,
        current_status_at,
        is_closed,
        is_won,
        won_amount,
        first_channel,
        first_seen_at
    from {{ ref('dim_leads') }}
    where first_seen_at <= {{ as_of() }}
        and not is_deleted
),

enrichment as (
    select
        lead_id,
        region,
        industry,
        product_interest,
        budget,
        company_size,
        do_not_email,
        do_not_call
    from {{ ref('lead_enrichment') }}
),

scores as (
    select
        lead_id,
        score,
        grade,
        priority
    from {{ ref('lead_rule_scores') }}
),

activity_summaries as (
    select
        lead_id,
        max(occurred_at) as last_activity_at,
        max(case when is_lead_action then occurred_at end) as last_lead_action_at,
        max(team_touch_at) as last_team_touch_at
    from {{ ref('int_sales_activities_classified') }}
    group by lead_id
),

agent_changes as (
    select
        status_changes.lead_id,
        status_changes.changed_at,
        status_changes.agent_id = leads.owner_agent_id as is_by_owner
    from {{ ref('fct_lead_status_changes') }} as status_changes
    inner join leads
        on status_changes.lead_id = leads.lead_id
    where status_changes.agent_id is not null
        and status_changes.changed_at <= {{ as_of() }}
),

-- The owner got the lead at their first change after the last change by another agent.
last_other_agent_changes as (
    select
        lead_id,
        max(changed_at) as last_other_agent_at
    from agent_changes
    where not is_by_owner
    group by lead_id
),

assignments as (
    select
        agent_changes.lead_id,
        min(agent_changes.changed_at) as assigned_at
    from agent_changes
    left join last_other_agent_changes
        on agent_changes.lead_id = last_other_agent_changes.lead_id
    where agent_changes.is_by_owner
        and (
            last_other_agent_changes.last_other_agent_at is null
            or agent_changes.changed_at > last_other_agent_changes.last_other_agent_at
        )
    group by agent_changes.lead_id
)

select
    leads.lead_id,
    leads.owner_agent_id,
    assignments.assigned_at,
    leads.current_status,
    leads.current_status_at,
    leads.is_closed,
    leads.is_won,
    leads.won_amount,
    leads.first_channel,
    leads.first_seen_at,
    enrichment.region,
    enrichment.industry,
    enrichment.product_interest,
    enrichment.budget,
    enrichment.company_size,
    coalesce(enrichment.do_not_email, false) as do_not_email,
    coalesce(enrichment.do_not_call, false) as do_not_call,
    scores.score,
    scores.grade,
    scores.priority,
    activity_summaries.last_activity_at,
    activity_summaries.last_lead_action_at,
    activity_summaries.last_team_touch_at
from leads
left join enrichment
    on leads.lead_id = enrichment.lead_id
left join scores
    on leads.lead_id = scores.lead_id
left join activity_summaries
    on leads.lead_id = activity_summaries.lead_id
left join assignments
    on leads.lead_id = assignments.lead_id
