select
    source,
    entity,
    file,
    file_sha256,
    file_version,
    row_number,
    raw_row,
    reasons,
    batch_id,
    quarantined_at
from {{ source('raw', 'quarantine') }}
