{#
    What each blocking rule contributes: records it can key, blocks, blocks skipped as too large,
    the pairs it proposes, and the pairs only it proposes. Candidate pairs overall are their
    distinct union (int_er_pairs_blocked).
#}

with

rule_stats as (
    select *
    from {{ ref('int_er_blocking_rule_stats') }}
),

candidate_pairs as (
    select blocking_rule_mask
    from {{ ref('int_er_pairs_blocked') }}
),

{#- A pair only one rule proposed has one bit set: its mask names that rule. #}
only_this_rule as (
    select
        {{ er_blocking_rule_names('blocking_rule_mask', er_config().blocking.rules) }} as blocking_rule,
        pairs
    from (
        select blocking_rule_mask, count(*) as pairs
        from candidate_pairs
        group by blocking_rule_mask
    ) as by_mask
)

select
    rule_stats.blocking_rule,
    rule_stats.rule_order,
    rule_stats.block_keys,
    rule_stats.keyed_records,
    rule_stats.blocks,
    rule_stats.skipped_blocks,
    rule_stats.records_in_skipped_blocks,
    rule_stats.pairs_proposed,
    coalesce(only_this_rule.pairs, 0) as pairs_only_this_rule,
    (select count(*) from candidate_pairs) as candidate_pairs_total
from rule_stats
left join only_this_rule
    on only_this_rule.blocking_rule = rule_stats.blocking_rule
