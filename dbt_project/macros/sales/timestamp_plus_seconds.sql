{#
    `timestamp` moved by `seconds` (an expression, may be negative or fractional); null stays null.
    dbt.dateadd rounds to whole seconds on Spark and asserts its input is not null, so each engine
    gets exact microsecond arithmetic of its own.
#}
{% macro timestamp_plus_seconds(timestamp, seconds) -%}
    {{ return(adapter.dispatch('timestamp_plus_seconds', 'leadhouse')(timestamp, seconds)) }}
{%- endmacro %}

{% macro default__timestamp_plus_seconds(timestamp, seconds) -%}
    {{ dbt.dateadd('second', seconds, timestamp) }}
{%- endmacro %}

{% macro duckdb__timestamp_plus_seconds(timestamp, seconds) -%}
    ({{ timestamp }} + to_microseconds(cast(round(cast({{ seconds }} as double) * 1000000) as bigint)))
{%- endmacro %}

{% macro spark__timestamp_plus_seconds(timestamp, seconds) -%}
    timestamp_micros(unix_micros(cast({{ timestamp }} as timestamp)) + cast(round(cast({{ seconds }} as double) * 1000000) as bigint))
{%- endmacro %}
