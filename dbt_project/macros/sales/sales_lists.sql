{#
    Agents' territories and specializations are comma-separated lists ("TX,OK", "technology,
    financial services"). A list as ',tx,ok,' (lower case, no spaces around the commas) contains a
    value when ',value,' occurs in it: no list functions, the same on every engine.
#}
{% macro sales_list_key(column) -%}
    {{ dbt.concat(["','", "replace(replace(lower(trim(" ~ column ~ ")), ', ', ','), ' ,', ',')", "','"]) }}
{%- endmacro %}

{# True when the list key holds the value, false (never null) when either is missing. #}
{% macro sales_list_contains(list_key, value) -%}
    coalesce({{ dbt.position(dbt.concat(["','", "lower(trim(" ~ value ~ "))", "','"]), list_key) }} > 0, false)
{%- endmacro %}
