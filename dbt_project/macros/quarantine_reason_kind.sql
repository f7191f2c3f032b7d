{#
    A quarantine reason without the offending value, so reasons group by field and kind:
    "email: 'x@' is not a valid email address" -> "email: is not a valid email address".
    The same rule as ingest.pipeline.reason_key (the ingestion's own report), in portable SQL
    (chr(39) is the quote: engines escape quotes inside literals differently).
#}
{% macro quarantine_reason_kind(reason) -%}
    {%- set field_end = "instr(" ~ reason ~ ", ': ')" -%}
    {%- set detail = "substring(" ~ reason ~ ", " ~ field_end ~ " + 2)" -%}
    {%- set quoted_value_end = "instr(substring(" ~ detail ~ ", 2), " ~ dbt.concat(['chr(39)', "' '"]) ~ ")" -%}
    case
        when {{ field_end }} > 0 and substring({{ detail }}, 1, 1) = chr(39) and {{ quoted_value_end }} > 0
            then {{ dbt.concat([
                "substring(" ~ reason ~ ", 1, " ~ field_end ~ " + 1)",
                "substring(" ~ detail ~ ", " ~ quoted_value_end ~ " + 3)",
            ]) }}
        else {{ reason }}
    end
{%- endmacro %}
