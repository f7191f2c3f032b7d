with

file_loads as (
    select *
    from {{ ref('stg_ingestion__file_loads') }}
),

quarantined_rows as (
    select
        source,
        file,
        file_version,
        count(*) as quarantined_row_count
    from {{ ref('stg_ingestion__quarantined_rows') }}
    group by source, file, file_version
),

ranked_reasons as (
    select
        source,
        file,
        file_version,
        reason_kind,
        quarantined_row_count,
        count(*) over file_reasons as quarantine_reason_count,
        row_number() over file_reasons_most_frequent_first as reason_rank
    from {{ ref('fct_quarantine_reasons') }}
    window
        file_reasons as (partition by source, file, file_version),
        file_reasons_most_frequent_first as (
            partition by source, file, file_version
            order by quarantined_row_count desc, reason_kind asc
        )
),

top_reasons as (
    select
        source,
        file,
        file_version,
        quarantine_reason_count,
        reason_kind as top_quarantine_reason,
        quarantined_row_count as top_quarantine_reason_row_count
    from ranked_reasons
    where reason_rank = 1
)

select
    file_loads.source,
    file_loads.entity,
    file_loads.file,
    file_loads.file_version,
    file_loads.file_sha256,
    file_loads.file_size,
    file_loads.status,
    file_loads.rows_read,
    file_loads.rows_loaded,
    file_loads.rows_quarantined,
    file_loads.rows_quarantined / nullif(cast(file_loads.rows_read as double), 0) as quarantined_share,
    coalesce(quarantined_rows.quarantined_row_count, 0) as quarantine_table_row_count,
    coalesce(top_reasons.quarantine_reason_count, 0) as quarantine_reason_count,
    top_reasons.top_quarantine_reason,
    top_reasons.top_quarantine_reason_row_count,
    file_loads.message,
    file_loads.batch_id,
    file_loads.ingested_at
from file_loads
left join quarantined_rows
    on file_loads.source = quarantined_rows.source
    and file_loads.file = quarantined_rows.file
    and file_loads.file_version = quarantined_rows.file_version
left join top_reasons
    on file_loads.source = top_reasons.source
    and file_loads.file = top_reasons.file
    and file_loads.file_version = top_reasons.file_version
