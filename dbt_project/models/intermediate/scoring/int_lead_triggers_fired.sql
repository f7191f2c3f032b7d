{#
    Behavioral triggers (var scoring.triggers, config/scoring.yml): one row per lead and trigger
    whose condition was met inside its lookback before as_of, with the last time it was met.
    - count_in_window: `count` events of the types within `within_hours` (same_detail: per detail);
    - consecutive: `count` events of the types in a row among the lead's events of `among`;
    - daily_streak: an event of the types on each of `days` consecutive UTC days.
#}
{%- set scoring = var('scoring') -%}

with

activities as (
    select *
    from {{ ref('int_lead_scoring_activities') }}
),

{%- for trigger in scoring.triggers %}
{%- set lookback = 'age_seconds < ' ~ trigger.lookback_days ~ ' * 86400' %}

{%- if trigger.kind == 'count_in_window' %}

trigger_{{ trigger.id }}_counts as (
    select
        lead_id,
        occurred_at,
        count(*) over (
            partition by lead_id{% if trigger.same_detail %}, detail{% endif %}
            order by occurred_epoch
            range between {{ trigger.within_hours * 3600 }} preceding and current row
        ) as events_in_window
    from activities
    where activity_type in ({{ scoring_type_list(trigger.activity_types) }})
        and {{ lookback }}
        {%- if trigger.same_detail %}
        and detail is not null
        {%- endif %}
),

trigger_{{ trigger.id }} as (
    select lead_id, max(occurred_at) as fired_at
    from trigger_{{ trigger.id }}_counts
    where events_in_window >= {{ trigger.count }}
    group by lead_id
),

{%- elif trigger.kind == 'consecutive' %}

trigger_{{ trigger.id }}_sequence as (
    select
        lead_id,
        occurred_at,
        activity_type in ({{ scoring_type_list(trigger.activity_types) }}) as is_counted,
        row_number() over (partition by lead_id order by occurred_at, activity_id) as position_in_all
    from activities
    where activity_type in ({{ scoring_type_list(trigger.among + trigger.activity_types) }})
        and {{ lookback }}
),

trigger_{{ trigger.id }}_runs as (
    select
        lead_id,
        occurred_at,
        -- Gaps and islands: counted events in a row share position_in_all - position_in_counted.
        position_in_all - row_number() over (partition by lead_id order by occurred_at, position_in_all) as run_key
    from trigger_{{ trigger.id }}_sequence
    where is_counted
),

trigger_{{ trigger.id }} as (
    select lead_id, max(run_end) as fired_at
    from (
        select lead_id, run_key, count(*) as run_length, max(occurred_at) as run_end
        from trigger_{{ trigger.id }}_runs
        group by lead_id, run_key
    ) as runs
    where run_length >= {{ trigger.count }}
    group by lead_id
),

{%- elif trigger.kind == 'daily_streak' %}

trigger_{{ trigger.id }}_days as (
    select
        lead_id,
        cast(floor(occurred_epoch / 86400) as bigint) as epoch_day,
        max(occurred_at) as last_event_at
    from activities
    where activity_type in ({{ scoring_type_list(trigger.activity_types) }})
        and {{ lookback }}
    group by lead_id, cast(floor(occurred_epoch / 86400) as bigint)
),

trigger_{{ trigger.id }} as (
    select lead_id, max(streak_end) as fired_at
    from (
        select lead_id, streak_key, count(*) as streak_days, max(last_event_at) as streak_end
        from (
            select
                lead_id,
                last_event_at,
                epoch_day - row_number() over (partition by lead_id order by epoch_day) as streak_key
            from trigger_{{ trigger.id }}_days
        ) as days
        group by lead_id, streak_key
    ) as streaks
    where streak_days >= {{ trigger.days }}
    group by lead_id
),
{%- endif %}
{%- endfor %}

fired as (
    {%- for trigger in scoring.triggers %}
    select
        lead_id,
        {{ scoring_literal(trigger.id) }} as trigger_id,
        {{ scoring_literal(trigger.name) }} as trigger_name,
        {{ scoring_literal(trigger.kind) }} as trigger_kind,
        fired_at,
        cast({{ scoring_literal(trigger.points) }} as decimal(9, 2)) as points,
        cast({{ scoring_literal(trigger.category) }} as {{ dbt.type_string() }}) as category,
        cast({{ scoring_literal(trigger.task) }} as {{ dbt.type_string() }}) as task,
        cast({{ scoring_literal(trigger.task_name) }} as {{ dbt.type_string() }}) as task_name
    from trigger_{{ trigger.id }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not scoring.triggers %}
    select
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as {{ dbt.type_string() }}) as trigger_id,
        cast(null as {{ dbt.type_string() }}) as trigger_name,
        cast(null as {{ dbt.type_string() }}) as trigger_kind,
        cast(null as timestamp) as fired_at,
        cast(null as decimal(9, 2)) as points,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as {{ dbt.type_string() }}) as task,
        cast(null as {{ dbt.type_string() }}) as task_name
    where 1 = 0
    {%- endif %}
)

select *
from fired
