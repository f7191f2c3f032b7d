{#
    The open pipeline as of as_of, one row per open lead (its stage as of as_of is not a closed
    one), docs/funnels.md:
    - amount: the last deal amount of its status changes, else the work queue's estimate
      (int_lead_deal_values_estimated: the median won deal of similar leads); amount_source says which;
    - stage_probability: analytics.stage_probabilities (config/analytics.yml); weighted_amount =
      amount x stage_probability;
    - expected_close_at: when it entered its stage plus the median days from entering that stage
      to the win among won leads (the median days from creation to the win where the stage has
      none). A deal past that date has slipped: the forecast leaves it out (pipeline_forecast).
#}
{%- set closed = var('leadhouse_closed_statuses') -%}

with

current_stages as (
    select lead_id, stage, entered_at, hours_in_stage
    from {{ ref('fct_lead_stage_history') }}
    where is_current
        and stage not in ({{ sql_string_list(closed) }})
),

funnel_leads as (
    select * from {{ ref('int_funnel_leads') }}
),

won_visits as (
    select
        visits.stage,
        {{ seconds_between('visits.entered_at', 'funnel_leads.won_at') }} / 86400.0 as days_to_win
    from {{ ref('fct_lead_stage_history') }} as visits
    inner join funnel_leads
        on visits.lead_id = funnel_leads.lead_id
    where funnel_leads.won_at is not null
        and visits.entered_at <= funnel_leads.won_at
        and visits.stage <> '{{ var('leadhouse_won_status') }}'
),

days_to_win_by_stage as (
    select stage, percentile_cont(0.5) within group (order by days_to_win) as median_days_to_win
    from won_visits
    group by stage
),

overall_cycle as (
    select percentile_cont(0.5) within group (order by days_to_conversion) as median_days_to_conversion
    from funnel_leads
),

open_leads as (
    select
        current_stages.lead_id,
        current_stages.stage,
        current_stages.entered_at as stage_entered_at,
        current_stages.hours_in_stage / 24.0 as days_in_stage,
        funnel_leads.agent_id,
        funnel_leads.channel,
        funnel_leads.campaign,
        funnel_leads.industry,
        funnel_leads.region,
        funnel_leads.grade,
        funnel_leads.created_at,
        funnel_leads.qualified_at,
        coalesce(funnel_leads.last_deal_amount, estimates.expected_deal_size) as amount,
        case
            when funnel_leads.last_deal_amount is not null then 'deal'
            when estimates.expected_deal_size is not null then 'estimate'
        end as amount_source,
        {{ stage_probability('current_stages.stage') }} as stage_probability,
        coalesce(days_to_win_by_stage.median_days_to_win, overall_cycle.median_days_to_conversion) as days_to_close
    from current_stages
    inner join funnel_leads
        on current_stages.lead_id = funnel_leads.lead_id
    left join {{ ref('int_lead_deal_values_estimated') }} as estimates
        on current_stages.lead_id = estimates.lead_id
    left join days_to_win_by_stage
        on current_stages.stage = days_to_win_by_stage.stage
    cross join overall_cycle
)

select
    lead_id,
    stage,
    stage_entered_at,
    cast(days_in_stage as double) as days_in_stage,
    agent_id,
    channel,
    campaign,
    industry,
    region,
    grade,
    created_at,
    qualified_at is not null as is_qualified_opportunity,
    cast(amount as double) as amount,
    amount_source,
    stage_probability,
    cast(amount * stage_probability as double) as weighted_amount,
    expected_close_at,
    expected_close_at < {{ as_of() }} as is_past_expected_close,
    {{ as_of() }} as as_of
from (
    select
        *,
        {{ timestamp_plus_seconds('stage_entered_at', 'days_to_close * 86400') }} as expected_close_at
    from open_leads
) as with_close
