{#
    Aggregate: the values of `expression`, sorted, joined by `delimiter` (duplicates kept; use
    sorted_distinct_string_agg to drop them). Spark ignores the order of `listagg`, so it sorts
    a collected list instead; DuckDB too, because its ordered aggregate sorts inside each group's
    state (3.0 s against 1.3 s for lead_rule_scores' 3,023,424 hits at 1,000,000 leads).
#}
{% macro sorted_string_agg(expression, delimiter=',') -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'leadhouse')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_string_agg(expression, delimiter) -%}
    string_agg({{ expression }}, '{{ delimiter }}' order by {{ expression }})
{%- endmacro %}

{% macro duckdb__sorted_string_agg(expression, delimiter) -%}
    {#- The filter keeps string_agg's answer for a group of nulls only: null, not ''. #}
    array_to_string(list_sort(list({{ expression }}) filter (where ({{ expression }}) is not null)), '{{ delimiter }}')
{%- endmacro %}

{% macro spark__sorted_string_agg(expression, delimiter) -%}
    array_join(array_sort(collect_list({{ expression }})), '{{ delimiter }}')
{%- endmacro %}
