{#
    The distinct comparison patterns (one gamma level per comparison) among the current candidate
    pairs, with how many pairs show each. EM estimates the weights from this small table.
#}

{%- set config = er_config() -%}

with

current_pairs as (
    select compared.*
    from {{ ref('int_er_pairs_compared') }} as compared
    inner join {{ ref('int_er_pairs_blocked') }} as blocked
        on blocked.record_key_l = compared.record_key_l
        and blocked.record_key_r = compared.record_key_r
),

patterns as (
    select
        {%- for comparison in config.comparisons %}
        gamma_{{ comparison.name }},
        {%- endfor %}
        count(*) as pairs
    from current_pairs
    group by
        {%- for comparison in config.comparisons %}
        gamma_{{ comparison.name }}{{ ',' if not loop.last }}
        {%- endfor %}
)

select
    row_number() over (
        order by {% for comparison in config.comparisons %}gamma_{{ comparison.name }}{{ ', ' if not loop.last }}{% endfor %}
    ) as pattern_id,
    patterns.*
from patterns
