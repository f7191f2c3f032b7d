{#
    Every observed status move (marts.fct_lead_status_changes with a previous status), checked
    against the workflow of config/scoring.yml (status_workflow): valid or not, and backward
    (to an earlier stage of stage_order) with the reason the CRM recorded.

    A table, like every mart (2,830,543 rows at 1,000,000 leads): the marts have a database file
    of their own, published as a copy of that file, which a view could not be part of.
#}
{%- set workflow = var('scoring').status_workflow -%}

with

changes as (
    select *
    from {{ ref('fct_lead_status_changes') }}
    where previous_status is not null
),

allowed_moves as (
    {%- for source, target in workflow.transitions %}
    select {{ scoring_literal(source) }} as from_status, {{ scoring_literal(target) }} as to_status
    union all
    {%- endfor %}
    select cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }})
),

ranked as (
    select
        changes.*,
        {{ workflow_stage_rank('changes.previous_status') }} as from_stage_rank,
        {{ workflow_stage_rank('changes.status') }} as to_stage_rank,
        allowed_moves.to_status is not null as is_valid
    from changes
    left join allowed_moves
        on changes.previous_status = allowed_moves.from_status
        and changes.status = allowed_moves.to_status
)

select
    status_change_id,
    lead_id,
    previous_status as from_status,
    status as to_status,
    previous_changed_at as from_changed_at,
    changed_at,
    hours_in_previous_status,
    is_valid,
    coalesce(to_stage_rank < from_stage_rank, false) as is_backward,
    case
        when to_stage_rank < from_stage_rank then 'backward'
        when to_stage_rank > from_stage_rank then 'forward'
        else 'off_path'
    end as direction,
    agent_id,
    reason
from ranked
