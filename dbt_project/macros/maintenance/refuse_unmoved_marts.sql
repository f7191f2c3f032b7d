{#
    On DuckDB the marts live in a file of their own (macros/generate_database_name.sql). A warehouse
    built before that holds them in its own `marts` schema, with histories dbt cannot rebuild
    (lead_merge_history, the day partitions); building on it would start those afresh in the new
    file. So the build stops and says how to move them first (leadhouse/warehouse.py: every
    pipeline run does it). Run first in `on-run-start`.
#}
{% macro refuse_unmoved_marts() %}
    {{ return(adapter.dispatch('refuse_unmoved_marts', 'leadhouse')()) }}
{% endmacro %}

{% macro default__refuse_unmoved_marts() %}{% endmacro %}

{% macro duckdb__refuse_unmoved_marts() %}
    {% if execute %}
        {% set query %}
            select count(*) from information_schema.tables
            where table_catalog = '{{ target.database }}' and table_schema = 'marts'
        {% endset %}
        {% set unmoved = run_query(query).columns[0].values()[0] %}
        {% if unmoved > 0 %}
            {{ exceptions.raise_compiler_error(
                target.database ~ " holds " ~ unmoved ~ " marts in its own marts schema (built before the marts "
                ~ "had a file of their own): move them first with `.venv/bin/python -m leadhouse.warehouse` "
                ~ "(any pipeline run does it too), then build again (docs/warehouse.md#the-marts-file)") }}
        {% endif %}
    {% endif %}
{% endmacro %}
