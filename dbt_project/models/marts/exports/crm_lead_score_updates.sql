{#
    One row per lead record of the CRM's own database (source var('crm_lead_source')) whose lead
    is scored: what the sync config/exports/crm_database_scores.yml writes back onto that CRM row.
    A CRM row deleted in the CRM is erased here, so the sync never brings it back.
#}

with

crm_records as (
    select
        source_record_id as crm_lead_id,
        lead_id,
        is_deleted
    from {{ ref('lead_identity_map') }}
    where source = '{{ var("crm_lead_source") }}'
),

lead_exports as (
    select *
    from {{ ref('lead_score_exports') }}
)

select
    crm_records.crm_lead_id,
    crm_records.lead_id,
    -- One scale for the agent: the CRM's score is the probability in points, its grade the model's.
    cast(round(lead_exports.conversion_probability * 100) as integer) as score,
    lead_exports.model_grade as grade,
    lead_exports.conversion_probability,
    lead_exports.model_version,
    {{ dbt.concat([
        "coalesce(lead_exports.top_positive_factors, '')",
        "case when lead_exports.top_negative_factors is not null then ' | against: ' else '' end",
        "coalesce(lead_exports.top_negative_factors, '')",
    ]) }} as top_factors,
    lead_exports.recommended_agent_id,
    lead_exports.scored_at,
    lead_exports.is_do_not_contact,
    lead_exports.is_erased or crm_records.is_deleted as is_erased
from crm_records
inner join lead_exports
    on crm_records.lead_id = lead_exports.lead_id
