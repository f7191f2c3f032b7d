{#
    Which lead each lead record belongs to: entity resolution's clusters
    (intermediate/entity_resolution/, docs/entity_resolution.md). The identity map, dim_leads and
    the lead facts all read lead_id from here.

    match_rule: fellegi_sunter (linked by estimated match probability), baseline_rule (the points
    rule, in baseline mode), reviewer (a reviewer confirmed the link), or single_record (a lead
    with one record). is_deleted: the record's source deleted it (int_lead_records_deleted); it
    keeps its lead and its place in entity resolution.
#}

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
)

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
{{ storage_order(['lead_records.source', 'lead_records.source_record_id']) }}
