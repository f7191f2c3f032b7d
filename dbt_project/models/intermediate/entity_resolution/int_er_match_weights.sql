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

{{ config(
    pre_hook="{{ er_em_tables(ref('int_er_comparison_patterns'), ref('int_er_u_probabilities'), er_config(), [] if er_config().em.estimate_u else er_config().em.training_sessions, er_config().em.iterations, er_config().em.estimate_u, 0.000001) }}",
    post_hook="{{ er_em_drop_tables(er_config().em.iterations) }}",
) }}

{%- set config = er_config() -%}
{%- set iterations = config.em.iterations -%}
{%- set estimate_u = config.em.estimate_u -%}
{%- set sessions = [] if estimate_u else config.em.training_sessions -%}
{%- set floor = 0.000001 -%}

{%- set in_tables = steps_in_working_tables() -%}

with

{%- if in_tables %}
{#- Spark: the iterations ran as working tables in the pre-hook (macros/entity_resolution/er_em.sql). #}
{%- set final_params = working_table('em_params_' ~ iterations) %}
{%- set previous_params = working_table('em_params_' ~ (iterations - 1)) %}
{%- else %}
{%- set final_params = 'params_' ~ iterations %}
{%- set previous_params = 'params_' ~ (iterations - 1) %}

pattern_levels as {{ materialized_cte() }} (
    {{ er_em_pattern_levels_sql(ref('int_er_comparison_patterns'), config, sessions) }}
),

params_0 as {{ materialized_cte() }} (
    {{ er_em_params_0_sql('pattern_levels', ref('int_er_u_probabilities'), config, floor) }}
),

{% for i in range(iterations) %}
log_ratios_{{ i }} as {{ materialized_cte() }} (
    {{ er_em_log_ratios_sql('pattern_levels', 'params_' ~ i) }}
),

posteriors_{{ i }} as {{ materialized_cte() }} (
    {{ er_em_posteriors_sql('log_ratios_' ~ i) }}
),

level_sums_{{ i }} as {{ materialized_cte() }} (
    {{ er_em_level_sums_sql('pattern_levels', 'posteriors_' ~ i) }}
),

params_{{ i + 1 }} as {{ materialized_cte() }} (
    {{ er_em_params_next_sql('level_sums_' ~ i, 'params_0', estimate_u, floor) }}
),

{% endfor %}
{%- endif %}
{#- Average the sessions that estimate each comparison; renormalize over its levels when several
    did (their observed levels can differ). #}
session_averages as (
    select
        final_params.comparison,
        final_params.comparison_level,
        {{ er_exact_avg('final_params.m_probability') }} as m_average,
        count(*) as sessions,
        {{ er_exact_avg('final_params.u_probability') }} as u_probability,
        {{ er_exact_avg('final_params.match_share') }} as match_share,
        max(abs(final_params.m_probability - previous_params.m_probability)) as change
    from {{ final_params }} as final_params
    inner join {{ previous_params }} as previous_params
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
                then m_average / {{ er_exact_sum('m_average', 'over (partition by comparison)') }}
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
