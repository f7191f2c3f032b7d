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
            order by quarantined_row_count desc, reason_kind asc nulls last
        )
),

field_issues as (
    select
        source,
        file,
        file_version,
        cast(sum(issue_count) as {{ dbt.type_bigint() }}) as field_issue_row_count,
        count(*) as field_issue_kind_count
    from {{ ref('fct_field_issues') }}
    group by source, file, file_version
),

ranked_field_issues as (
    select
        source,
        file,
        file_version,
        {{ dbt.concat(['column_name', "': '", 'reason']) }} as field_issue,
        issue_count,
        row_number() over (
            partition by source, file, file_version
            order by issue_count desc, column_name asc nulls last, reason asc nulls last
        ) as issue_rank
    from {{ ref('fct_field_issues') }}
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
    file_loads.field_issue_count,
    coalesce(field_issues.field_issue_row_count, 0) as field_issue_table_row_count,
    coalesce(field_issues.field_issue_kind_count, 0) as field_issue_kind_count,
    ranked_field_issues.field_issue as top_field_issue,
    ranked_field_issues.issue_count as top_field_issue_count,
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
left join field_issues
    on file_loads.source = field_issues.source
    and file_loads.file = field_issues.file
    and file_loads.file_version = field_issues.file_version
left join ranked_field_issues
    on file_loads.source = ranked_field_issues.source
    and file_loads.file = ranked_field_issues.file
    and file_loads.file_version = ranked_field_issues.file_version
    and ranked_field_issues.issue_rank = 1
