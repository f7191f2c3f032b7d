{#
    Fellegi-Sunter match weights estimated from the data, without labels, by expectation-
    maximisation over the comparison patterns of the candidate pairs:
      m = P(level | same person), u = P(level | different people), match weight = log2(m / u).
    u starts from random record pairs (int_er_u_probabilities), m from a monotone guess; each
    iteration computes every pattern's posterior probability of being a match (E step) and
    re-estimates m, u and the share of matches among candidate pairs (M step). The iterations are
    unrolled; each reads only the previous one, so the plan stays linear on every engine.
    With `em.estimate_u: false` (the default) u stays at its random-pair estimate, as in Fellegi
    and Sunter's model, and the prior used for scoring is the probability that two records picked
    at random match (the matches EM finds among candidate pairs over all pairs): scores then do not
    depend on which pairs blocking happened to propose. With `estimate_u: true`, u is re-estimated
    among candidate pairs and the prior is the share of matches among them.
    One row per (comparison, level); the priors and `last_iteration_change` repeat on each.
#}

{%- set config = er_config() -%}
{%- set iterations = config.em.iterations -%}
{%- set floor = 0.000001 -%}

with

patterns as (
    select *
    from {{ ref('int_er_comparison_patterns') }}
),

pattern_levels as {{ er_materialized_cte() }} (
    {%- for comparison in config.comparisons %}
    select pattern_id, pairs, '{{ comparison.name }}' as comparison, gamma_{{ comparison.name }} as comparison_level
    from patterns
    where gamma_{{ comparison.name }} >= 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

observed_levels as (
    select distinct comparison, comparison_level
    from pattern_levels
),

random_pair_u as (
    select comparison, comparison_level, u_probability
    from {{ ref('int_er_u_probabilities') }}
),

params_0 as {{ er_materialized_cte() }} (
    select
        observed_levels.comparison,
        observed_levels.comparison_level,
        power(3.0, observed_levels.comparison_level)
            / sum(power(3.0, observed_levels.comparison_level)) over (partition by observed_levels.comparison)
            as m_probability,
        greatest(coalesce(random_pair_u.u_probability, 0), {{ floor }}) as u_probability,
        cast({{ config.em.initial_match_share }} as double) as match_share
    from observed_levels
    left join random_pair_u
        on random_pair_u.comparison = observed_levels.comparison
        and random_pair_u.comparison_level = observed_levels.comparison_level
),

{% for i in range(iterations) %}
log_ratios_{{ i }} as {{ er_materialized_cte() }} (
    select
        pattern_levels.pattern_id,
        max(pattern_levels.pairs) as pairs,
        max(params_{{ i }}.match_share) as match_share,
        sum(ln(params_{{ i }}.u_probability) - ln(params_{{ i }}.m_probability)) as log_u_over_m
    from pattern_levels
    inner join params_{{ i }}
        on params_{{ i }}.comparison = pattern_levels.comparison
        and params_{{ i }}.comparison_level = pattern_levels.comparison_level
    group by pattern_levels.pattern_id
),

posteriors_{{ i }} as {{ er_materialized_cte() }} (
    select
        pattern_id,
        pairs,
        match_posterior,
        sum(pairs * match_posterior) over () / sum(pairs) over () as next_match_share
    from (
        select
            pattern_id,
            pairs,
            1.0 / (1.0 + exp(least(greatest(ln((1.0 - match_share) / match_share) + log_u_over_m, -60.0), 60.0)))
                as match_posterior
        from log_ratios_{{ i }}
    ) as pattern_posteriors
),

level_sums_{{ i }} as {{ er_materialized_cte() }} (
    select
        pattern_levels.comparison,
        pattern_levels.comparison_level,
        sum(pattern_levels.pairs * posteriors_{{ i }}.match_posterior) as matched_pairs,
        sum(pattern_levels.pairs * (1.0 - posteriors_{{ i }}.match_posterior)) as unmatched_pairs,
        max(posteriors_{{ i }}.next_match_share) as match_share
    from pattern_levels
    inner join posteriors_{{ i }}
        on posteriors_{{ i }}.pattern_id = pattern_levels.pattern_id
    group by pattern_levels.comparison, pattern_levels.comparison_level
),

params_{{ i + 1 }} as {{ er_materialized_cte() }} (
    select
        comparison,
        comparison_level,
        greatest(matched_pairs / nullif(sum(matched_pairs) over (partition by comparison), 0), {{ floor }}) as m_probability,
        {%- if config.em.estimate_u %}
        greatest(unmatched_pairs / nullif(sum(unmatched_pairs) over (partition by comparison), 0), {{ floor }}) as u_probability,
        {%- else %}
        (select max(p0.u_probability) from params_0 as p0
            where p0.comparison = level_sums_{{ i }}.comparison
            and p0.comparison_level = level_sums_{{ i }}.comparison_level) as u_probability,
        {%- endif %}
        least(greatest(match_share, {{ floor }}), 1.0 - {{ floor }}) as match_share
    from level_sums_{{ i }}
),

{% endfor %}
level_names as (
    {%- for comparison in config.comparisons %}
    {%- set outer = loop %}
    {%- for level, name in er_level_names(comparison).items() if level >= 0 %}
    select '{{ comparison.name }}' as comparison, {{ level }} as comparison_level, '{{ name }}' as level_name
    {{ 'union all' if not (outer.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
),

final_params as (
    select *
    from params_{{ iterations }}
),

{%- if not config.em.estimate_u %}
pair_counts as (
    select
        (select sum(pairs) from patterns) as candidate_pairs,
        (select count(*) from {{ ref('int_er_records_prepared') }}) as records
),
{%- endif %}

previous_params as (
    select comparison, comparison_level, m_probability as previous_m_probability
    from params_{{ iterations - 1 }}
)

select
    {{ config.version }} as config_version,
    final_params.comparison,
    final_params.comparison_level,
    coalesce(level_names.level_name, 'level_' || cast(final_params.comparison_level as {{ dbt.type_string() }})) as level_name,
    final_params.m_probability,
    final_params.u_probability,
    {{ er_log2('final_params.m_probability / final_params.u_probability') }} as match_weight,
    final_params.match_share as prior_match_share,
    {%- if config.em.estimate_u %}
    final_params.match_share as prior_match_probability,
    {%- else %}
    least(final_params.match_share * pair_counts.candidate_pairs
        / (pair_counts.records * (pair_counts.records - 1) / 2.0), 0.5) as prior_match_probability,
    {%- endif %}
    max(abs(final_params.m_probability - previous_params.previous_m_probability)) over () as last_iteration_change,
    {{ iterations }} as em_iterations
from final_params
left join level_names
    on level_names.comparison = final_params.comparison
    and level_names.comparison_level = final_params.comparison_level
left join previous_params
    on previous_params.comparison = final_params.comparison
    and previous_params.comparison_level = final_params.comparison_level
{%- if not config.em.estimate_u %}
cross join pair_counts
{%- endif %}
