{#
    Every open lead's conversion probability (the latest scoring run, source ml.lead_scores) beside
    its rule score: scored_by says whether the champion model or the rule fallback gave it.
#}

with

scores as (
    select *
    from {{ ref('stg_ml__lead_scores') }}
),

rule_scores as (
    select *
    from {{ ref('lead_rule_scores') }}
)

select
    scores.lead_id,
    scores.conversion_probability,
    scores.decile,
    scores.model_grade,
    scores.model_version,
    scores.scored_by,
    scores.top_positive_factors,
    scores.top_negative_factors,
    scores.scoring_note,
    scores.scored_at,
    rule_scores.score as rule_score,
    rule_scores.grade as rule_grade
from scores
left join rule_scores
    on scores.lead_id = rule_scores.lead_id
