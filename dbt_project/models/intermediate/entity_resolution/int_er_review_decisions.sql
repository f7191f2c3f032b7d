{#
    The reviewers' standing verdict on each pair of lead records: the latest decision wins.
    Pairs are ordered by key (record_key_l < record_key_r) for people, and carry the records'
    ids ordered like the candidate pairs (record_id_l < record_id_r) for the models.
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
),

latest as (
    select
        record_key_l,
        record_key_r,
        {{ string_hash64('record_key_l') }} as record_id_a,
        {{ string_hash64('record_key_r') }} as record_id_b,
        decision,
        reviewer,
        decided_at,
        note
    from ordered
    where decision_recency_rank = 1
)

select
    record_key_l,
    record_key_r,
    case when record_id_a < record_id_b then record_id_a else record_id_b end as record_id_l,
    case when record_id_a < record_id_b then record_id_b else record_id_a end as record_id_r,
    decision,
    reviewer,
    decided_at,
    note
from latest
