{#
    The stage-to-stage conversion matrix as of as_of: for each stage, where its visits went next
    (marts.fct_lead_stage_history), how many moves and leads, the share of the stage's exits, and
    the median hours spent in the stage before the move. Visits still open have no row.
#}

with

moves as (
    select
        stage as from_stage,
        stage_rank as from_stage_rank,
        next_stage as to_stage,
        next_move as move,
        skipped_stage_count,
        lead_id,
        hours_in_stage
    from {{ ref('fct_lead_stage_history') }}
    where next_stage is not null
),

grouped as (
    select
        from_stage,
        from_stage_rank,
        to_stage,
        move,
        count(*) as move_count,
        count(distinct lead_id) as lead_count,
        count(case when skipped_stage_count > 0 then 1 end) as skipping_move_count,
        percentile_cont(0.5) within group (order by hours_in_stage) as median_hours_in_from_stage
    from moves
    group by from_stage, from_stage_rank, to_stage, move
)

select
    from_stage,
    from_stage_rank,
    to_stage,
    move,
    move_count,
    lead_count,
    skipping_move_count,
    cast(move_count as double) / sum(move_count) over (partition by from_stage) as share_of_exits,
    cast(median_hours_in_from_stage as double) as median_hours_in_from_stage,
    {{ as_of() }} as as_of
from grouped
