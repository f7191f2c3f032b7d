with

ledger_entries as (
    select
        *,
        row_number() over (
            partition by source, file, file_version
            order by ingested_at desc nulls last, batch_id desc nulls last
        ) as entry_recency_rank
    from {{ source('raw', 'ingest_ledger') }}
),

latest_ledger_entries as (
    select *
    from ledger_entries
    where entry_recency_rank = 1
)

select
    source,
    entity,
    file,
    file_version,
    file_sha256,
    file_size,
    status,
    rows_read,
    rows_loaded,
    rows_quarantined,
    coalesce(field_issues, 0) as field_issue_count,
    {{ clean_text('message') }} as message,
    batch_id,
    ingested_at
from latest_ledger_entries
