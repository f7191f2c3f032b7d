{#
    Every stage visit of every lead up to as_of: one row per status change of
    marts.fct_lead_status_changes (the stage the lead entered), with when it left the stage, for
    which stage, and the time it spent there (up to as_of for the stage it is still in).

    Reopened stages: a lead entering a stage it was in before gets visit_number 2, 3, ... and
    is_reentry. Skipped stages: a forward move past stages of the stage order
    (status_workflow.stage_order in config/scoring.yml) lists them (New -> Qualified skips
    Contacted and Nurturing). Stages outside the order (Closed Lost, Disqualified, Recycled) have
    no rank; a move into one of them is an exit, out of one a return.
#}
{%- set stage_order = var('scoring').status_workflow.stage_order -%}
{%- set text = dbt.type_string() -%}

with

changes as (
    select
        status_change_id,
        lead_id,
        status as stage,
        changed_at as entered_at,
        agent_id,
        source,
        source_record_id
    from {{ ref('fct_lead_status_changes') }}
    where changed_at <= {{ as_of() }}
        and lead_id is not null
),

-- Ties in time ordered as fct_lead_status_changes orders them (its previous_status agrees).
-- row_number is an int on Spark: cast to the contract's bigint.
sequenced as (
    select
        *,
        cast(row_number() over lead_history as bigint) as stage_sequence,
        lead(stage) over lead_history as next_stage,
        lead(entered_at) over lead_history as exited_at
    from changes
    window lead_history as (partition by lead_id order by entered_at asc, source asc, source_record_id asc)
),

-- The visits of a stage in the same order: by the sequence (a sort on integers, not on ids again).
visited as (
    select
        *,
        cast(row_number() over (partition by lead_id, stage order by stage_sequence) as bigint) as visit_number
    from sequenced
),

ranked as (
    select
        *,
        {{ workflow_stage_rank('stage') }} as stage_rank,
        {{ workflow_stage_rank('next_stage') }} as next_stage_rank
    from visited
)

select
    status_change_id as stage_visit_id,
    lead_id,
    stage,
    stage_rank,
    stage_sequence,
    visit_number,
    visit_number > 1 as is_reentry,
    entered_at,
    exited_at,
    next_stage,
    exited_at is null as is_current,
    cast({{ seconds_between('entered_at', 'coalesce(exited_at, ' ~ as_of() ~ ')') }} as double) / 3600 as hours_in_stage,
    case
        when next_stage is null then 'none'
        when stage_rank is not null and next_stage_rank is not null and next_stage_rank > stage_rank then 'forward'
        when stage_rank is not null and next_stage_rank is not null and next_stage_rank < stage_rank then 'backward'
        when stage_rank is not null and next_stage_rank is not null then 'same'
        when stage_rank is not null then 'exit'
        when next_stage_rank is not null then 'return'
        else 'off_path'
    end as next_move,
    case
        when next_stage_rank > stage_rank + 1 then next_stage_rank - stage_rank - 1
        else 0
    end as skipped_stage_count,
    nullif(concat_ws(','
        {%- for stage in stage_order %}
        , case when stage_rank < {{ loop.index }} and next_stage_rank > {{ loop.index }} then {{ scoring_literal(stage) }} end
        {%- endfor %}
    ), '') as skipped_stages,
    agent_id,
    {{ as_of() }} as as_of
from ranked
