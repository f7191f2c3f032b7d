with

quarantine_reasons as (
    select
        source,
        entity,
        file,
        file_version,
        {{ unnest_json_string_array('reasons') }} as reason
    from {{ ref('stg_ingestion__quarantined_rows') }}
),

quarantine_reason_kinds as (
    select
        source,
        entity,
        file,
        file_version,
        {{ quarantine_reason_kind('reason') }} as reason_kind,
        reason
    from quarantine_reasons
)

select
    source,
    entity,
    file,
    file_version,
    reason_kind,
    count(*) as quarantined_row_count,
    min(reason) as example_reason
from quarantine_reason_kinds
group by source, entity, file, file_version, reason_kind
