{#
    Aggregate: the values of `expression`, sorted, joined by `delimiter` (duplicates kept; use
    sorted_distinct_string_agg to drop them). Spark ignores the order of `listagg`, so it sorts
    a collected list instead.
#}
{% macro sorted_string_agg(expression, delimiter=',') -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'leadhouse')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_string_agg(expression, delimiter) -%}
    string_agg({{ expression }}, '{{ delimiter }}' order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_string_agg(expression, delimiter) -%}
    array_join(array_sort(collect_list({{ expression }})), '{{ delimiter }}')
{%- endmacro %}
