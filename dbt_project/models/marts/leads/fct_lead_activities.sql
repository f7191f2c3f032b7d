{#
    Incremental on DuckDB (a table on Spark, incremental_or_table): a run writes only
    - the activities ingested since the rows this table holds (`_ingested_at` after its latest:
      new activities and new versions of known ones; staging picks the latest version of each);
    - the activities of lead records whose lead id changed (a merge, a split, a reviewer's
      decision, a record not resolved before): their rows as this table holds them, with the
      lead id the identity map gives now.
    Everything else stays as written. `tests/dbt/test_incremental_marts.py` proves the table equals a
    full rebuild's after new, changed and merged records. `dbt build --full-refresh` rebuilds it.
#}
{{ config(
    materialized=incremental_or_table(),
    unique_key='activity_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}

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
),

{% if is_incremental() and not incremental_table_outdated() %}

held_latest as (
    select max(_ingested_at) as _ingested_at
    from {{ this }}
),

ingested_since as (
    select activities.*
    from activities
    cross join held_latest
    {#- An empty table (built before any activity landed) holds no latest: everything is new. #}
    where held_latest._ingested_at is null
        or activities._ingested_at > held_latest._ingested_at
),

{#- The rows this table holds whose lead record now maps to another lead (or to none). #}
remapped as (
    select
        held.activity_type,
        held.occurred_at,
        held.detail,
        held.duration_seconds,
        held.direction,
        held.response_seconds,
        held.source,
        held.source_record_id,
        held.lead_record_source,
        held.lead_record_id,
        held._ingested_at
    from {{ this }} as held
    left join lead_identity_map
        on held.lead_record_source = lead_identity_map.source
        and held.lead_record_id = lead_identity_map.source_record_id
    where held.lead_id is distinct from lead_identity_map.lead_id
),

to_write as (
    select
        activity_type, occurred_at, detail, duration_seconds, direction, response_seconds,
        source, source_record_id, lead_record_source, lead_record_id, _ingested_at
    from ingested_since
    union all
    select remapped.*
    from remapped
    left join ingested_since
        on remapped.source = ingested_since.source
        and remapped.source_record_id = ingested_since.source_record_id
    where ingested_since.source_record_id is null
)

{% else %}

to_write as (
    select *
    from activities
)

{% endif %}

select
    {{ short_hash(dbt.concat(['to_write.source', "':'", 'to_write.source_record_id'])) }} as activity_id,
    lead_identity_map.lead_id,
    to_write.activity_type,
    to_write.occurred_at,
    to_write.detail,
    to_write.duration_seconds,
    to_write.direction,
    to_write.response_seconds,
    to_write.source,
    to_write.source_record_id,
    to_write.lead_record_source,
    to_write.lead_record_id,
    to_write._ingested_at
from to_write
left join lead_identity_map
    on to_write.lead_record_source = lead_identity_map.source
    and to_write.lead_record_id = lead_identity_map.source_record_id
