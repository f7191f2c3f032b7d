{#
    Candidate pairs: two records are compared only when they share every key of at least one
    blocking rule. Blocks larger than `max_block_size` (or the rule's own) are skipped for that rule, so the number of
    pairs stays near-linear in the number of records (a skipped block's records can still meet
    through the other rules). One row per pair (record_id_l < record_id_r), with the rules that
    proposed it as bits (bit i: the i-th rule; er_blocking_rule_names spells them out).

    A rule with `one_edit_in: column` pairs records that share its keys and whose values of that
    column are one edit apart (er_one_edit_blocks): a typo in one name, the other name the same.
#}
{% macro er_candidate_pairs(records, rules, max_block_size) -%}
with

{% for rule in rules %}
{%- set cap = rule.get('max_block_size', max_block_size) %}
{%- if rule.get('one_edit_in') %}
{{ er_one_edit_blocks(records, rule) }},

{%- for side in ['a', 'b'] %}

rule_{{ rule.name }}_members_{{ side }} as (
    select
        records.record_id,
        blocks.block_number
    from {{ records }} as records
    inner join rule_{{ rule.name }}_blocks as blocks
        on {% for key in rule['keys'] %}records.{{ key }} = blocks.{{ key }} and {% endfor %}records.{{ rule.one_edit_in }} = blocks.value_{{ side }}
    where blocks.records_a + blocks.records_b <= {{ cap }}
),
{%- endfor %}

rule_{{ rule.name }}_pairs as (
    select
        least(a.record_id, b.record_id) as record_id_l,
        greatest(a.record_id, b.record_id) as record_id_r,
        cast({{ 2 ** loop.index0 }} as {{ dbt.type_bigint() }}) as rule_bit
    from rule_{{ rule.name }}_members_a as a
    inner join rule_{{ rule.name }}_members_b as b
        on a.block_number = b.block_number
),
{%- else %}
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
{%- endif %}

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


{#
    The blocks of a `one_edit_in` rule: pairs of spellings (value_a, value_b) of its column one
    edit apart (a letter deleted, inserted or changed, or two neighbours swapped: both spellings
    then agree once one letter is deleted from each, or from one), where value_a looks like a typo
    of value_b (seen at most `typo_max_records` times, or at most `typo_max_share` as often as
    value_b), together with each set of key values records of both spellings share, and how many
    records of each spelling that is (records_a, records_b). A block is skipped when
    records_a + records_b exceeds its cap.
    Spellings, not records, get their deletions (a few hundred thousand strings at 1,000,000
    records); two common names one edit apart (smith, smyth) are both real and are not paired.
#}
{% macro er_one_edit_blocks(records, rule) -%}
{%- set column = rule.one_edit_in -%}
{%- set max_records = rule.get('typo_max_records', 3) -%}
{%- set max_share = rule.get('typo_max_share', 0.05) -%}
{%- set max_length = rule.get('max_length', 30) -%}
{%- set keys = rule['keys'] -%}
rule_{{ rule.name }}_groups as (
    select
        {{ keys | join(', ') }},
        {{ column }} as value,
        count(*) as records
    from {{ records }}
    where {% for key in keys %}{{ key }} is not null and {% endfor %}{{ column }} is not null
    group by {{ keys | join(', ') }}, {{ column }}
),

rule_{{ rule.name }}_spellings as (
    select value, sum(records) as records
    from rule_{{ rule.name }}_groups
    where {{ dbt.length('value') }} between 3 and {{ max_length }}
    group by value
),

{#- Each spelling as it is and with each of its letters deleted. #}
rule_{{ rule.name }}_deletions as (
    select value, records, value as deleted
    from rule_{{ rule.name }}_spellings
    union all
    select
        spellings.value,
        spellings.records,
        {{ dbt.concat([
            'substring(spellings.value, 1, cast(positions.generated_number as integer) - 1)',
            'substring(spellings.value, cast(positions.generated_number as integer) + 1)',
        ]) }} as deleted
    from rule_{{ rule.name }}_spellings as spellings
    cross join ({{ dbt.generate_series(max_length) }}) as positions
    where positions.generated_number <= {{ dbt.length('spellings.value') }}
),

rule_{{ rule.name }}_typos as {{ materialized_cte() }} (
    select distinct
        a.value as value_a,
        b.value as value_b
    from rule_{{ rule.name }}_deletions as a
    inner join rule_{{ rule.name }}_deletions as b
        on a.deleted = b.deleted
        and a.value <> b.value
    where (a.records <= {{ max_records }} or a.records <= {{ max_share }} * b.records)
        {#- Two rare spellings are each other's typo: one block (and one row in the stats), not two. #}
        and (a.value < b.value or not (b.records <= {{ max_records }} or b.records <= {{ max_share }} * a.records))
),

{#- The typo's records first, then the other spelling's with the same keys (materialized: a
    join on the keys alone, which DuckDB otherwise may pick first, pairs every two spellings). #}
rule_{{ rule.name }}_typo_groups as {{ materialized_cte() }} (
    select
        {% for key in keys %}a.{{ key }}, {% endfor %}
        typos.value_a,
        typos.value_b,
        a.records as records_a
    from rule_{{ rule.name }}_typos as typos
    inner join rule_{{ rule.name }}_groups as a
        on a.value = typos.value_a
),

rule_{{ rule.name }}_blocks as {{ materialized_cte() }} (
    select
        typo_groups.*,
        b.records as records_b,
        row_number() over (order by {% for key in keys %}typo_groups.{{ key }}, {% endfor %}typo_groups.value_a, typo_groups.value_b) as block_number
    from rule_{{ rule.name }}_typo_groups as typo_groups
    inner join rule_{{ rule.name }}_groups as b
        on b.value = typo_groups.value_b
        {%- for key in keys %}
        and b.{{ key }} = typo_groups.{{ key }}
        {%- endfor %}
)
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
{%- if rule.get('one_edit_in') %}
{{ er_one_edit_blocks(records, rule) }},

{#- A block: the records of two spellings one edit apart that share the rule's keys. #}
rule_{{ rule.name }}_block_sizes as (
    select
        records_a + records_b as block_size,
        records_a * records_b as block_pairs
    from rule_{{ rule.name }}_blocks
),

rule_{{ rule.name }}_keyed as (
    select sum(records) as keyed_records
    from rule_{{ rule.name }}_groups
),
{%- else %}
rule_{{ rule.name }}_block_sizes as (
    select
        count(*) as block_size,
        count(*) * (count(*) - 1) / 2 as block_pairs
    from {{ records }}
    where {% for key in rule['keys'] %}{{ key }} is not null{{ ' and ' if not loop.last }}{% endfor %}
    group by {{ rule['keys'] | join(', ') }}
),

rule_{{ rule.name }}_keyed as (
    select sum(block_size) as keyed_records
    from rule_{{ rule.name }}_block_sizes
),
{%- endif %}

{% endfor %}
rule_stats as (
    {%- for rule in rules %}
    {%- set cap = rule.get('max_block_size', max_block_size) %}
    select
        '{{ rule.name }}' as blocking_rule,
        {{ loop.index }} as rule_order,
        '{{ rule['keys'] | join(', ') }}{{ ', one edit in ' ~ rule.one_edit_in if rule.get('one_edit_in') }}' as block_keys,
        cast((select keyed_records from rule_{{ rule.name }}_keyed) as {{ dbt.type_bigint() }}) as keyed_records,
        cast(count(*) as {{ dbt.type_bigint() }}) as blocks,
        cast(sum(case when block_size > {{ cap }} then 1 else 0 end) as {{ dbt.type_bigint() }}) as skipped_blocks,
        cast(sum(case when block_size > {{ cap }} then block_size else 0 end) as {{ dbt.type_bigint() }})
            as records_in_skipped_blocks,
        cast(sum(case when block_size <= {{ cap }} then block_pairs else 0 end)
            as {{ dbt.type_bigint() }}) as pairs_proposed
    from rule_{{ rule.name }}_block_sizes
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from rule_stats
{%- endmacro %}


{#
    int_er_pairs_compared's pre-hook, on incremental runs: delete the compared pairs that are no
    longer candidates (not in `candidate_pairs`), so the table holds exactly the current ones.
#}
{% macro er_delete_stale_pairs(candidate_pairs) -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where not exists (
        select 1
        from {{ candidate_pairs }} as candidates
        where candidates.record_id_l = {{ this }}.record_id_l
            and candidates.record_id_r = {{ this }}.record_id_r
    )
    {%- endif %}
{%- endmacro %}
