{#
    How often each comparison level occurs between two records picked at random (almost always
    different people): the u probabilities. All pairs of a deterministic sample of records
    (vars.entity_resolution.em.u_sample_records, by hash of the record key).
#}

{%- set config = er_config() -%}

with

sampled_records as (
    select *
    from {{ ref('int_er_records_prepared') }}
    order by {{ dbt.hash('record_key') }}
    limit {{ config.em.u_sample_records }}
),

random_pairs as (
    select
        {%- for comparison in config.comparisons %}
        {{ er_comparison_level(comparison) }} as gamma_{{ comparison.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from sampled_records as l
    inner join sampled_records as r
        on l.record_key < r.record_key
    {{ er_comparison_joins(config.comparisons) }}
),

level_counts as (
    {%- for comparison in config.comparisons %}
    select '{{ comparison.name }}' as comparison, gamma_{{ comparison.name }} as comparison_level, count(*) as pairs
    from random_pairs
    where gamma_{{ comparison.name }} >= 0
    group by gamma_{{ comparison.name }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    comparison,
    comparison_level,
    pairs,
    pairs / cast(sum(pairs) over (partition by comparison) as double) as u_probability
from level_counts
