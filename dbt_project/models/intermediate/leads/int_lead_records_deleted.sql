{#
    The lead records their source deleted: one row per (source, source_record_id) of
    int_lead_records_unioned that a record deletion (ingest.crm_database: the extraction no longer
    found it) names, with deleted_at. Only a deletion ingested after the record's latest version
    counts: a record extracted again after it was deleted (re-created with the same id) is not
    deleted any more. The records stay everywhere; marts mark them (lead_identity_map.is_deleted,
    dim_leads.is_deleted).
#}

with

record_deletions as (
    select
        record_source,
        record_id,
        deleted_at,
        _ingested_at
    from {{ ref('int_record_deletions_unioned') }}
),

lead_records as (
    select
        source,
        source_record_id,
        _ingested_at
    from {{ ref('int_lead_records_unioned') }}
)

select
    lead_records.source,
    lead_records.source_record_id,
    max(record_deletions.deleted_at) as deleted_at
from lead_records
inner join record_deletions
    on lead_records.source = record_deletions.record_source
    and lead_records.source_record_id = record_deletions.record_id
where record_deletions._ingested_at > lead_records._ingested_at
group by lead_records.source, lead_records.source_record_id
