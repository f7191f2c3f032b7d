{# A URL without its query string ('/pricing?utm_source=x' -> '/pricing'); blank is null. #}
{% macro url_without_query(column) -%}
    {%- set url = clean_text(column) -%}
    case
        when instr({{ url }}, '?') > 0 then nullif(substring({{ url }}, 1, instr({{ url }}, '?') - 1), '')
        else {{ url }}
    end
{%- endmacro %}
