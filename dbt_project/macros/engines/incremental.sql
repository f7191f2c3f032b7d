{#
    Incremental models on each engine. DuckDB updates tables in place (delete+insert). dbt-spark
    without Delta or Iceberg (not reachable here) has append and insert_overwrite only, and a
    model cannot overwrite a table it reads; so on Spark:
    - a model that keeps what it computed before and adds to it (int_er_pairs_compared) is
      rebuilt whole every run (incremental_or_table: 'table'), the same rows, more work;
    - an append-only history whose rows never repeat (lead_merge_history) appends.
    With Delta on a real cluster, both can use merge (docs/scale-out.md).
#}
{% macro incremental_or_table() %}
    {{ return(adapter.dispatch('incremental_or_table', 'leadhouse')()) }}
{% endmacro %}

{% macro default__incremental_or_table() %}{{ return('incremental') }}{% endmacro %}

{% macro spark__incremental_or_table() %}{{ return('table') }}{% endmacro %}

{% macro append_only_strategy() %}
    {{ return(adapter.dispatch('append_only_strategy', 'leadhouse')()) }}
{% endmacro %}

{% macro default__append_only_strategy() %}{{ return('delete+insert') }}{% endmacro %}

{% macro spark__append_only_strategy() %}{{ return('append') }}{% endmacro %}
