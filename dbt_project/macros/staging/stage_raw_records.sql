{#
    The body of every staging model: the rows of one raw table that pass `source_filter`, only the
    latest version of each (source, source_record_id) (highest `_ingested_at`, then `_file_version`,
    then `_row_number`), with the entity's staged columns.
#}
{% macro stage_raw_records(entity, relation, source_filter, overrides={}) -%}
    {%- set columns = staged_columns(entity) -%}
    {%- set unknown = overrides.keys() | reject('in', columns | map(attribute=0) | list) | list -%}
    {%- if unknown -%}
        {{ exceptions.raise_compiler_error(
            "Staging overrides for columns the " ~ entity ~ " entity does not have: " ~ (unknown | join(', '))
        ) }}
    {%- endif -%}
with

{#- Most records have one version: they need no ranking. Only the keys seen more than once go
    through the window (over every row of 8.4 M activities it took 8 s of CPU each time a test or
    model read the view; docs/performance.md). `source_record_id` is never null in the raw layer
    (the ingestion derives one from the row when a source has none). Computed at each of its two
    reads (inlined_cte): materialized, DuckDB computed every staged column of every record for a
    reader that needs three (count and latest _ingested_at of the activities 5.0 -> 2.7 s at
    1,000,000 leads). #}
versioned_keys as {{ inlined_cte() }} (
    select
        source,
        source_record_id
    from {{ relation }}
    where {{ source_filter }}
    group by source, source_record_id
    having count(*) > 1
),

single_version_records as (
    select raw_records.*
    from (select * from {{ relation }} where {{ source_filter }}) as raw_records
    left join versioned_keys
        on raw_records.source = versioned_keys.source
        and raw_records.source_record_id = versioned_keys.source_record_id
    where versioned_keys.source_record_id is null
),

raw_record_versions as (
    select
        raw_records.*,
        row_number() over (
            partition by raw_records.source, raw_records.source_record_id
            order by
                raw_records._ingested_at desc nulls last,
                raw_records._file_version desc nulls last,
                raw_records._row_number desc nulls last
        ) as version_recency_rank
    from (select * from {{ relation }} where {{ source_filter }}) as raw_records
    inner join versioned_keys
        on raw_records.source = versioned_keys.source
        and raw_records.source_record_id = versioned_keys.source_record_id
),

latest_record_versions as (
    select
        *,
        cast(1 as bigint) as version_recency_rank
    from single_version_records
    union all
    select *
    from raw_record_versions
    where version_recency_rank = 1
)

select
    {%- for column, default_expression in columns %}
        {%- set expression = overrides.get(column, default_expression) %}
    {{ expression if expression == column else expression ~ ' as ' ~ column }}{{ ',' if not loop.last }}
    {%- endfor %}
from latest_record_versions
{%- endmacro %}

{#
    A staging model for one source: `{{ stage_source_records('web_forms') }}`. The entity comes
    from the source's meta in _raw__sources.yml. `overrides` replaces the expression of staged
    columns for this source only, e.g. {'campaign': "lower(campaign)"}; expressions see the raw
    row, including `attributes`.
#}
{% macro stage_source_records(source_name, overrides={}) -%}
    {%- set relation = source('raw', source_name) -%}
    {%- if not execute -%}
        {{ return('select 1 as parsed') }}
    {%- endif -%}
    {%- set entity = raw_source_node(source_name).config.meta.get('entity') -%}
    {%- if entity is none -%}
        {{ exceptions.raise_compiler_error(
            "Source raw." ~ source_name ~ " has no meta.entity in models/staging/_raw__sources.yml"
        ) }}
    {%- endif -%}
    {{ return(stage_raw_records(
        entity, relation, "source = '" ~ dbt.escape_single_quotes(source_name) ~ "'", overrides
    )) }}
{%- endmacro %}

{#
    The catch-all staging model of an entity: records of every source that has no staging model
    of its own (a source added with a YAML config only). The excluded sources are read from the
    dbt graph, so adding a per-source model takes its records out of here automatically.
#}
{% macro stage_other_sources(entity) -%}
    {%- set relation = source('raw', raw_entity(entity).all_sources) -%}
    {%- if not execute -%}
        {{ return('select 1 as parsed') }}
    {%- endif -%}
    {%- set own_staging = sources_with_own_staging(entity) -%}
    {%- set source_filter = 'source not in (' ~ sql_string_list(own_staging) ~ ')' if own_staging else '1 = 1' -%}
    {{ return(stage_raw_records(entity, relation, source_filter)) }}
{%- endmacro %}

{#
    All staging models of an entity stacked: `{{ union_staged_records('lead', [ref(...), ...]) }}`.
    The refs are listed by hand (dbt must see them when it parses), so at execute time this checks
    that no staging model of the entity (a model selecting from its raw table) is left out.
#}
{% macro union_staged_records(entity, relations) -%}
    {%- if execute -%}
        {%- set raw_table = raw_entity(entity).table -%}
        {%- set listed = relations | map(attribute='identifier') | list -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
            {%- for parent_id in node.depends_on.nodes if parent_id.startswith('source.' ~ project_name ~ '.raw.') -%}
                {%- set parent = graph.sources[parent_id] -%}
                {%- if parent.identifier == raw_table and node.alias not in listed -%}
                    {{ exceptions.raise_compiler_error(
                        node.name ~ " stages " ~ entity ~ " records but is missing from the union in "
                        ~ model.name ~ ": add ref('" ~ node.name ~ "') to its list"
                    ) }}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set column_list = staged_column_names(entity) | join(',\n    ') -%}
    {%- for relation in relations %}
select
    {{ column_list }}
from {{ relation }}
{{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
