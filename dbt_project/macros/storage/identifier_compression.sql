{#
    The DDL dbt writes for a model with an enforced contract (every mart), on DuckDB: dbt-adapters'
    table_columns_and_constraints, with `using compression fsst` after each column named in the
    var `duckdb_identifier_columns` (dbt_project.yml).

    DuckDB chooses each column segment's compression as it writes, by analysing the segment for
    every method it has; for strings the dictionary analysis is the costly part, and it is wasted on
    identifiers, whose unique values end up FSST-compressed anyway. Declared FSST, they skip it:
    writing the nine largest marts at 1,000,000 leads took 20.3 s instead of 25.5 s, the files
    2.6 % larger (docs/performance.md, `make bench-pipeline SCENARIO=writes`). Every other column
    keeps DuckDB's choice: BI groups and filters by the low-cardinality strings (source, type,
    status), which read fastest dictionary-encoded; the marts all written without dictionaries took
    2-7 times as long for such queries. Tried and dropped: the intermediate tables written without
    dictionaries (a pre-hook): as many of their models got slower as faster.

    Other engines keep dbt's own DDL (this macro is DuckDB's only).
#}
{% macro duckdb__get_table_columns_and_constraints() -%}
    {%- set identifiers = var('duckdb_identifier_columns', []) -%}
    {%- set columns = model['columns'].values() | list -%}
    {%- set raw_column_constraints = adapter.render_raw_columns_constraints(raw_columns=model['columns']) -%}
    {%- set raw_model_constraints = adapter.render_raw_model_constraints(raw_constraints=model['constraints']) -%}
    (
    {% for c in raw_column_constraints -%}
      {{ c }}{{ ' using compression fsst' if columns[loop.index0]['name'] in identifiers }}{{ "," if not loop.last or raw_model_constraints }}
    {% endfor %}
    {% for c in raw_model_constraints -%}
        {{ c }}{{ "," if not loop.last }}
    {% endfor -%}
    )
{%- endmacro %}
