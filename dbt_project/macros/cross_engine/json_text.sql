{#
    The text at top-level key `key` of a JSON object held as text (e.g. a record's `attributes`),
    or null. `key` must be an identifier (scoring/config.py checks the keys it passes).
#}
{% macro json_text(json_column, key) -%}
    {%- if not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', key) -%}
        {{ exceptions.raise_compiler_error("json_text: key " ~ key ~ " is not an identifier") }}
    {%- endif -%}
    {{ return(adapter.dispatch('json_text', 'leadhouse')(json_column, key)) }}
{%- endmacro %}

{% macro default__json_text(json_column, key) -%}
    json_extract_string({{ json_column }}, '$.{{ key }}')
{%- endmacro %}

{% macro spark__json_text(json_column, key) -%}
    get_json_object({{ json_column }}, '$.{{ key }}')
{%- endmacro %}
