{#
    Pairs of lead records entity resolution is unsure about (probability between
    thresholds.review_low and thresholds.match) and no reviewer has decided yet, most probable
    first, with both records side by side. Export it, fill in `decision` (match / no_match),
    `reviewer` and `note`, and drop the CSV into landing/match_reviews/: the next run obeys it.
#}

with

pairs as (
    select *
    from {{ ref('int_er_pairs_scored') }}
    where decision = 'review'
),

decided as (
    select record_id_l, record_id_r
    from {{ ref('int_er_review_decisions') }}
),

records as (
    select
        prepared.record_id,
        matched.*
    from {{ ref('int_lead_records_matched') }} as matched
    inner join {{ ref('int_er_records_prepared') }} as prepared
        on prepared.record_key = {{ dbt.concat(['matched.source', "':'", 'matched.source_record_id']) }}
)

select
    l.source as left_source,
    l.source_record_id as left_source_record_id,
    r.source as right_source,
    r.source_record_id as right_source_record_id,
    pairs.match_probability,
    pairs.evidence,
    pairs.blocked_by,
    l.lead_id as left_lead_id,
    r.lead_id as right_lead_id,
    {%- for field in ['first_name', 'last_name', 'email', 'phone', 'company', 'city'] %}
    l.{{ field }} as left_{{ field }},
    r.{{ field }} as right_{{ field }},
    {%- endfor %}
    cast(null as {{ dbt.type_string() }}) as decision,
    cast(null as {{ dbt.type_string() }}) as reviewer,
    cast(null as {{ dbt.type_string() }}) as note
from pairs
inner join records as l on l.record_id = pairs.record_id_l
inner join records as r on r.record_id = pairs.record_id_r
left join decided
    on decided.record_id_l = pairs.record_id_l
    and decided.record_id_r = pairs.record_id_r
where decided.record_id_l is null
