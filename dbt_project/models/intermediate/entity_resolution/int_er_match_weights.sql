{#
    Fellegi-Sunter match weights estimated from the data, without labels, by expectation-
    maximisation over comparison patterns (int_er_comparison_patterns):
      m = P(level | same person), u = P(level | different people), match weight = log2(m / u).

    Default (em.estimate_u: false), as Splink trains: u comes from random record pairs
    (int_er_u_probabilities) and stays fixed; m is estimated in training sessions, each over the
    candidate pairs of one blocking rule, leaving out the comparisons that rule fixes (pairs blocked
    on email all agree on email, which says nothing about how often matches do); a comparison's m is
    the average over the sessions that estimate it. The prior is P(two random records match):
    pairs at the anchor level (em.prior_anchor, exact email) are nearly all matches, so matches
    number about (pairs at that level) / m(that level), out of n(n-1)/2 pairs.

    em.estimate_u: true: one session of all candidate pairs, u re-estimated there too, and the
    prior is the share of matches among candidate pairs.

    Each iteration (em.iterations, unrolled) computes every pattern's posterior probability of
    being a match (E step) and re-estimates m (and u) and each session's share of matches (M step),
    reading only the previous iteration, so the plan stays linear.
    One row per (comparison, level).
#}

{%- set config = er_config() -%}
{%- set iterations = config.em.iterations -%}
{%- set estimate_u = config.em.estimate_u -%}
{%- set sessions = [] if estimate_u else config.em.training_sessions -%}
{%- set floor = 0.000001 -%}

with

patterns as (
    select *
    from {{ ref('int_er_comparison_patterns') }}
),

pattern_levels as {{ er_materialized_cte() }} (
    {%- for comparison in config.comparisons %}
    {%- set fixed_in = [] %}
    {%- for session in sessions if comparison.name in session.get('fixes', []) %}
    {%- do fixed_in.append(session.blocking_rule) %}
    {%- endfor %}
    select training_session, pattern_id, pairs, '{{ comparison.name }}' as comparison, gamma_{{ comparison.name }} as comparison_level
    from patterns
    where gamma_{{ comparison.name }} >= 0
    {%- if fixed_in %}
        and training_session not in ('{{ fixed_in | join("', '") }}')
    {%- endif %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

observed_levels as (
    select distinct training_session, comparison, comparison_level
    from pattern_levels
),

random_pair_u as (
    select comparison, comparison_level, u_probability
    from {{ ref('int_er_u_probabilities') }}
),

params_0 as {{ er_materialized_cte() }} (
    select
        observed_levels.training_session,
        observed_levels.comparison,
        observed_levels.comparison_level,
        power(3.0, observed_levels.comparison_level)
            / sum(power(3.0, observed_levels.comparison_level))
                over (partition by observed_levels.training_session, observed_levels.comparison)
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
        pattern_levels.training_session,
        pattern_levels.pattern_id,
        max(pattern_levels.pairs) as pairs,
        max(params_{{ i }}.match_share) as match_share,
        sum(ln(params_{{ i }}.u_probability) - ln(params_{{ i }}.m_probability)) as log_u_over_m
    from pattern_levels
    inner join params_{{ i }}
        on params_{{ i }}.training_session = pattern_levels.training_session
        and params_{{ i }}.comparison = pattern_levels.comparison
        and params_{{ i }}.comparison_level = pattern_levels.comparison_level
    group by pattern_levels.training_session, pattern_levels.pattern_id
),

posteriors_{{ i }} as {{ er_materialized_cte() }} (
    select
        training_session,
        pattern_id,
        pairs,
        match_posterior,
        sum(pairs * match_posterior) over (partition by training_session)
            / sum(pairs) over (partition by training_session) as next_match_share
    from (
        select
            training_session,
            pattern_id,
            pairs,
            1.0 / (1.0 + exp(least(greatest(ln((1.0 - match_share) / match_share) + log_u_over_m, -60.0), 60.0)))
                as match_posterior
        from log_ratios_{{ i }}
    ) as pattern_posteriors
),

level_sums_{{ i }} as {{ er_materialized_cte() }} (
    select
        pattern_levels.training_session,
        pattern_levels.comparison,
        pattern_levels.comparison_level,
        sum(pattern_levels.pairs * posteriors_{{ i }}.match_posterior) as matched_pairs,
        sum(pattern_levels.pairs * (1.0 - posteriors_{{ i }}.match_posterior)) as unmatched_pairs,
        max(posteriors_{{ i }}.next_match_share) as match_share
    from pattern_levels
    inner join posteriors_{{ i }}
        on posteriors_{{ i }}.training_session = pattern_levels.training_session
        and posteriors_{{ i }}.pattern_id = pattern_levels.pattern_id
    group by pattern_levels.training_session, pattern_levels.comparison, pattern_levels.comparison_level
),

params_{{ i + 1 }} as {{ er_materialized_cte() }} (
    select
        level_sums_{{ i }}.training_session,
        level_sums_{{ i }}.comparison,
        level_sums_{{ i }}.comparison_level,
        greatest(matched_pairs / nullif(sum(matched_pairs)
            over (partition by level_sums_{{ i }}.training_session, level_sums_{{ i }}.comparison), 0), {{ floor }})
            as m_probability,
        {%- if estimate_u %}
        greatest(unmatched_pairs / nullif(sum(unmatched_pairs)
            over (partition by level_sums_{{ i }}.training_session, level_sums_{{ i }}.comparison), 0), {{ floor }})
            as u_probability,
        {%- else %}
        params_0.u_probability,
        {%- endif %}
        least(greatest(level_sums_{{ i }}.match_share, {{ floor }}), 1.0 - {{ floor }}) as match_share
    from level_sums_{{ i }}
    inner join params_0
        on params_0.training_session = level_sums_{{ i }}.training_session
        and params_0.comparison = level_sums_{{ i }}.comparison
        and params_0.comparison_level = level_sums_{{ i }}.comparison_level
),

{% endfor %}
{#- Average the sessions that estimate each comparison; renormalize over its levels when several
    did (their observed levels can differ). #}
session_averages as (
    select
        final_params.comparison,
        final_params.comparison_level,
        avg(final_params.m_probability) as m_average,
        count(*) as sessions,
        avg(final_params.u_probability) as u_probability,
        avg(final_params.match_share) as match_share,
        max(abs(final_params.m_probability - previous_params.m_probability)) as change
    from params_{{ iterations }} as final_params
    inner join params_{{ iterations - 1 }} as previous_params
        on previous_params.training_session = final_params.training_session
        and previous_params.comparison = final_params.comparison
        and previous_params.comparison_level = final_params.comparison_level
    group by final_params.comparison, final_params.comparison_level
),

averaged as (
    select
        comparison,
        comparison_level,
        case
            when max(sessions) over (partition by comparison) > 1
                then m_average / sum(m_average) over (partition by comparison)
            else m_average
        end as m_probability,
        u_probability,
        max(match_share) over () as match_share,
        max(change) over () as last_iteration_change
    from session_averages
),

{%- if not estimate_u %}
{%- set anchor = config.em.prior_anchor %}
anchor_pairs as (
    select
        (
            select count(*)
            from {{ ref('int_er_pairs_compared') }} as current_pairs
            where current_pairs.gamma_{{ anchor.comparison }} = {{ anchor.level }}
        ) as pairs_at_anchor,
        (select count(*) from {{ ref('int_er_records_prepared') }}) as records
),

prior as (
    select
        least(
            anchor_pairs.pairs_at_anchor / averaged.m_probability
                / (anchor_pairs.records * (anchor_pairs.records - 1) / 2.0),
            0.5
        ) as prior_match_probability
    from anchor_pairs
    cross join averaged
    where averaged.comparison = '{{ anchor.comparison }}'
        and averaged.comparison_level = {{ anchor.level }}
),
{%- endif %}

final as (
    select
        averaged.*,
        {%- if estimate_u %}
        averaged.match_share as prior_match_probability
        {%- else %}
        prior.prior_match_probability
        {%- endif %}
    from averaged
    {%- if not estimate_u %}
    cross join prior
    {%- endif %}
)

select
    {{ config.version }} as config_version,
    final.comparison,
    final.comparison_level,
    case final.comparison
        {%- for c in config.comparisons %}
        when '{{ c.name }}' then {{ er_level_name_case('final.comparison_level', c) }}
        {%- endfor %}
    end as level_name,
    final.m_probability,
    final.u_probability,
    {#- The swapped level weighs at most what the exact level does: both agree on the same two
        names. EM estimates it from few pairs and random pairs almost never show it (u at its
        floor), which made it the strongest name evidence of all, stronger than both names
        exact. The term-frequency adjustment then applies to it as to exact (er_tf_setting). #}
    case
        {%- for c in config.comparisons if c.type == 'name' and c.get('swapped_with') %}
        when final.comparison = '{{ c.name }}' and final.comparison_level = 1 then least(
            {{ er_log2('final.m_probability / final.u_probability') }},
            max(case when final.comparison_level = {{ er_exact_level(c) }}
                then {{ er_log2('final.m_probability / final.u_probability') }} end)
                over (partition by final.comparison)
        )
        {%- endfor %}
        else {{ er_log2('final.m_probability / final.u_probability') }}
    end as match_weight,
    final.match_share as prior_match_share,
    final.prior_match_probability,
    final.last_iteration_change,
    {{ iterations }} as em_iterations
from final
