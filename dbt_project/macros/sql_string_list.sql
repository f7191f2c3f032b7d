{# Python strings as a SQL list body: ['a', "b's"] -> 'a', 'b''s' (on Spark 'b\'s') #}
{% macro sql_string_list(values) -%}
    {%- for value in values -%}
        '{{ dbt.escape_single_quotes(value) }}'{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
