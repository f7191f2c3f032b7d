{#
    Which lead each lead record belongs to: entity resolution's clusters
    (intermediate/entity_resolution/, docs/entity_resolution.md). dim_leads, the lead facts and
    the identity map read lead_id from here; lead_record_count is the size of the record's lead.
    is_deleted: the record's source deleted it (int_lead_records_deleted); it keeps its lead and
    its place in entity resolution. How each record was linked (match rule, probability, the
    link's evidence) is in marts.lead_identity_map, read from int_er_records_clustered: those
    change with every run's match weights, for every record of a lead of several.

    Incremental on DuckDB (a table on Spark, incremental_or_table). Each row carries
    `_inputs_fingerprint`: a hash of what the row is made of besides the record's own columns (the
    record version: its `_ingested_at`, as staging keeps the version ingested last; its lead and
    the lead's size; its deletion), of this model's code and of the models' upstream of the
    record's columns (models_code). A run computes every record's fingerprint from those few
    columns, then writes only the records whose fingerprint is new or differs: new records and
    versions, merges and splits, deletions. A record gone from the sources gets a tombstone
    (lead_id null) that replaces its row and that the post-hook deletes.
    `tests/dbt/test_incremental_marts.py` proves the table equals a full rebuild's; `dbt build
    --full-refresh` rebuilds it (after a change to a macro it calls).
#}
{#- sync_all_columns: an upgrade drops the columns it no longer has (match_rule, match_probability
    and matched_by went to lead_identity_map) and adds new ones. #}
{{ config(
    materialized=incremental_or_table(),
    unique_key=['source', 'source_record_id'],
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    post_hook="{{ delete_tombstones(this, 'lead_id') }}",
) }}

{%- set incremental = is_incremental() and not incremental_table_outdated() %}
{#- The row's fingerprint, from the columns the record's own do not give (see above). #}
{%- set fingerprint = inputs_fingerprint([
    'lead_records._ingested_at', 'clustered.lead_id', 'clustered.cluster_size',
    'deleted_records.deleted_at',
], models_code(['int_lead_records_unioned', 'int_lead_records_deleted'])) %}

with

lead_records as (
    select *
    from {{ ref('int_lead_records_unioned') }}
),

clustered as (
    select *
    from {{ ref('int_er_records_clustered') }}
),

deleted_records as (
    select *
    from {{ ref('int_lead_records_deleted') }}
),

{% if incremental %}

fingerprints as (
    select
        lead_records.source,
        lead_records.source_record_id,
        {{ fingerprint }} as _inputs_fingerprint
    from lead_records
    inner join clustered
        on clustered.record_key = {{ dbt.concat(['lead_records.source', "':'", 'lead_records.source_record_id']) }}
    left join deleted_records
        on lead_records.source = deleted_records.source
        and lead_records.source_record_id = deleted_records.source_record_id
),

changed_records as (
    {{ changed_groups('fingerprints', ['source', 'source_record_id']) }}
),

records_to_write as (
    select lead_records.*
    from lead_records
    inner join changed_records
        on lead_records.source = changed_records.source
        and lead_records.source_record_id = changed_records.source_record_id
    where not changed_records.is_gone
)

{% else %}

records_to_write as (
    select *
    from lead_records
)

{% endif %}

select
    clustered.lead_id,
    clustered.cluster_size as lead_record_count,
    deleted_records.deleted_at is not null as is_deleted,
    deleted_records.deleted_at,
    lead_records.*,
    {{ fingerprint }} as _inputs_fingerprint
from records_to_write as lead_records
inner join clustered
    on clustered.record_key = {{ dbt.concat(['lead_records.source', "':'", 'lead_records.source_record_id']) }}
left join deleted_records
    on lead_records.source = deleted_records.source
    and lead_records.source_record_id = deleted_records.source_record_id
{%- if incremental %}
{#- A record no source holds any more: its tombstone (DuckDB only, as the incremental path). #}
union all by name
select source, source_record_id
from changed_records
where is_gone
{%- endif %}
{{ storage_order(['source', 'source_record_id']) }}
