{#
    Elapsed seconds (with fractions) from `start_timestamp` to `end_timestamp`, as a double.
    `dbt.datediff(..., 'second')` counts boundaries on DuckDB but elapsed time on Spark.
#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between', 'leadhouse')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
    cast({{ dbt.datediff(start_timestamp, end_timestamp, 'second') }} as double)
{%- endmacro %}

{% macro duckdb__seconds_between(start_timestamp, end_timestamp) -%}
    (epoch({{ end_timestamp }}) - epoch({{ start_timestamp }}))
{%- endmacro %}

{# Microseconds since the epoch: exact, and valid for TIMESTAMP and TIMESTAMP_NTZ alike. #}
{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
    (cast(unix_micros(cast({{ end_timestamp }} as timestamp)) - unix_micros(cast({{ start_timestamp }} as timestamp)) as double) / 1000000.0)
{%- endmacro %}
