{#
    Why each lead has its score: one row per lead and rule that fired as of `as_of`, with the
    points it gave (before the category cap; marts.lead_rule_scores applies the caps).
    On DuckDB a view: the rows are int_lead_rule_hits' (millions at scale), not worth a second
    copy (the published copy holds both). On Spark a table: the marts are published as Parquet.
#}
{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}

select
    lead_id,
    rule_id,
    rule_name,
    rule_kind,
    category,
    points,
    events,
    {{ as_of() }} as scored_as_of
from {{ ref('int_lead_rule_hits') }}
