select
    source,
    source_record_id,
    lead_id,
    match_rule,
    match_probability,
    matched_by,
    is_deleted,
    deleted_at
from {{ ref('int_lead_records_matched') }}
