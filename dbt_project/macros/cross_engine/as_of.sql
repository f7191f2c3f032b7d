{#
    "Now" for the marts that depend on it, as a timestamp literal: the `as_of` var if given (unit
    tests, dbt by hand), else the environment's LEADHOUSE_AS_OF, which the orchestration always
    sets (leadhouse/dbt_invocation.py: LEADHOUSE_AS_OF normalized, or the moment the run starts).
    UTC, 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'. The SQL never reads the wall clock, so a rerun
    with the same as_of gives the same answer.

    The environment is read only when the model runs (`execute`), never while dbt parses: dbt
    parses a file again in every run where an environment variable it read while parsing has
    changed, and LEADHOUSE_AS_OF changes every run (36 files, 1.5 s of each dbt command;
    docs/performance.md). What a model parses to does not depend on as_of.
#}
{% macro as_of() -%}
    {%- set value = var('as_of', none) -%}
    {%- if value is none and execute -%}
        {%- set value = env_var('LEADHOUSE_AS_OF', '') or none -%}
    {%- endif -%}
    {%- if value is none -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error(
                "This model needs as_of (UTC 'YYYY-MM-DD HH:MM:SS'): run it through Leadhouse "
                ~ "(LEADHOUSE_AS_OF, default now), set LEADHOUSE_AS_OF, or pass --vars '{as_of: \"2026-11-01 00:00:00\"}'") }}
        {%- endif -%}
        {%- set value = '1970-01-01 00:00:00' -%}
    {%- endif -%}
    {%- set text = value | string | replace('T', ' ') -%}
    {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {%- set text = text ~ ' 00:00:00' -%}
    {%- endif -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error("as_of: " ~ value ~ " is not 'YYYY-MM-DD HH:MM:SS' (UTC)") }}
    {%- endif -%}
    cast('{{ text }}' as timestamp)
{%- endmacro %}
