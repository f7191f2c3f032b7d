{#
    Comparison levels (gamma) of every candidate pair, one column per comparison, with the rules
    that proposed it (blocking_rule_mask). Incremental: a run compares only pairs it has not
    compared before, whose records changed since (their fingerprints differ), whose proposing
    rules changed, or that were compared under another config version (bump
    vars.entity_resolution.version after changing comparisons or the nicknames seed), so a new
    batch is matched against existing leads without recomputing the string similarities of every
    old pair. Before that, the pre-hook drops the pairs no rule proposes any more (a record
    changed, a block outgrew its cap): the table is always exactly the current candidate pairs,
    and its readers need no join with int_er_pairs_blocked.
#}
{{ config(
    materialized=incremental_or_table(),
    unique_key=['record_id_l', 'record_id_r'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ er_delete_stale_pairs(ref('int_er_pairs_blocked')) }}",
) }}

{%- set config = er_config() -%}

with

candidate_pairs as (
    select *
    from {{ ref('int_er_pairs_blocked') }}
),

records as (
    select *
    from {{ ref('int_er_records_prepared') }}
),

{% if is_incremental() %}
compared_before as (
    select record_id_l, record_id_r, blocking_rule_mask, record_fingerprint_l, record_fingerprint_r
    from {{ this }}
    where config_version = {{ config.version }}
),
{% endif %}

pairs_to_compare as (
    select
        candidate_pairs.record_id_l,
        candidate_pairs.record_id_r,
        candidate_pairs.blocking_rule_mask
    from candidate_pairs
    {%- if is_incremental() %}
    inner join records as l on l.record_id = candidate_pairs.record_id_l
    inner join records as r on r.record_id = candidate_pairs.record_id_r
    left join compared_before
        on compared_before.record_id_l = candidate_pairs.record_id_l
        and compared_before.record_id_r = candidate_pairs.record_id_r
        and compared_before.record_fingerprint_l = l.record_fingerprint
        and compared_before.record_fingerprint_r = r.record_fingerprint
        and compared_before.blocking_rule_mask = candidate_pairs.blocking_rule_mask
    where compared_before.record_id_l is null
    {%- endif %}
)

select
    pairs_to_compare.record_id_l,
    pairs_to_compare.record_id_r,
    pairs_to_compare.blocking_rule_mask,
    l.record_fingerprint as record_fingerprint_l,
    r.record_fingerprint as record_fingerprint_r,
    {%- for comparison in config.comparisons %}
    {{ er_comparison_level(comparison) }} as gamma_{{ comparison.name }},
    {%- endfor %}
    {{ config.version }} as config_version,
    {{ dbt.current_timestamp() }} as compared_at
from pairs_to_compare
inner join records as l on l.record_id = pairs_to_compare.record_id_l
inner join records as r on r.record_id = pairs_to_compare.record_id_r
{{ er_comparison_joins(config.comparisons) }}
