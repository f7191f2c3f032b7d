select
    source,
    source_record_id,
    lead_id,
    match_rule,
    match_probability,
    matched_by
from {{ ref('int_lead_records_matched') }}
