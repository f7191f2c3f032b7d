{#
    Drops the relations a dbt materialization builds beside a model and drops again when it is done
    (`<model>__dbt_tmp...`, `<model>__dbt_backup`): a build that is killed or fails between the two
    leaves them, and dbt-duckdb's incremental Python models always leave one (their temporary relation
    is written as a plain table in the target schema, `main.int_er_records_clustered__dbt_tmp<time>`,
    and never dropped, because for the SQL path it would have been a connection-scoped temporary
    table). Run as `on-run-start` and `on-run-end` (dbt_project.yml), so the warehouse, and the copy
    published from it, hold only models, seeds and the raw tables.
#}
{% macro drop_leftover_relations() %}
    {% if execute %}
        {% for relation in adapter.dispatch('dbt_leftover_relations', 'leadhouse')() %}
            {% do log('dropping ' ~ relation ~ ', left behind by an earlier dbt build', info=true) %}
            {% do adapter.drop_relation(relation) %}
        {% endfor %}
    {% endif %}
{% endmacro %}

{% macro dbt_leftover_relation_filter(name_column) -%}
    ({{ name_column }} like '%!_!_dbt!_tmp%' escape '!' or {{ name_column }} like '%!_!_dbt!_backup%' escape '!')
{%- endmacro %}

{# On a shared database server: only the schemas this project builds into. #}
{% macro default__dbt_leftover_relations() %}
    {% set schemas = [target.schema] %}
    {% for node in graph.nodes.values() if node.resource_type in ('model', 'seed', 'snapshot') %}
        {% do schemas.append(node.schema) %}
    {% endfor %}
    {% set query %}
        select table_catalog, table_schema, table_name, table_type from information_schema.tables
        where lower(table_schema) in ({{ sql_string_list(schemas | map('lower') | unique | list) }})
            and {{ dbt_leftover_relation_filter('table_name') }}
    {% endset %}
    {{ return(dbt_leftover_relations_in(run_query(query))) }}
{% endmacro %}

{# The DuckDB files are the pipeline's alone (one writer): every schema in the warehouse and in the marts'
   own file (macros/generate_database_name.sql), also ones no model uses any more. #}
{% macro duckdb__dbt_leftover_relations() %}
    {% set query %}
        select table_catalog, table_schema, table_name, table_type from information_schema.tables
        where table_catalog in (current_database(), 'leadhouse_marts')
            and {{ dbt_leftover_relation_filter('table_name') }}
    {% endset %}
    {{ return(dbt_leftover_relations_in(run_query(query))) }}
{% endmacro %}

{# information_schema rows -> relations; temporary tables are the current session's own. #}
{% macro dbt_leftover_relations_in(rows) %}
    {% set relations = [] %}
    {% for database, schema, name, table_type in rows if table_type in ('BASE TABLE', 'VIEW') %}
        {% do relations.append(api.Relation.create(
            database=database, schema=schema, identifier=name,
            type='view' if table_type == 'VIEW' else 'table')) %}
    {% endfor %}
    {{ return(relations) }}
{% endmacro %}

{# Spark: dbt-spark builds its temporary relations as session-scoped views, which end with the
   session, so a killed build leaves nothing to drop. #}
{% macro spark__dbt_leftover_relations() %}
    {{ return([]) }}
{% endmacro %}
