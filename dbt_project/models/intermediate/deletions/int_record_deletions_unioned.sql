{{ config(materialized='view') }}

{#
    Every record deletion of every source (ingest.crm_database: a row its database no longer
    has), one row per (source, source_record_id): the per-source staging models and the
    other_sources catch-all stacked with the same columns.
#}

{{ union_staged_records('record_deletion', [
    ref('stg_crm_database_deletions__record_deletions'),
    ref('stg_other_sources__record_deletions'),
]) }}
