{#
    The steps of int_er_match_weights' expectation-maximisation, each a query over the
    relations it is given (CTE names or tables), so the same SQL runs unrolled as CTEs (DuckDB,
    each CTE materialized) or as one working table per iteration (steps_in_working_tables: Spark, which
    inlines CTEs and took minutes to plan 20 unrolled iterations; a table per iteration plans in
    milliseconds). See the model for what each step computes.
#}

{#
    A sum whose value does not depend on the order of its terms: summed as DECIMAL(38, 18),
    exactly, then back to a double. Floating-point sums depend on the order rows arrive in,
    which differs between engines (and between runs on parallel ones), and twenty EM iterations
    grew those last-bit differences to 1e-8 in the weights. Terms are at most 1e20.
#}
{% macro er_exact_sum(expression, over='') -%}
    cast(sum(cast({{ expression }} as decimal(38, 18))) {{ over }} as double)
{%- endmacro %}

{% macro er_exact_avg(expression) -%}
    ({{ er_exact_sum(expression) }} / count({{ expression }}))
{%- endmacro %}

{% macro er_em_pattern_levels_sql(patterns, config, sessions) %}
    {%- for comparison in config.comparisons %}
    {%- set fixed_in = [] %}
    {%- for session in sessions if comparison.name in session.get('fixes', []) %}
    {%- do fixed_in.append(session.blocking_rule) %}
    {%- endfor %}
    select training_session, pattern_id, pairs, '{{ comparison.name }}' as comparison, gamma_{{ comparison.name }} as comparison_level
    from {{ patterns }}
    where gamma_{{ comparison.name }} >= 0
    {%- if fixed_in %}
        and training_session not in ('{{ fixed_in | join("', '") }}')
    {%- endif %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{% endmacro %}

{% macro er_em_params_0_sql(pattern_levels, random_pair_u, config, floor) %}
    with observed_levels as (
        select distinct training_session, comparison, comparison_level
        from {{ pattern_levels }}
    )
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
    left join {{ random_pair_u }} as random_pair_u
        on random_pair_u.comparison = observed_levels.comparison
        and random_pair_u.comparison_level = observed_levels.comparison_level
{% endmacro %}

{#- E step: each pattern's log(u/m) under the current parameters. #}
{% macro er_em_log_ratios_sql(pattern_levels, params) %}
    select
        pattern_levels.training_session,
        pattern_levels.pattern_id,
        max(pattern_levels.pairs) as pairs,
        max(params.match_share) as match_share,
        {{ er_exact_sum('ln(params.u_probability) - ln(params.m_probability)') }} as log_u_over_m
    from {{ pattern_levels }} as pattern_levels
    inner join {{ params }} as params
        on params.training_session = pattern_levels.training_session
        and params.comparison = pattern_levels.comparison
        and params.comparison_level = pattern_levels.comparison_level
    group by pattern_levels.training_session, pattern_levels.pattern_id
{% endmacro %}

{#- E step: each pattern's posterior probability of being a match, and the session's share. #}
{% macro er_em_posteriors_sql(log_ratios) %}
    select
        training_session,
        pattern_id,
        pairs,
        match_posterior,
        {{ er_exact_sum('pairs * match_posterior', 'over (partition by training_session)') }}
            / sum(pairs) over (partition by training_session) as next_match_share
    from (
        select
            training_session,
            pattern_id,
            pairs,
            1.0 / (1.0 + exp(least(greatest(ln((1.0 - match_share) / match_share) + log_u_over_m, -60.0), 60.0)))
                as match_posterior
        from {{ log_ratios }}
    ) as pattern_posteriors
{% endmacro %}

{#- M step: expected matched and unmatched pairs per level. #}
{% macro er_em_level_sums_sql(pattern_levels, posteriors) %}
    select
        pattern_levels.training_session,
        pattern_levels.comparison,
        pattern_levels.comparison_level,
        {{ er_exact_sum('pattern_levels.pairs * posteriors.match_posterior') }} as matched_pairs,
        {{ er_exact_sum('pattern_levels.pairs * (1.0 - posteriors.match_posterior)') }} as unmatched_pairs,
        max(posteriors.next_match_share) as match_share
    from {{ pattern_levels }} as pattern_levels
    inner join {{ posteriors }} as posteriors
        on posteriors.training_session = pattern_levels.training_session
        and posteriors.pattern_id = pattern_levels.pattern_id
    group by pattern_levels.training_session, pattern_levels.comparison, pattern_levels.comparison_level
{% endmacro %}

{#- M step: the next parameters. #}
{% macro er_em_params_next_sql(level_sums, params_0, estimate_u, floor) %}
    select
        level_sums.training_session,
        level_sums.comparison,
        level_sums.comparison_level,
        greatest(level_sums.matched_pairs / nullif({{ er_exact_sum('level_sums.matched_pairs',
            'over (partition by level_sums.training_session, level_sums.comparison)') }}, 0), {{ floor }})
            as m_probability,
        {%- if estimate_u %}
        greatest(level_sums.unmatched_pairs / nullif({{ er_exact_sum('level_sums.unmatched_pairs',
            'over (partition by level_sums.training_session, level_sums.comparison)') }}, 0), {{ floor }})
            as u_probability,
        {%- else %}
        params_0.u_probability,
        {%- endif %}
        least(greatest(level_sums.match_share, {{ floor }}), 1.0 - {{ floor }}) as match_share
    from {{ level_sums }} as level_sums
    inner join {{ params_0 }} as params_0
        on params_0.training_session = level_sums.training_session
        and params_0.comparison = level_sums.comparison
        and params_0.comparison_level = level_sums.comparison_level
{% endmacro %}

{#
    Spark: every step as a working table, iteration by iteration (a pre-hook of the model).
    Leaves working_table('em_params_<i>') for the last two iterations; the model's post-hook
    drops them.
#}
{% macro er_em_tables(patterns, random_pair_u, config, sessions, iterations, estimate_u, floor) %}
    {% if not execute or not steps_in_working_tables() %}{{ return('') }}{% endif %}
    {% set T = working_table %}
    {{ create_working_table('em_pattern_levels', er_em_pattern_levels_sql(patterns, config, sessions)) }}
    {{ create_working_table('em_params_0', er_em_params_0_sql(T('em_pattern_levels'), random_pair_u, config, floor)) }}
    {#- One table per iteration: its four steps as CTEs of one query, each read once, so
        nothing is planned twice and no plan holds an earlier iteration. #}
    {% for i in range(iterations) %}
        {% set sql %}
            with log_ratios as (
                {{ er_em_log_ratios_sql(T('em_pattern_levels'), T('em_params_' ~ i)) }}
            ),
            posteriors as (
                {{ er_em_posteriors_sql('log_ratios') }}
            ),
            level_sums as (
                {{ er_em_level_sums_sql(T('em_pattern_levels'), 'posteriors') }}
            )
            {{ er_em_params_next_sql('level_sums', T('em_params_0'), estimate_u, floor) }}
        {% endset %}
        {{ create_working_table('em_params_' ~ (i + 1), sql) }}
        {% if i >= 1 %}{{ drop_working_tables(['em_params_' ~ i]) if i < iterations - 1 else '' }}{% endif %}
    {% endfor %}
    {{ drop_working_tables(['em_pattern_levels']) }}
    {{ return('') }}
{% endmacro %}

{% macro er_em_drop_tables(iterations) %}
    {% if execute and steps_in_working_tables() %}
        {{ drop_working_tables(['em_params_0', 'em_params_' ~ (iterations - 1), 'em_params_' ~ iterations]) }}
    {% endif %}
    {{ return('') }}
{% endmacro %}
