select
    source,
    entity,
    file,
    file_sha256,
    file_version,
    row_number,
    column_name,
    native_column,
    raw_value,
    reason,
    action,
    batch_id,
    recorded_at
from {{ source('raw', 'field_issues') }}
