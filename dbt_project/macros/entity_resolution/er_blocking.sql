{#
    Candidate pairs: two records are compared only when they share every key of at least one
    blocking rule. Blocks larger than `max_block_size` (or the rule's own) are skipped for that rule, so the number of
    pairs stays near-linear in the number of records (a skipped block's records can still meet
    through the other rules). One row per pair (record_id_l < record_id_r), with the rules that
    proposed it as bits (bit i: the i-th rule; er_blocking_rule_names spells them out).
#}
{% macro er_candidate_pairs(records, rules, max_block_size) -%}
with

{% for rule in rules %}
{%- set cap = rule.get('max_block_size', max_block_size) %}
{#- Blocks of 2 to cap records, numbered: records then meet on one integer, not on every key. #}
rule_{{ rule.name }}_blocks as (
    select
        {{ rule['keys'] | join(', ') }},
        row_number() over (order by {{ rule['keys'] | join(', ') }}) as block_number
    from {{ records }}
    where {% for key in rule['keys'] %}{{ key }} is not null{{ ' and ' if not loop.last }}{% endfor %}
    group by {{ rule['keys'] | join(', ') }}
    having count(*) between 2 and {{ cap }}
),

rule_{{ rule.name }}_members as (
    select
        records.record_id,
        blocks.block_number
    from {{ records }} as records
    inner join rule_{{ rule.name }}_blocks as blocks
        on {% for key in rule['keys'] %}records.{{ key }} = blocks.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
),

rule_{{ rule.name }}_pairs as (
    select
        l.record_id as record_id_l,
        r.record_id as record_id_r,
        cast({{ 2 ** loop.index0 }} as {{ dbt.type_bigint() }}) as rule_bit
    from rule_{{ rule.name }}_members as l
    inner join rule_{{ rule.name }}_members as r
        on l.block_number = r.block_number
        and l.record_id < r.record_id
),

{% endfor %}
proposed_pairs as (
    {%- for rule in rules %}
    select * from rule_{{ rule.name }}_pairs
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

{#- Rules as bits (bit_or: DuckDB and Spark): a string aggregation of rule names cost two thirds of the time. #}
select
    record_id_l,
    record_id_r,
    bit_or(rule_bit) as blocking_rule_mask
from proposed_pairs
group by record_id_l, record_id_r
{%- endmacro %}


{#- The names of the rules whose bits are set in a blocking_rule_mask, comma-separated in rule order. #}
{% macro er_blocking_rule_names(mask, rules) -%}
    concat_ws(','
        {%- for rule in rules %},
        case when floor({{ mask }} / {{ 2 ** loop.index0 }}) % 2 = 1 then '{{ rule.name }}' end
        {%- endfor %}
    )
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


{#
    The compared pairs that are current candidates, with the rules that proposed them:
    int_er_pairs_compared is incremental and keeps pairs no rule proposes any more, so every
    reader of comparisons goes through the current candidate pairs.
#}
{% macro er_current_compared_pairs() -%}
    select blocked.blocking_rule_mask, compared.*
    from {{ ref('int_er_pairs_compared') }} as compared
    inner join {{ ref('int_er_pairs_blocked') }} as blocked
        on blocked.record_id_l = compared.record_id_l
        and blocked.record_id_r = compared.record_id_r
{%- endmacro %}
