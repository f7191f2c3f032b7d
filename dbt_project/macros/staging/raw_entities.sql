{#
    The raw layer has one physical table per entity (ingest.schemas.ENTITIES, rendered into
    macros/generated/leadhouse_vocabulary.sql), every source appended into it with a `source`
    column. Per entity: `table`, that physical table; `all_sources`, the dbt source table that
    reads all of it; `columns`, its canonical columns as [name, kind].
#}
{% macro raw_entity(entity) -%}
    {%- set entities = leadhouse_entities() -%}
    {%- if entity not in entities -%}
        {{ exceptions.raise_compiler_error(
            "Unknown entity '" ~ entity ~ "': expected one of " ~ (entities.keys() | list | join(', '))
        ) }}
    {%- endif -%}
    {{ return(entities[entity]) }}
{%- endmacro %}

{# The dbt source node of `raw.<table_name>` (execute time only). #}
{% macro raw_source_node(table_name) -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.raw.' ~ table_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error(
            "No dbt source raw." ~ table_name ~ ": declare it in models/staging/_raw__sources.yml"
        ) }}
    {%- endif -%}
    {{ return(node) }}
{%- endmacro %}

{#
    Names of the sources of `entity` that have a staging model of their own: the `raw` source
    tables whose meta names the entity (execute time only). Fails when such a table has no model
    selecting from it, since its records would then reach no model at all.
#}
{% macro sources_with_own_staging(entity) -%}
    {%- set source_names = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.package_name == project_name and node.source_name == 'raw'
              and node.config.meta.get('entity') == entity -%}
            {%- set staging_models = [] -%}
            {%- for model_node in graph.nodes.values()
                  if model_node.resource_type == 'model' and node.unique_id in model_node.depends_on.nodes -%}
                {%- do staging_models.append(model_node.name) -%}
            {%- endfor -%}
            {%- if not staging_models -%}
                {{ exceptions.raise_compiler_error(
                    "Source raw." ~ node.name ~ " declares entity '" ~ entity ~ "' but no model selects from it: "
                    ~ "add models/staging/" ~ node.name ~ "/stg_" ~ node.name ~ "__*.sql or remove the source, "
                    ~ "otherwise its records reach neither its own model nor the other_sources catch-all"
                ) }}
            {%- endif -%}
            {%- do source_names.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(source_names | sort) }}
{%- endmacro %}
