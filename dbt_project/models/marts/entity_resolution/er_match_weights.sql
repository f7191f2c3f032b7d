{# The estimated Fellegi-Sunter weights, for explaining any match: see int_er_match_weights. #}
select
    config_version,
    comparison,
    comparison_level,
    level_name,
    m_probability,
    u_probability,
    match_weight,
    prior_match_share,
    prior_match_probability,
    last_iteration_change,
    em_iterations
from {{ ref('int_er_match_weights') }}
