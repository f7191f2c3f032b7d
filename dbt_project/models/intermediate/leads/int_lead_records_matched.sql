{#
    Which lead each lead record belongs to: entity resolution's clusters
    (intermediate/entity_resolution/, docs/entity_resolution.md). The identity map, dim_leads and
    the lead facts all read lead_id from here.

    match_rule: fellegi_sunter (linked by estimated match probability), baseline_rule (the points
    rule, in baseline mode), reviewer (a reviewer confirmed the link), or single_record (a lead
    with one record). is_deleted: the record's source deleted it (int_lead_records_deleted); it
    keeps its lead and its place in entity resolution.

    Incremental on DuckDB (a table on Spark, incremental_or_table): a run computes every row, as
    a table build does (about 2 s of this model's 7 s at 1,000,000 leads), and writes only those
    that differ from the row held in any column (`rows_differ`): new records and new versions,
    records that changed lead, whose lead gained or lost a record, or that were deleted. The
    post-hook deletes the rows of records entity resolution no longer has (a source removed).
    A column removed from this model needs `dbt build --full-refresh --select
    int_lead_records_matched` (the comparison reads the table's columns).
#}
{{ config(
    materialized=incremental_or_table(),
    unique_key=['source', 'source_record_id'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ delete_rows_missing_from(this, ['source', 'source_record_id'], ref('int_er_records_clustered'), 'record_key') }}",
) }}

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

matched as (
    select
        clustered.lead_id,
        case
            when clustered.cluster_size = 1 then 'single_record'
            when clustered.matched_by like 'confirmed by reviewer%' then 'reviewer'
            {%- if er_config().mode == 'baseline' %}
            else 'baseline_rule'
            {%- else %}
            else 'fellegi_sunter'
            {%- endif %}
        end as match_rule,
        clustered.match_probability,
        clustered.matched_by,
        clustered.cluster_size as lead_record_count,
        deleted_records.deleted_at is not null as is_deleted,
        deleted_records.deleted_at,
        lead_records.*
    from lead_records
    inner join clustered
        on clustered.record_key = {{ dbt.concat(['lead_records.source', "':'", 'lead_records.source_record_id']) }}
    left join deleted_records
        on lead_records.source = deleted_records.source
        and lead_records.source_record_id = deleted_records.source_record_id
)

select matched.*
from matched
{%- if is_incremental() %}
left join {{ this }} as held
    on matched.source = held.source
    and matched.source_record_id = held.source_record_id
where held.source is null
    or {{ rows_differ('matched', 'held', this) }}
{%- endif %}
{{ storage_order(['matched.source', 'matched.source_record_id']) }}
