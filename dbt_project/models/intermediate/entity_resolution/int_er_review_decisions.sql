{#
    The reviewers' standing verdict on each pair of lead records: the latest decision wins.
    Pairs are ordered (record_key_l < record_key_r) like the candidate pairs.
#}

with

decisions as (
    select
        {{ dbt.concat(['left_source', "':'", 'left_record_id']) }} as record_key_a,
        {{ dbt.concat(['right_source', "':'", 'right_record_id']) }} as record_key_b,
        decision,
        reviewer,
        decided_at,
        note,
        _ingested_at,
        _row_number
    from {{ ref('stg_match_reviews__decisions') }}
),

ordered as (
    select
        case when record_key_a < record_key_b then record_key_a else record_key_b end as record_key_l,
        case when record_key_a < record_key_b then record_key_b else record_key_a end as record_key_r,
        decision,
        reviewer,
        decided_at,
        note,
        row_number() over (
            partition by
                case when record_key_a < record_key_b then record_key_a else record_key_b end,
                case when record_key_a < record_key_b then record_key_b else record_key_a end
            order by decided_at desc nulls last, _ingested_at desc, _row_number desc
        ) as decision_recency_rank
    from decisions
    where record_key_a <> record_key_b
)

select record_key_l, record_key_r, decision, reviewer, decided_at, note
from ordered
where decision_recency_rank = 1
