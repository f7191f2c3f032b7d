{#
    The first non-null value of `expression` in a window: `{{ first_value_ignore_nulls('email') }} over w`.
    DuckDB wants IGNORE NULLS inside the call, Spark and the SQL standard after it.
#}
{% macro first_value_ignore_nulls(expression) -%}
    {{ return(adapter.dispatch('first_value_ignore_nulls', 'leadhouse')(expression)) }}
{%- endmacro %}

{% macro default__first_value_ignore_nulls(expression) -%}
    first_value({{ expression }}) ignore nulls
{%- endmacro %}

{% macro duckdb__first_value_ignore_nulls(expression) -%}
    first_value({{ expression }} ignore nulls)
{%- endmacro %}

{% macro spark__first_value_ignore_nulls(expression) -%}
    first_value({{ expression }}, true)
{%- endmacro %}
