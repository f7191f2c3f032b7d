{#
    Each title of `titles` (job_title, title_words) with the `value_column` of the first pattern
    of `patterns` (pattern, <value_column>, precedence) its words match (match_rank = 1), and the
    words that matched: where the derived value came from.
#}
{% macro title_pattern_matches(titles, patterns, value_column) -%}
    select
        {{ titles }}.job_title,
        patterns.{{ value_column }},
        trim(replace(patterns.pattern, '%', '')) as matched_words,
        row_number() over (
            partition by {{ titles }}.job_title order by patterns.precedence asc, patterns.pattern asc
        ) as match_rank
    from {{ titles }}
    inner join {{ patterns }} as patterns
        on {{ titles }}.title_words like patterns.pattern
{%- endmacro %}
