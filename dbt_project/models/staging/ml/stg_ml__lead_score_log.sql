select
    lead_id,
    conversion_probability,
    decile,
    model_grade,
    model_version,
    scored_by,
    top_positive_factors,
    top_negative_factors,
    scoring_note,
    scored_at
from {{ source('ml', 'lead_score_log') }}
