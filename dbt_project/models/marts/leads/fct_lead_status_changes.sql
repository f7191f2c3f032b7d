with

status_changes as (
    {{ union_staged_records('status_change', [
        ref('stg_crm_status_changes__status_changes'),
        ref('stg_crm_database_status_changes__status_changes'),
        ref('stg_other_sources__status_changes'),
    ]) }}
),

lead_identity_map as (
    select
        source,
        source_record_id,
        lead_id
    from {{ ref('lead_identity_map') }}
),

resolved_status_changes as (
    select
        status_changes.*,
        lead_identity_map.lead_id,
        -- Changes whose lead record is unknown still form a history of their own per lead record.
        coalesce(
            lead_identity_map.lead_id,
            {{ dbt.concat([
                "'unresolved:'",
                "coalesce(status_changes.lead_record_source, '')",
                "':'",
                "coalesce(status_changes.lead_record_id, '')",
            ]) }}
        ) as status_history_key
    from status_changes
    left join lead_identity_map
        on status_changes.lead_record_source = lead_identity_map.source
        and status_changes.lead_record_id = lead_identity_map.source_record_id
),

status_changes_with_previous as (
    select
        *,
        lag(status) over status_history as previous_status,
        lag(changed_at) over status_history as previous_changed_at
    from resolved_status_changes
    window status_history as (
        partition by status_history_key
        order by changed_at asc nulls last, source asc, source_record_id asc
    )
)

select
    {{ short_hash(dbt.concat(['source', "':'", 'source_record_id'])) }} as status_change_id,
    lead_id,
    status,
    previous_status,
    changed_at,
    previous_changed_at,
    {{ seconds_between('previous_changed_at', 'changed_at') }} / 3600.0 as hours_in_previous_status,
    agent_id,
    deal_amount,
    reason,
    source,
    source_record_id,
    lead_record_source,
    lead_record_id
from status_changes_with_previous
