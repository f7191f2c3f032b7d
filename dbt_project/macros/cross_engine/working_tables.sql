{#
    Iterative SQL (entity resolution's EM and clustering, routing's capacity passes) where each
    step reads the step before it.

    `name as {{ materialized_cte() }} (...)`: a CTE computed once where the engine can be told so.
    DuckDB inlines a CTE read once, and its filter pushdown walks a window function's input twice
    (duckdb#25373, DuckDB 1.5): unrolled iterations planned in time growing with every one (20 EM
    iterations took minutes on 3,000 leads; materialized, 0.2 s). Other engines get a plain CTE.

    Spark has no such keyword and inlines a CTE at every reference, so a step reading the one
    before it twice doubles the plan each step. There the steps run as working tables
    (steps_in_working_tables()): physical tables in the intermediate schema named
    scratch__<name>, built by a model's pre-hook and dropped when done. Not temporary views: a
    view is resolved again by name on every read, so each step's plan would hold every step before
    it.
#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'leadhouse')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}{%- endmacro %}

{% macro duckdb__materialized_cte() -%}materialized{%- endmacro %}

{#
    `name as {{ inlined_cte() }} (...)`: a CTE the engine computes at each reference, never once
    into a buffer. DuckDB materializes a CTE read twice, and then computes every column of the
    query reading it, those no reader needs too. Other engines get a plain CTE.
#}
{% macro inlined_cte() -%}
    {{ return(adapter.dispatch('inlined_cte', 'leadhouse')()) }}
{%- endmacro %}

{% macro default__inlined_cte() -%}{%- endmacro %}

{% macro duckdb__inlined_cte() -%}not materialized{%- endmacro %}

{% macro steps_in_working_tables() %}
    {{ return(adapter.dispatch('steps_in_working_tables', 'leadhouse')()) }}
{% endmacro %}

{% macro default__steps_in_working_tables() %}{{ return(false) }}{% endmacro %}

{% macro spark__steps_in_working_tables() %}{{ return(true) }}{% endmacro %}

{% macro working_table(name) -%}
    {{ generate_schema_name('intermediate', none) }}.scratch__{{ name }}
{%- endmacro %}

{% macro create_working_table(name, sql) %}
    {% do run_query('drop table if exists ' ~ working_table(name)) %}
    {% do run_query('create table ' ~ working_table(name) ~ ' as ' ~ sql) %}
{% endmacro %}

{% macro drop_working_tables(names) %}
    {% for name in names %}
        {% do run_query('drop table if exists ' ~ working_table(name)) %}
    {% endfor %}
{% endmacro %}
