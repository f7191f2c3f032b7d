with

activities as (
    {{ union_staged_records('activity', [
        ref('stg_crm_activities__activities'),
        ref('stg_crm_database_activities__activities'),
        ref('stg_other_sources__activities'),
    ]) }}
),

lead_identity_map as (
    select
        source,
        source_record_id,
        lead_id
    from {{ ref('lead_identity_map') }}
)

select
    {{ short_hash(dbt.concat(['activities.source', "':'", 'activities.source_record_id'])) }} as activity_id,
    lead_identity_map.lead_id,
    activities.activity_type,
    activities.occurred_at,
    activities.detail,
    activities.duration_seconds,
    activities.direction,
    activities.response_seconds,
    activities.source,
    activities.source_record_id,
    activities.lead_record_source,
    activities.lead_record_id
from activities
left join lead_identity_map
    on activities.lead_record_source = lead_identity_map.source
    and activities.lead_record_id = lead_identity_map.source_record_id
