{#
    What the reverse-ETL syncs (config/exports/, docs/exports.md) send to sales tools about each
    scored open lead: contact fields, the model's probability and grade with its reasons, the rule
    score, the agent routing recommends, and the consent flags the sync engine obeys (a lead that
    is do-not-contact or erased is never sent).
#}

with

scores as (
    select *
    from {{ ref('lead_scores') }}
),

leads as (
    select *
    from {{ ref('dim_leads') }}
),

routing as (
    select
        lead_id,
        recommended_agent_id
    from {{ ref('lead_routing') }}
)

select
    scores.lead_id,
    leads.email,
    leads.first_name,
    leads.last_name,
    leads.phone,
    leads.company,
    leads.job_title,
    leads.current_status as lead_status,
    leads.owner_agent_id,
    routing.recommended_agent_id,
    scores.conversion_probability,
    scores.decile,
    scores.model_grade,
    scores.model_version,
    scores.scored_by,
    scores.rule_score,
    scores.rule_grade,
    scores.top_positive_factors,
    scores.top_negative_factors,
    scores.scored_at,
    -- Either opt-out: a sync may carry the email or the phone, and it cannot know which the tool uses.
    leads.do_not_email or leads.do_not_call as is_do_not_contact,
    leads.is_deleted as is_erased
from scores
inner join leads
    on scores.lead_id = leads.lead_id
left join routing
    on scores.lead_id = routing.lead_id
