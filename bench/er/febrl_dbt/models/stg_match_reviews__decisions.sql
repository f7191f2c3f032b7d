{# No reviewer decisions in a benchmark: an empty table with the decision columns. #}
select
    cast(null as varchar) as left_source, cast(null as varchar) as left_record_id,
    cast(null as varchar) as right_source, cast(null as varchar) as right_record_id,
    cast(null as varchar) as decision, cast(null as varchar) as reviewer,
    cast(null as timestamp) as decided_at, cast(null as varchar) as note,
    cast(null as timestamp) as _ingested_at, cast(null as bigint) as _row_number
where false
