{#
    "Now" for the marts that depend on it: the `as_of` var (UTC, 'YYYY-MM-DD HH:MM:SS') as a
    timestamp literal. The orchestration always passes it (leadhouse/dbt_invocation.py); the SQL
    never reads the wall clock, so a rerun with the same as_of gives the same answer.
#}
{% macro as_of() -%}
    {%- set value = var('as_of', none) -%}
    {%- if value is none -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error(
                "This model needs the as_of var (UTC 'YYYY-MM-DD HH:MM:SS'): run it through Leadhouse "
                ~ "(LEADHOUSE_AS_OF, default now) or pass --vars '{as_of: \"2026-11-01 00:00:00\"}'") }}
        {%- endif -%}
        {%- set value = '1970-01-01 00:00:00' -%}
    {%- endif -%}
    {%- set text = value | string | replace('T', ' ') -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error("as_of var: " ~ value ~ " is not 'YYYY-MM-DD HH:MM:SS' (UTC)") }}
    {%- endif -%}
    cast('{{ text }}' as timestamp)
{%- endmacro %}
