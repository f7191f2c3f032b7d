{#
    The raw layer on each engine. DuckDB: the ingestion's own tables, nothing to do. Spark: the
    Parquet folders leadhouse.engines.export_raw_parquet wrote under LEADHOUSE_DATA_DIR/spark/raw/,
    registered as tables of the `raw` database, anew each run. Called by on-run-start.
#}
{% macro register_raw_tables() %}
    {{ return(adapter.dispatch('register_raw_tables', 'leadhouse')()) }}
{% endmacro %}

{% macro default__register_raw_tables() %}

{% endmacro %}

{% macro spark__register_raw_tables() %}
    {% if execute %}
        {% set root = env_var('LEADHOUSE_DATA_DIR', '../data') ~ '/spark/raw' %}
        {% set tables = [] %}
        {% for node in graph.sources.values() if node.schema == 'raw' %}
            {% if node.identifier not in tables %}{% do tables.append(node.identifier) %}{% endif %}
        {% endfor %}
        {% do run_query('create database if not exists raw') %}
        {% for table in tables %}
            {# Dropped and created each run: external, so the files stay, and the schema is read
               anew (the ingestion adds columns to raw tables over time). #}
            {% do run_query('drop table if exists raw.' ~ table) %}
            {% do run_query('create table raw.' ~ table ~ " using parquet location '" ~ root ~ '/' ~ table ~ "'") %}
        {% endfor %}
    {% endif %}

{% endmacro %}
