{#
    Every open follow-up task as of as_of: one row per lead and follow-up rule that applies to it
    (follow_up.rules) and per lead and scoring trigger that added a task (int_lead_triggers_fired,
    follow_up.trigger_tasks), with the anchor it counts from and when it is due, unless the team
    did one of the task's done_by activities at or after the anchor (not the anchoring activity
    itself). A recurring task (repeat_every_days) is never done: it is due again that many days
    after the last such activity. A task overdue by more than expire_after_days is dropped.
#}
{%- set follow_up = var('sales').follow_up -%}
{%- set trigger_tasks = follow_up.trigger_tasks -%}
{%- set text = dbt.type_string() -%}

with

leads as (
    select *
    from {{ ref('int_sales_leads_joined') }}
),

-- Read from the view by each reader, not shared in a CTE: a CTE read twice is materialized
-- whole (10,000,000 rows at 1,000,000 leads), and each reader needs a few columns of a part.
team_touches as (
    select
        activity_id,
        lead_id,
        activity_type,
        team_touch_at
    from {{ ref('int_sales_activities_classified') }}
    where team_touch_at is not null
),

{%- for rule in follow_up.rules %}

{%- if rule.anchor == 'activity' %}

rule_{{ rule.id }}_activities as (
    select
        lead_id,
        activity_id,
        occurred_at,
        row_number() over (partition by lead_id order by occurred_at desc, activity_id desc) as recency_rank
    from {{ ref('int_sales_activities_classified') }}
    where activity_type in ({{ sql_string_list(rule.activity.activity_types) }})
        {%- if rule.activity.direction %}
        and direction = '{{ rule.activity.direction }}'
        {%- endif %}
        {%- if rule.activity.detail_contains %}
        and {{ dbt.position(sql_string_list([rule.activity.detail_contains]), 'detail_lower') }} > 0
        {%- endif %}
),
{%- endif %}

{%- set anchor_at = {
    'lead_created': 'leads.first_seen_at',
    'status_entered': 'coalesce(leads.current_status_at, leads.first_seen_at)',
    'activity': 'matched.occurred_at',
}.get(rule.anchor, 'coalesce(leads.last_lead_action_at, leads.first_seen_at)') %}

rule_{{ rule.id }}_anchors as (
    select
        leads.lead_id,
        {{ anchor_at }} as anchor_at,
        {{ 'matched.activity_id' if rule.anchor == 'activity' else 'cast(null as ' ~ text ~ ')' }} as anchor_activity_id
    from leads
    {%- if rule.anchor == 'activity' %}
    inner join rule_{{ rule.id }}_activities as matched
        on leads.lead_id = matched.lead_id
        and matched.recency_rank = 1
    {%- endif %}
    where
        {%- if rule.statuses %}
        leads.current_status in ({{ sql_string_list(rule.statuses) }})
        {%- else %}
        not leads.is_closed
        {%- endif %}
        {%- if rule.first_channels %}
        and leads.first_channel in ({{ sql_string_list(rule.first_channels) }})
        {%- endif %}
        {%- if rule.priorities %}
        and leads.priority in ({{ sql_string_list(rule.priorities) }})
        {%- endif %}
        {%- if rule.expire_after_days is not none and not rule.repeat_every_days %}
        -- Expired whether done or not (the filter at the end), so not looked for in the touches:
        -- most leads ever won or lost, at 1,000,000 leads.
        and {{ seconds_between(timestamp_plus_seconds(anchor_at, rule.due_after_minutes * 60), as_of()) }}
            <= {{ rule.expire_after_days }} * 86400
        {%- endif %}
),

{%- endfor %}

trigger_anchors as (
    select
        fired.lead_id,
        fired.trigger_id,
        fired.trigger_name,
        fired.task,
        fired.task_name,
        fired.fired_at as anchor_at,
        case
            {%- for name, task in trigger_tasks.tasks %}
            when fired.task = {{ sql_string_list([name]) }} then {{ task.due_after_minutes }}
            {%- endfor %}
            else {{ trigger_tasks.default.due_after_minutes }}
        end as due_after_minutes
    from {{ ref('int_lead_triggers_fired') }} as fired
    inner join leads
        on fired.lead_id = leads.lead_id
    where fired.task is not null
        and fired.fired_at <= {{ as_of() }}
        and not leads.is_closed
),

-- The team's touches of the leads some task is anchored on: one pass over the touches, which
-- the rules' joins below then read, not the whole set each (5,000,000 touches at 1,000,000 leads).
anchored_touches as (
    select touches.*
    from team_touches as touches
    where touches.lead_id in (
        {%- for rule in follow_up.rules %}
        select lead_id from rule_{{ rule.id }}_anchors
        union all
        {%- endfor %}
        select lead_id from trigger_anchors
    )
),

{%- for rule in follow_up.rules %}

rule_{{ rule.id }}_done as (
    select
        anchors.lead_id,
        max(touches.team_touch_at) as last_done_at
    from rule_{{ rule.id }}_anchors as anchors
    inner join anchored_touches as touches
        on anchors.lead_id = touches.lead_id
        and touches.activity_type in ({{ sql_string_list(rule.done_by) }})
        and touches.team_touch_at >= anchors.anchor_at
        and touches.activity_id <> coalesce(anchors.anchor_activity_id, '')
    group by anchors.lead_id
),

rule_{{ rule.id }} as (
    select
        anchors.lead_id,
        'rule' as task_source,
        {{ sql_string_list([rule.id]) }} as source_id,
        {{ sql_string_list([rule.task]) }} as task,
        {{ sql_string_list([rule.name]) }} as task_name,
        anchors.anchor_at,
        {%- if rule.repeat_every_days %}
        case
            when done.last_done_at is null
                then {{ timestamp_plus_seconds('anchors.anchor_at', rule.due_after_minutes * 60) }}
            else {{ timestamp_plus_seconds('done.last_done_at', (rule.repeat_every_days * 86400) | round | int) }}
        end as due_at,
        {%- else %}
        {{ timestamp_plus_seconds('anchors.anchor_at', rule.due_after_minutes * 60) }} as due_at,
        {%- endif %}
        done.last_done_at,
        {{ 'true' if rule.repeat_every_days else 'false' }} as is_recurring,
        {{ rule.expire_after_days if rule.expire_after_days is not none else 'null' }} as expire_after_days
    from rule_{{ rule.id }}_anchors as anchors
    left join rule_{{ rule.id }}_done as done
        on anchors.lead_id = done.lead_id
    {%- if not rule.repeat_every_days %}
    where done.last_done_at is null
    {%- endif %}
),
{%- endfor %}

trigger_done as (
    select
        anchors.lead_id,
        anchors.trigger_id,
        max(touches.team_touch_at) as last_done_at
    from trigger_anchors as anchors
    inner join anchored_touches as touches
        on anchors.lead_id = touches.lead_id
        and touches.team_touch_at >= anchors.anchor_at
        and (
            {%- for name, task in trigger_tasks.tasks %}
            (anchors.task = {{ sql_string_list([name]) }} and touches.activity_type in ({{ sql_string_list(task.done_by) }})) or
            {%- endfor %}
            (
                {%- if trigger_tasks.tasks %}
                anchors.task not in ({{ sql_string_list(trigger_tasks.tasks | map('first') | list) }}) and
                {%- endif %}
                touches.activity_type in ({{ sql_string_list(trigger_tasks.default.done_by) }})
            )
        )
    group by anchors.lead_id, anchors.trigger_id
),

trigger_task_rows as (
    select
        anchors.lead_id,
        'trigger' as task_source,
        anchors.trigger_id as source_id,
        anchors.task,
        coalesce(anchors.task_name, anchors.trigger_name) as task_name,
        anchors.anchor_at,
        {{ timestamp_plus_seconds('anchors.anchor_at', 'anchors.due_after_minutes * 60') }} as due_at,
        cast(null as timestamp) as last_done_at,
        false as is_recurring,
        cast(null as double) as expire_after_days
    from trigger_anchors as anchors
    left join trigger_done as done
        on anchors.lead_id = done.lead_id
        and anchors.trigger_id = done.trigger_id
    where done.lead_id is null
),

tasks as (
    {%- for rule in follow_up.rules %}
    select lead_id, task_source, source_id, task, task_name, anchor_at, due_at, last_done_at, is_recurring, cast(expire_after_days as double) as expire_after_days
    from rule_{{ rule.id }}
    union all
    {%- endfor %}
    select lead_id, task_source, source_id, task, task_name, anchor_at, due_at, last_done_at, is_recurring, expire_after_days
    from trigger_task_rows
)

select
    {{ short_hash(dbt.concat(['lead_id', "':'", 'task_source', "':'", 'source_id'])) }} as task_id,
    lead_id,
    task_source,
    source_id,
    task,
    task_name,
    anchor_at,
    due_at,
    last_done_at,
    is_recurring
from tasks
where expire_after_days is null
    or {{ seconds_between('due_at', as_of()) }} <= expire_after_days * 86400
