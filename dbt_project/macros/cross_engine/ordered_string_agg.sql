{#
    Aggregate: the values of `expression` in the order of `order_by` (ties by value), joined by
    `delimiter`; nulls are left out. Spark's listagg ignores an order, and DuckDB's ordered
    aggregate sorts inside each group's state (slow on millions of groups), so both sort a
    collected list of (order, value) pairs instead.
#}
{% macro ordered_string_agg(expression, order_by, delimiter=',') -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'leadhouse')(expression, order_by, delimiter)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expression, order_by, delimiter) -%}
    string_agg({{ expression }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}

{% macro duckdb__ordered_string_agg(expression, order_by, delimiter) -%}
    array_to_string(list_transform(list_sort(
        list(struct_pack(k := {{ order_by }}, v := {{ expression }})) filter (where ({{ expression }}) is not null)
    ), lambda s: s.v), '{{ delimiter }}')
{%- endmacro %}

{% macro spark__ordered_string_agg(expression, order_by, delimiter) -%}
    nullif(array_join(transform(array_sort(collect_list(struct({{ order_by }} as k, {{ expression }} as v))), s -> s.v), '{{ delimiter }}'), '')
{%- endmacro %}
