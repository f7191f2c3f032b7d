{#
    Candidate pairs: two records are compared only when they share every key of at least one
    blocking rule. Blocks larger than `max_block_size` (or the rule's own) are skipped for that rule, so the number of
    pairs stays near-linear in the number of records (a skipped block's records can still meet
    through the other rules). One row per pair, with the rules that proposed it.
#}
{% macro er_candidate_pairs(records, rules, max_block_size) -%}
with

{% for rule in rules %}
rule_{{ rule.name }}_keyed_records as (
    select
        record_key,
        {%- for key in rule['keys'] %}
        {{ key }} as block_key_{{ loop.index }},
        {%- endfor %}
        count(*) over (partition by {{ rule['keys'] | join(', ') }}) as block_size
    from {{ records }}
    where {% for key in rule['keys'] %}{{ key }} is not null{{ ' and ' if not loop.last }}{% endfor %}
),

rule_{{ rule.name }}_pairs as (
    select
        l.record_key as record_key_l,
        r.record_key as record_key_r,
        cast({{ 2 ** loop.index0 }} as {{ dbt.type_bigint() }}) as rule_bit
    from rule_{{ rule.name }}_keyed_records as l
    inner join rule_{{ rule.name }}_keyed_records as r
        on {% for key in rule['keys'] %}l.block_key_{{ loop.index }} = r.block_key_{{ loop.index }}{{ ' and ' if not loop.last }}{% endfor %}
        and l.record_key < r.record_key
    where l.block_size <= {{ rule.get('max_block_size', max_block_size) }}
),

{% endfor %}
proposed_pairs as (
    {%- for rule in rules %}
    select * from rule_{{ rule.name }}_pairs
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

{#- Rules as bits, summed: a string aggregation of rule names cost two thirds of the time. #}
rule_masks as (
    select
        record_key_l,
        record_key_r,
        sum(distinct rule_bit) as blocking_rule_mask
    from proposed_pairs
    group by record_key_l, record_key_r
)

select
    record_key_l,
    record_key_r,
    blocking_rule_mask,
    concat_ws(','
        {%- for rule in rules %},
        case when floor(blocking_rule_mask / {{ 2 ** loop.index0 }}) % 2 = 1 then '{{ rule.name }}' end
        {%- endfor %}
    ) as blocked_by
from rule_masks
{%- endmacro %}


{# Per rule: records with all keys, blocks, blocks skipped as too large, and pairs proposed. #}
{% macro er_blocking_rule_stats(records, rules, max_block_size) -%}
with

{% for rule in rules %}
rule_{{ rule.name }}_blocks as (
    select count(*) as block_size
    from {{ records }}
    where {% for key in rule['keys'] %}{{ key }} is not null{{ ' and ' if not loop.last }}{% endfor %}
    group by {{ rule['keys'] | join(', ') }}
),

{% endfor %}
rule_stats as (
    {%- for rule in rules %}
    {%- set cap = rule.get('max_block_size', max_block_size) %}
    select
        '{{ rule.name }}' as blocking_rule,
        {{ loop.index }} as rule_order,
        '{{ rule['keys'] | join(', ') }}' as block_keys,
        cast(sum(block_size) as {{ dbt.type_bigint() }}) as keyed_records,
        cast(count(*) as {{ dbt.type_bigint() }}) as blocks,
        cast(sum(case when block_size > {{ cap }} then 1 else 0 end) as {{ dbt.type_bigint() }}) as skipped_blocks,
        cast(sum(case when block_size > {{ cap }} then block_size else 0 end) as {{ dbt.type_bigint() }})
            as records_in_skipped_blocks,
        cast(sum(case when block_size <= {{ cap }} then block_size * (block_size - 1) else 0 end) / 2
            as {{ dbt.type_bigint() }}) as pairs_proposed
    from rule_{{ rule.name }}_blocks
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from rule_stats
{%- endmacro %}
