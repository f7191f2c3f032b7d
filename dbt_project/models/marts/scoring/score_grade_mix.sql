{#
    Score distribution and grade mix over time, from the score history (marts.lead_score_history:
    each lead's score and grade, valid from the run that saw them until the next change). Per
    period (day, week, month) in which a score changed, the leads in each grade and each score
    band (0-9, 10-19, ..., 90-100) at the end of the period, their share and average score.
    The history grows by one point per scoring run (each run's as_of), so the series starts at the
    first run. docs/scoring.md.
#}
{%- set grains = var('analytics').period_grains -%}

with

history as (
    select
        score,
        grade,
        {{ dbt.concat(["cast(least(cast(floor(score / 10) as int), 9) * 10 as " ~ dbt.type_string() ~ ")", "'-'",
                        "cast(case when score >= 90 then 100 else cast(floor(score / 10) as int) * 10 + 9 end as " ~ dbt.type_string() ~ ")"]) }} as score_band,
        valid_from,
        valid_to
    from {{ ref('lead_score_history') }}
    where valid_from <= {{ as_of() }}
),

changes as (
    {%- for grain in grains %}
    {%- for dimension in ['grade', 'score_band'] %}
    select '{{ grain }}' as period_grain, '{{ dimension }}' as dimension, {{ dimension }} as bucket,
        {{ period_start(grain, 'valid_from') }} as period_start, 1 as lead_change, score as score_change
    from history
    union all
    select '{{ grain }}' as period_grain, '{{ dimension }}' as dimension, {{ dimension }} as bucket,
        {{ period_start(grain, 'valid_to') }} as period_start, -1 as lead_change, -score as score_change
    from history
    where valid_to is not null and valid_to <= {{ as_of() }}
    {%- if not (loop.last and grains | last == grain) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
),

net_changes as (
    select period_grain, dimension, bucket, period_start, sum(lead_change) as lead_change, sum(score_change) as score_change
    from changes
    group by period_grain, dimension, bucket, period_start
),

spine as (
    select periods.period_grain, periods.dimension, periods.period_start, buckets.bucket
    from (select distinct period_grain, dimension, period_start from net_changes) as periods
    inner join (select distinct period_grain, dimension, bucket from net_changes) as buckets
        on periods.period_grain = buckets.period_grain
        and periods.dimension = buckets.dimension
),

running as (
    select
        spine.period_grain,
        spine.dimension,
        spine.bucket,
        spine.period_start,
        sum(coalesce(net_changes.lead_change, 0)) over bucket_periods as leads,
        sum(coalesce(net_changes.score_change, 0)) over bucket_periods as score_total
    from spine
    left join net_changes
        on spine.period_grain = net_changes.period_grain
        and spine.dimension = net_changes.dimension
        and spine.bucket = net_changes.bucket
        and spine.period_start = net_changes.period_start
    window bucket_periods as (
        partition by spine.period_grain, spine.dimension, spine.bucket
        order by spine.period_start
        rows between unbounded preceding and current row
    )
)

select
    period_grain,
    period_start,
    dimension,
    coalesce(bucket, '(none)') as bucket,
    cast(leads as bigint) as leads,
    case
        when sum(leads) over (partition by period_grain, dimension, period_start) > 0
            then cast(leads as double) / sum(leads) over (partition by period_grain, dimension, period_start)
    end as share_of_leads,
    case when leads > 0 then cast(score_total as double) / leads end as average_score,
    {{ as_of() }} as as_of
from running
