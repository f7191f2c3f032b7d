{#
    Aggregate: the distinct values of `expression`, sorted, joined by `delimiter`.
    Spark ignores the order of `listagg`, so it sorts a collected set instead.
#}
{% macro sorted_distinct_string_agg(expression, delimiter=',') -%}
    {{ return(adapter.dispatch('sorted_distinct_string_agg', 'leadhouse')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_distinct_string_agg(expression, delimiter) -%}
    string_agg(distinct {{ expression }}, '{{ delimiter }}' order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_distinct_string_agg(expression, delimiter) -%}
    array_join(array_sort(collect_set({{ expression }})), '{{ delimiter }}')
{%- endmacro %}
