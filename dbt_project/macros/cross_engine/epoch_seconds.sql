{# Whole seconds since 1970-01-01 UTC of a timestamp, as a bigint (for numeric window frames). #}
{% macro epoch_seconds(timestamp) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'leadhouse')(timestamp)) }}
{%- endmacro %}

{% macro default__epoch_seconds(timestamp) -%}
    cast(floor({{ seconds_between("cast('1970-01-01 00:00:00' as timestamp)", timestamp) }}) as bigint)
{%- endmacro %}

{% macro duckdb__epoch_seconds(timestamp) -%}
    cast(floor(epoch({{ timestamp }})) as bigint)
{%- endmacro %}

{% macro spark__epoch_seconds(timestamp) -%}
    unix_seconds(cast({{ timestamp }} as timestamp))
{%- endmacro %}
