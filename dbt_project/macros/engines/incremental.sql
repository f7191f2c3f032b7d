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

{#
    True on an incremental run of a model whose table lacks one of the columns its YAML documents
    (a table written by an earlier version of the project). The model then writes every row, as a
    full refresh would, and `on_schema_change='append_new_columns'` adds the column first, so an
    upgrade needs no --full-refresh and never leaves the new column empty in old rows.
#}
{% macro incremental_table_outdated() %}
    {%- if not execute or not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set held = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- for name in model.columns if name | lower not in held -%}
        {{ log(this ~ " lacks column " ~ name ~ ": every row is written again", info=true) }}
        {{ return(true) }}
    {%- endfor -%}
    {{ return(false) }}
{% endmacro %}

{#
    A post-hook of an incremental table with one row per `key`: deletes the rows whose key is no
    longer in `source` (delete+insert replaces the rows a run writes; it never removes one). Nothing
    on a table build, or on Spark, where the model is a table.
#}
{% macro delete_rows_missing_from(target, key, source) %}
    {%- if is_incremental() -%}
        delete from {{ target }}
        where {{ key }} not in (select {{ key }} from {{ source }} where {{ key }} is not null)
    {%- endif -%}
{% endmacro %}

{#
    The groups (`key`: a column, or a list of columns) of an incremental model whose inputs changed
    since this table was written: those whose fingerprint (`fingerprints`: a relation or CTE of the
    key and _inputs_fingerprint, inputs_fingerprint) differs from the one the table holds, or that
    it lacks, and those it holds that have no inputs any more (`is_gone`).
#}
{% macro changed_groups(fingerprints, key) %}
    {%- set keys = [key] if key is string else key %}
    select
        {%- for column in keys %}
        coalesce(fingerprints.{{ column }}, held.{{ column }}) as {{ column }},
        {%- endfor %}
        fingerprints.{{ keys[0] }} is null as is_gone
    from {{ fingerprints }} as fingerprints
    full outer join (
        select
            {{ keys | join(', ') }},
            min(_inputs_fingerprint) as _inputs_fingerprint
        from {{ this }}
        group by {{ keys | join(', ') }}
    ) as held
        on {% for column in keys %}fingerprints.{{ column }} = held.{{ column }}{{ ' and ' if not loop.last }}{% endfor %}
    where held._inputs_fingerprint is distinct from fingerprints._inputs_fingerprint
{% endmacro %}

{#
    A post-hook: deletes the rows whose `column` is null, the tombstones an incremental run writes
    for a group that has no rows any more (delete+insert by the group's key removes its old rows,
    then this removes the tombstone). Nothing on a table build.
#}
{% macro delete_tombstones(target, column) %}
    {%- if is_incremental() -%}
        delete from {{ target }} where {{ column }} is null
    {%- endif -%}
{% endmacro %}
