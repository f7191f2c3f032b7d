{#
    The probability that a deal in `stage_expression`'s stage closes won, from
    analytics.stage_probabilities (config/analytics.yml); null for a stage it does not list.
#}
{% macro stage_probability(stage_expression) -%}
    case {{ stage_expression }}
    {%- for stage, probability in var('analytics').stage_probabilities %}
        when '{{ dbt.escape_single_quotes(stage) }}' then cast({{ probability }} as double)
    {%- endfor %}
    end
{%- endmacro %}
