{#
    The distinct comparison patterns (one gamma level per comparison) of each EM training session
    with how many pairs show each. EM estimates the weights from this small table.
    Sessions (em.training_sessions): the candidate pairs one blocking rule proposed; with
    em.estimate_u, a single session of all candidate pairs.
#}

{%- set config = er_config() -%}

with

current_pairs as (
    select *
    from {{ ref('int_er_pairs_compared') }}
),

session_pairs as (
    {%- if config.em.estimate_u %}
    select 'all_candidate_pairs' as training_session, current_pairs.* from current_pairs
    {%- else %}
    {%- set rule_names = config.blocking.rules | map(attribute='name') | list %}
    {%- for session in config.em.training_sessions %}
    {%- if session.blocking_rule not in rule_names %}
    {{ exceptions.raise_compiler_error(
        "vars.entity_resolution.em.training_sessions (config/entity_resolution.yml): '" ~ session.blocking_rule
        ~ "' is not a blocking rule; use one of " ~ (rule_names | join(', '))) }}
    {%- endif %}
    select '{{ session.blocking_rule }}' as training_session, current_pairs.*
    from current_pairs
    where floor(blocking_rule_mask / {{ 2 ** rule_names.index(session.blocking_rule) }}) % 2 = 1
    {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- endif %}
),

patterns as (
    select
        training_session,
        {%- for comparison in config.comparisons %}
        gamma_{{ comparison.name }},
        {%- endfor %}
        count(*) as pairs
    from session_pairs
    group by
        training_session,
        {%- for comparison in config.comparisons %}
        gamma_{{ comparison.name }}{{ ',' if not loop.last }}
        {%- endfor %}
)

select
    row_number() over (
        order by training_session, {% for comparison in config.comparisons %}gamma_{{ comparison.name }}{{ ', ' if not loop.last }}{% endfor %}
    ) as pattern_id,
    patterns.*
from patterns
