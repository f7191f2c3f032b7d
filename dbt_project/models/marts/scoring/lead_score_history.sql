{#
    Every change of a lead's rule score, grade or qualification, with the rules that fired:
    valid from the as_of of the run that saw it until the next change (null: still current).
    "Why did this lead jump from 40 to 85 yesterday" is one query on this table. A lead merged
    into another has no current row: its last score is valid until the run that no longer found
    it (int_lead_score_changes' row with no score, which only ends the row before it).
#}

with

changes as (
    select *
    from {{ ref('int_lead_score_changes') }}
),

history as (
    select
        score_change_id,
        lead_id,
        score,
        lag(score) over lead_changes as previous_score,
        score - lag(score) over lead_changes as score_change,
        grade,
        lag(grade) over lead_changes as previous_grade,
        bant_verdict,
        auto_qualified,
        fired_rules,
        lag(fired_rules) over lead_changes as previous_fired_rules,
        valid_from,
        lead(valid_from) over lead_changes as valid_to,
        lead(valid_from) over lead_changes is null as is_current
    from changes
    window lead_changes as (partition by lead_id order by valid_from)
)

select *
from history
where score is not null
