{#
    On DuckDB the marts live in a database file of their own, attached to the warehouse as
    `leadhouse_marts` (profiles.yml): publishing them for readers is then a copy of that file
    (leadhouse/publish.py), not a rewrite of every row. Every other model, and every model on an
    engine without attached files (Spark), goes where dbt puts it: the target's database.
#}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
    {{ return(adapter.dispatch('model_database_name', 'leadhouse')(custom_database_name, node)) }}
{%- endmacro %}

{% macro default__model_database_name(custom_database_name, node) -%}
    {{ return(dbt.generate_database_name(custom_database_name, node)) }}
{%- endmacro %}

{% macro duckdb__model_database_name(custom_database_name, node) -%}
    {%- if node is not none and node.resource_type in ('model', 'snapshot') and node.config.schema == 'marts' -%}
        {{ return('leadhouse_marts') }}
    {%- endif -%}
    {{ return(dbt.generate_database_name(custom_database_name, node)) }}
{%- endmacro %}
