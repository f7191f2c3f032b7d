{#
    The texts whose conditions hold, in order, joined by `separator` ('' when none holds): pieces
    is a list of [condition, text expression]. Every piece is '' or separator + text, never null,
    since concat with a null gives null on Spark and skips it on DuckDB.
#}
{% macro sales_joined_text(pieces, separator='; ') -%}
    {%- set parts = [] -%}
    {%- for condition, text in pieces -%}
        {%- do parts.append("case when " ~ condition ~ " then " ~ dbt.concat(["'" ~ separator ~ "'", text]) ~ " else '' end") -%}
    {%- endfor -%}
    substring({{ dbt.concat(parts) if parts | length > 1 else parts[0] }}, {{ (separator | length) + 1 }})
{%- endmacro %}
