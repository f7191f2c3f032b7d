{#
    A stable 16-hex-character id (the first 64 bits of an md5) for a text expression: the same
    input gives the same id on every run and every engine.
#}
{% macro short_hash(expression) -%}
    substring({{ dbt.hash(expression) }}, 1, 16)
{%- endmacro %}
