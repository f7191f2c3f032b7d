{#
    One row per lead first seen by as_of, with what the funnel and conversion marts count, as of as_of: when it was
    created, its segments, when it reached each funnel step in order, when it qualified, won or
    was lost, and its deal amounts (config/analytics.yml, docs/funnels.md).

    - Segments: channel and campaign of its first record, industry, region, owner agent, and its
      current grade (lead_rule_scores: the grade now, for every period).
    - Funnel steps (analytics.funnel_steps) count in order: step k is the first time the lead
      entered step k's stage at or after it reached step k-1, so a lead that skips a step stops
      there. The first step is the first entry into its stage; a lead without one that starts at
      New counts New from its creation.
    - qualified_at: the first entry into a qualified stage (analytics.qualified_stages).
    - won_at: the first entry into the won stage; won_amount its deal amount (marts.dim_leads).
    - lost_at / lost_amount: the lead is in a lost stage (a closed status other than the won one)
      as of as_of and was never won (a won deal counts as won, whatever came after): when it got
      there, and the last deal amount known then.
    - last_deal_amount: the last deal amount of its status changes up to as_of.
#}
{%- set analytics = var('analytics') -%}
{%- set steps = analytics.funnel_steps -%}
{%- set lost = var('leadhouse_closed_statuses') | reject('equalto', var('leadhouse_won_status')) | list -%}

with

leads as (
    select
        leads.lead_id,
        leads.first_seen_at as created_at,
        leads.first_channel as channel,
        leads.first_campaign as campaign,
        leads.industry,
        leads.region,
        leads.owner_agent_id as agent_id,
        scores.grade,
        leads.won_amount
    from {{ ref('dim_leads') }} as leads
    left join {{ ref('lead_rule_scores') }} as scores
        on leads.lead_id = scores.lead_id
    where leads.first_seen_at <= {{ as_of() }}
),

visits as (
    select lead_id, stage, entered_at, is_current, stage_visit_id
    from {{ ref('fct_lead_stage_history') }}
),

milestones as (
    select
        lead_id,
        min(case when stage = '{{ steps[0] }}' then entered_at end) as first_step_entered_at,
        min(case when stage in ({{ sql_string_list(analytics.qualified_stages) }}) then entered_at end) as qualified_at,
        min(case when stage = '{{ var('leadhouse_won_status') }}' then entered_at end) as won_at,
        max(case when is_current and stage in ({{ sql_string_list(lost) }}) then entered_at end) as current_lost_at
    from visits
    group by lead_id
),

deal_amounts as (
    select
        changes.lead_id,
        changes.deal_amount,
        changes.changed_at,
        row_number() over (
            partition by changes.lead_id
            order by changes.changed_at desc, changes.status_change_id desc
        ) as amount_recency
    from {{ ref('fct_lead_status_changes') }} as changes
    where changes.deal_amount is not null
        and changes.changed_at <= {{ as_of() }}
),

last_deal_amounts as (
    select lead_id, deal_amount as last_deal_amount
    from deal_amounts
    where amount_recency = 1
),

step_1 as (
    select
        leads.lead_id,
        {%- if steps[0] == 'New' %}
        coalesce(milestones.first_step_entered_at, leads.created_at) as step_1_at
        {%- else %}
        milestones.first_step_entered_at as step_1_at
        {%- endif %}
    from leads
    left join milestones
        on leads.lead_id = milestones.lead_id
),
{%- for step in steps[1:] %}
{%- set k = loop.index + 1 %}

step_{{ k }}_reached as (
    select
        previous_step.lead_id,
        min(visits.entered_at) as step_{{ k }}_at
    from step_{{ k - 1 }}{{ '' if k == 2 else '_reached' }} as previous_step
    inner join visits
        on previous_step.lead_id = visits.lead_id
        and visits.stage = '{{ step }}'
        and visits.entered_at >= previous_step.step_{{ k - 1 }}_at
    group by previous_step.lead_id
),
{%- endfor %}

joined as (
    select
        leads.lead_id,
        leads.created_at,
        leads.channel,
        leads.campaign,
        leads.industry,
        leads.region,
        leads.agent_id,
        leads.grade,
        step_1.step_1_at,
        {%- for step in steps[1:] %}
        step_{{ loop.index + 1 }}_reached.step_{{ loop.index + 1 }}_at,
        {%- endfor %}
        milestones.qualified_at,
        milestones.won_at,
        case when milestones.won_at is not null then leads.won_amount end as won_amount,
        case when milestones.won_at is null then milestones.current_lost_at end as lost_at,
        case when milestones.won_at is null and milestones.current_lost_at is not null then last_deal_amounts.last_deal_amount end as lost_amount,
        last_deal_amounts.last_deal_amount
    from leads
    left join step_1
        on leads.lead_id = step_1.lead_id
    {%- for step in steps[1:] %}
    left join step_{{ loop.index + 1 }}_reached
        on leads.lead_id = step_{{ loop.index + 1 }}_reached.lead_id
    {%- endfor %}
    left join milestones
        on leads.lead_id = milestones.lead_id
    left join last_deal_amounts
        on leads.lead_id = last_deal_amounts.lead_id
)

select
    *,
    {{ seconds_between('created_at', 'won_at') }} / 86400.0 as days_to_conversion
from joined
