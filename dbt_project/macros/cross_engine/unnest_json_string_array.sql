{#
    One output row per element of a JSON array of strings held as text (the quarantine's
    `reasons`); a generator for the select list.
#}
{% macro unnest_json_string_array(json_expression) -%}
    {{ return(adapter.dispatch('unnest_json_string_array', 'leadhouse')(json_expression)) }}
{%- endmacro %}

{% macro default__unnest_json_string_array(json_expression) -%}
    unnest(from_json({{ json_expression }}, '["VARCHAR"]'))
{%- endmacro %}

{% macro spark__unnest_json_string_array(json_expression) -%}
    explode(from_json({{ json_expression }}, 'array<string>'))
{%- endmacro %}
