{#
    Each lead of `leads` (lead_id, title_words) with the `value_column` of the first pattern of
    `patterns` (pattern, <value_column>, precedence) its title words match (match_rank = 1), and
    the words that matched: where the derived value came from.
#}
{% macro title_pattern_matches(leads, patterns, value_column) -%}
    select
        {{ leads }}.lead_id,
        patterns.{{ value_column }},
        trim(replace(patterns.pattern, '%', '')) as matched_words,
        row_number() over (
            partition by {{ leads }}.lead_id order by patterns.precedence asc, patterns.pattern asc
        ) as match_rank
    from {{ leads }}
    inner join {{ patterns }} as patterns
        on {{ leads }}.title_words like patterns.pattern
{%- endmacro %}
