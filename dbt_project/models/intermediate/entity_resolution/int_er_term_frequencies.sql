{#
    Term frequencies of the values of comparisons with `tf` (see er_tf_setting). Agreeing on a value shared by
    a share p of records is stronger evidence the rarer it is: the exact level's weight is adjusted
    by log2(sum of p^2 over values / p), positive for rare values, negative for common ones.
#}

{%- set config = er_config() -%}
{%- set tf_comparisons = config.comparisons | selectattr('tf') | list -%}

with

records as (
    select *
    from {{ ref('int_er_records_prepared') }}
),

value_counts as (
    {%- for comparison in tf_comparisons %}
    {%- set column = er_tf_setting(comparison).column %}
    select '{{ comparison.name }}' as comparison, {{ column }} as value, count(*) as records
    from records
    where {{ column }} is not null
    group by {{ column }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

frequencies as (
    select
        comparison,
        value,
        records,
        records / cast(sum(records) over (partition by comparison) as double) as frequency
    from value_counts
)

select
    comparison,
    value,
    records,
    frequency,
    {{ er_log2('sum(frequency * frequency) over (partition by comparison) / frequency') }} as tf_adjustment_bits
from frequencies
