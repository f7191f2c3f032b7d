{#
    What staging selects for each entity: (column, expression over the raw row) pairs, in order:
    `source`, the entity's canonical columns (from the generated vocabulary, so a column added in
    ingest/schemas.py is staged without a change here), then the lineage columns. Text is
    trimmed, blank text is null, emails are lower-cased; `staging_overrides` below is what a
    column gets instead (a rename or other cleaning). Every staging model of an entity has exactly
    these columns, so the unions downstream can list them. Per-source cleaning replaces an
    expression (see `stage_source_records`).
#}
{% macro staged_columns(entity) -%}
    {%- set lineage = [
        ('attributes', 'attributes'),
        ('_file', '_file'),
        ('_file_sha256', '_file_sha256'),
        ('_file_version', '_file_version'),
        ('_row_number', '_row_number'),
        ('_batch_id', '_batch_id'),
        ('_ingested_at', '_ingested_at'),
    ] -%}
    {%- set overrides = staging_overrides(entity) -%}
    {%- set columns = [('source', 'source')] -%}
    {%- for name, kind in raw_entity(entity).columns -%}
        {%- if name in overrides -%}
            {%- do columns.append(overrides[name]) -%}
        {%- elif kind == 'email' -%}
            {%- do columns.append((name, 'lower(' ~ clean_text(name) ~ ')')) -%}
        {%- elif kind in ('text', 'name', 'company', 'phone') and name != 'source_record_id' -%}
            {%- do columns.append((name, clean_text(name))) -%}
        {%- else -%}
            {%- do columns.append((name, name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set known = raw_entity(entity).columns | map(attribute=0) | list -%}
    {%- for name in overrides if name not in known -%}
        {{ exceptions.raise_compiler_error(
            "staging_overrides('" ~ entity ~ "') names '" ~ name ~ "', which is not a column of the entity"
        ) }}
    {%- endfor -%}
    {{ return(columns + lineage) }}
{%- endmacro %}

{#
    Staged column (name, expression) per canonical column, where it is not the default: lower-case
    codes, a catch-all channel, and the agent columns renamed for readers.
#}
{% macro staging_overrides(entity) -%}
    {%- set by_entity = {
        'lead': {
            'industry': ('industry', 'lower(' ~ clean_text('industry') ~ ')'),
            'channel': ('channel', 'coalesce(' ~ clean_text('channel') ~ ", 'other')"),
        },
        'match_decision': {
            'decision': ('decision', 'lower(' ~ clean_text('decision') ~ ')'),
        },
        'agent': {
            'source_record_id': ('agent_id', 'source_record_id'),
            'active': ('is_active', 'active'),
        },
        'ad_spend': {
            'channel': ('channel', 'coalesce(' ~ clean_text('channel') ~ ", 'other')"),
            'platform': ('platform', 'lower(' ~ clean_text('platform') ~ ')'),
            'currency': ('currency', 'upper(' ~ clean_text('currency') ~ ')'),
        },
    } -%}
    {{ return(by_entity.get(entity, {})) }}
{%- endmacro %}

{# Column names only, for selecting the staged columns of an entity from any staging model. #}
{% macro staged_column_names(entity) -%}
    {{ return(staged_columns(entity) | map(attribute=0) | list) }}
{%- endmacro %}

{# Blank or whitespace-only text is missing text. #}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
