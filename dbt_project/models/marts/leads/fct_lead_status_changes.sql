{#
    Incremental on DuckDB (a table on Spark, incremental_or_table). Each row's previous status
    depends on the other changes of its lead, so a run rewrites whole histories: those of the
    leads (or unresolved lead records) with a change this table does not hold yet, a new version
    of one it holds, or a change whose lead record now maps to another lead (a merge, a split);
    for such a change both the history it left and the one it joined. Every other row stays as
    written. `tests/dbt/test_incremental_marts.py` proves the table equals a full rebuild's.
    `dbt build --full-refresh` rebuilds it.
#}
{{ config(
    materialized=incremental_or_table(),
    unique_key='status_change_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}

{#- Changes whose lead record is unknown still form a history of their own per lead record. -#}
{%- set status_history_key -%}
    coalesce(
        lead_id,
        {{ dbt.concat([
            "'unresolved:'",
            "coalesce(lead_record_source, '')",
            "':'",
            "coalesce(lead_record_id, '')",
        ]) }}
    )
{%- endset %}

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

resolved as (
    select
        status_changes.*,
        lead_identity_map.lead_id
    from status_changes
    left join lead_identity_map
        on status_changes.lead_record_source = lead_identity_map.source
        and status_changes.lead_record_id = lead_identity_map.source_record_id
),

resolved_status_changes as (
    select
        *,
        {{ status_history_key }} as status_history_key
    from resolved
),

{% if is_incremental() and not incremental_table_outdated() %}

held as (
    select
        source,
        source_record_id,
        _ingested_at,
        {{ status_history_key }} as status_history_key
    from {{ this }}
),

{#- The changes this table does not hold as they are now: new, a new version, or another lead. #}
differing as (
    select
        resolved_status_changes.status_history_key as history_key_now,
        held.status_history_key as history_key_held
    from resolved_status_changes
    left join held
        on resolved_status_changes.source = held.source
        and resolved_status_changes.source_record_id = held.source_record_id
    where held.source_record_id is null
        or resolved_status_changes._ingested_at <> held._ingested_at
        or resolved_status_changes.status_history_key <> held.status_history_key
),

histories_to_rewrite as (
    select history_key_now as status_history_key
    from differing
    union
    select history_key_held
    from differing
    where history_key_held is not null
),

to_write as (
    select resolved_status_changes.*
    from resolved_status_changes
    inner join histories_to_rewrite
        on resolved_status_changes.status_history_key = histories_to_rewrite.status_history_key
),

{% else %}

to_write as (
    select *
    from resolved_status_changes
),

{% endif %}

status_changes_with_previous as (
    select
        *,
        lag(status) over status_history as previous_status,
        lag(changed_at) over status_history as previous_changed_at
    from to_write
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
    lead_record_id,
    _ingested_at
from status_changes_with_previous
