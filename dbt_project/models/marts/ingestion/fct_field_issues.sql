with

field_issues as (
    select
        source,
        entity,
        file,
        file_version,
        coalesce(column_name, {{ dbt.concat(["'attributes.'", 'native_column']) }}) as column_name,
        native_column,
        reason,
        action,
        raw_value,
        row_number
    from {{ ref('stg_ingestion__field_issues') }}
)

select
    source,
    entity,
    file,
    file_version,
    column_name,
    native_column,
    reason,
    action,
    count(*) as issue_count,
    min(row_number) as first_row_number,
    min(raw_value) as example_raw_value
from field_issues
group by source, entity, file, file_version, column_name, native_column, reason, action
