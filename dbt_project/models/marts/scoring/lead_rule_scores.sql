{#
    The current rule score of every lead of dim_leads as of `as_of` (config/scoring.yml):
    category points (each capped), the score (their sum clamped to 0-100, rounded), grade,
    temperature, priority, auto-qualification and BANT. marts.lead_rule_score_details lists the
    rules behind each number.
#}
{%- set scoring = var('scoring') -%}
{%- set bant = scoring.bant -%}

with

leads as (
    select *
    from {{ ref('lead_enrichment') }}
),

hits as (
    select *
    from {{ ref('int_lead_rule_hits') }}
),

category_sums as (
    select
        lead_id,
        {%- for category, cap in scoring.categories %}
        least(coalesce(sum(case when category = '{{ category }}' then points end), 0), {{ cap }}) as {{ category }}_points,
        {%- endfor %}
        -- "email_opens +4.37, title_vp +15.00": rule ids (one row each) sort the list.
        {{ sorted_string_agg(
            dbt.concat(['rule_id', "case when points >= 0 then ' +' else ' ' end", 'cast(points as ' ~ dbt.type_string() ~ ')']),
            ', '
        ) }} as fired_rules,
        count(*) as fired_rule_count
    from hits
    group by lead_id
),

scored as (
    select
        leads.lead_id,
        {%- for category, cap in scoring.categories %}
        cast(coalesce(category_sums.{{ category }}_points, 0) as decimal(9, 2)) as {{ category }}_points,
        {%- endfor %}
        cast(round(greatest(0, least(100,
            {%- for category, cap in scoring.categories %}
            coalesce(category_sums.{{ category }}_points, 0){{ ' +' if not loop.last }}
            {%- endfor %}
        )), 0) as integer) as score,
        coalesce(category_sums.fired_rules, '') as fired_rules,
        coalesce(category_sums.fired_rule_count, 0) as fired_rule_count,
        {%- for name, condition in bant.criteria %}
        {{ scoring_condition(condition) }} as bant_{{ name }}_met,
        {%- endfor %}
        (
            {%- for name, condition in bant.criteria %}
            {{ scoring_column(condition) }} is not null{{ ' or' if not loop.last }}
            {%- endfor %}
        ) as bant_answered
    from leads
    left join category_sums
        on leads.lead_id = category_sums.lead_id
),

qualified as (
    select
        *,
        {%- for name, condition in bant.criteria %}
        (case when bant_{{ name }}_met then 25 else 0 end){{ ' +' if not loop.last }}
        {%- endfor %}
        as bant_score
    from scored
)

select
    lead_id,
    score,
    {%- for category, cap in scoring.categories %}
    {{ category }}_points,
    {%- endfor %}
    {{ scoring_band('score', scoring.grades) }} as grade,
    {{ scoring_band('score', scoring.temperature) }} as temperature,
    {{ scoring_band('score', scoring.priority) }} as priority,
    score >= {{ scoring.auto_qualify_at }} as auto_qualified,
    bant_score,
    case
        when not bant_answered then 'unknown'
        {%- if bant.mode == 'all_four' %}
        when bant_score = 100 then 'qualified'
        {%- else %}
        when bant_score >= {{ bant.qualified_at }} then 'qualified'
        {%- endif %}
        else 'not_qualified'
    end as bant_verdict,
    {%- for name, condition in bant.criteria %}
    bant_{{ name }}_met,
    {%- endfor %}
    fired_rules,
    fired_rule_count,
    {{ scoring_literal(scoring.grade_scheme) }} as grade_scheme,
    {{ as_of() }} as scored_as_of
from qualified
