{#
    Aggregate: the values of `expression` in the order of `order_by` (ties in any order), joined
    by `delimiter`. Spark's listagg ignores an order, so it sorts collected (order, value) pairs.
#}
{% macro ordered_string_agg(expression, order_by, delimiter=',') -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'leadhouse')(expression, order_by, delimiter)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expression, order_by, delimiter) -%}
    string_agg({{ expression }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_string_agg(expression, order_by, delimiter) -%}
    array_join(transform(array_sort(collect_list(struct({{ order_by }} as k, {{ expression }} as v))), s -> s.v), '{{ delimiter }}')
{%- endmacro %}
