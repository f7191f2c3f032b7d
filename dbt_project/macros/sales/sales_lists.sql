{#
    Agents' territories and specializations are comma-separated lists ("TX,OK", "technology,
    financial services"). A list as ',tx,ok,' (lower case, no spaces around the commas) contains a
    value when ',value,' occurs in it: no list functions, the same on every engine.
#}
{% macro sales_list_key(column) -%}
    {{ dbt.concat(["','", "replace(replace(lower(trim(" ~ column ~ ")), ', ', ','), ' ,', ',')", "','"]) }}
{%- endmacro %}

{# A value as the needle a list key is searched for: ',value,'. #}
{% macro sales_list_needle(value) -%}
    {{ dbt.concat(["','", "lower(trim(" ~ value ~ "))", "','"]) }}
{%- endmacro %}

{#
    True when the list key holds the needle (sales_list_needle: built once per value where many
    keys are searched for it), false (never null) when either is missing.
#}
{% macro sales_list_contains(list_key, needle) -%}
    coalesce({{ dbt.position(needle, list_key) }} > 0, false)
{%- endmacro %}
