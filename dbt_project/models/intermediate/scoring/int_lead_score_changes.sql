{#
    Append-only: a row each time a run (its as_of) sees a lead's score, grade or qualification
    differ from the last row kept for it, with the rules that fired then; and a row with no score
    (score, grade, verdict, qualification and rules null) when a run no longer finds a lead it
    scored before: entity resolution merged it into another lead, whose id its records now carry.
    That row ends the lead's last score in marts.lead_score_history, so a merged-away lead is not
    counted as current for ever (tests/dbt/test_incremental_marts.py). Never rebuilt:
    `full_refresh: false` keeps the history through `dbt build --full-refresh`. A run whose
    as_of is not after a lead's last row adds nothing for that lead (no history rewritten from
    the past). marts.lead_score_history adds valid_to.
#}
{{ config(
    materialized='incremental',
    unique_key='score_change_id',
    incremental_strategy=append_only_strategy(),
    full_refresh=false,
    on_schema_change='fail',
) }}

with

current_scores as (
    select
        lead_id,
        score,
        grade,
        bant_verdict,
        auto_qualified,
        fired_rules,
        scored_as_of
    from {{ ref('lead_rule_scores') }}
),

{%- if is_incremental() %}

latest_rows as (
    select
        lead_id,
        score,
        grade,
        bant_verdict,
        auto_qualified,
        valid_from,
        row_number() over (partition by lead_id order by valid_from desc) as row_recency_rank
    from {{ this }}
),

changed as (
    select current_scores.*
    from current_scores
    left join latest_rows
        on current_scores.lead_id = latest_rows.lead_id
        and latest_rows.row_recency_rank = 1
    where latest_rows.lead_id is null
        or (
            current_scores.scored_as_of > latest_rows.valid_from
            and (
                latest_rows.score is null
                or current_scores.score <> latest_rows.score
                or current_scores.grade <> latest_rows.grade
                or current_scores.bant_verdict <> latest_rows.bant_verdict
                or current_scores.auto_qualified <> latest_rows.auto_qualified
            )
        )
),

this_run as (
    select max(scored_as_of) as scored_as_of
    from current_scores
),

retired as (
    select
        latest_rows.lead_id,
        cast(null as {{ dbt.type_int() }}) as score,
        cast(null as {{ dbt.type_string() }}) as grade,
        cast(null as {{ dbt.type_string() }}) as bant_verdict,
        cast(null as {{ dbt.type_boolean() }}) as auto_qualified,
        cast(null as {{ dbt.type_string() }}) as fired_rules,
        this_run.scored_as_of
    from latest_rows
    cross join this_run
    left join current_scores
        on latest_rows.lead_id = current_scores.lead_id
    where latest_rows.row_recency_rank = 1
        and latest_rows.score is not null
        and current_scores.lead_id is null
        and this_run.scored_as_of > latest_rows.valid_from
),

changes_and_retirements as (
    select * from changed
    union all
    select * from retired
)

{%- else %}

changes_and_retirements as (
    select *
    from current_scores
)

{%- endif %}

select
    {{ short_hash(dbt.concat(['lead_id', "'|'", 'cast(scored_as_of as ' ~ dbt.type_string() ~ ')'])) }} as score_change_id,
    lead_id,
    score,
    grade,
    bant_verdict,
    auto_qualified,
    fired_rules,
    scored_as_of as valid_from
from changes_and_retirements
