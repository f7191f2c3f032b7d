select
    source,
    source_record_id,
    lead_id,
    match_rule
from {{ ref('int_lead_records_matched') }}
