{#
    Every activity of a known lead up to as_of, as the follow-up queues read it: a touch by the
    team, with when it happened (an outbound activity when it happened; an inbound one the team
    answered, response_seconds later; an activity type the team holds, such as a meeting), or an
    action of the lead's own (inbound, or a view, open, form, ... without a direction).

    A view: its four readers each filter it further, and writing 10,000,000 rows cost more than
    reading them four times (9.0 s against 4 s more in its readers, at 1,000,000 leads).
#}
{{ config(materialized='view') }}
{%- set follow_up = var('sales').follow_up -%}

with

activities as (
    select
        activity_id,
        lead_id,
        activity_type,
        occurred_at,
        lower(detail) as detail_lower,
        direction,
        response_seconds,
        activity_type in ({{ sql_string_list(follow_up.team_activity_types) }}) as is_team_type
    from {{ ref('fct_lead_activities') }}
    where lead_id is not null
        and occurred_at <= {{ as_of() }}
),

touches as (
    select
        *,
        case
            when direction = 'outbound' then occurred_at
            when direction = 'inbound' and response_seconds is not null
                then {{ timestamp_plus_seconds('occurred_at', 'response_seconds') }}
            when direction is null and is_team_type then occurred_at
        end as team_touch_at
    from activities
)

select
    activity_id,
    lead_id,
    activity_type,
    occurred_at,
    detail_lower,
    direction,
    response_seconds,
    -- An answer that comes after as_of has not happened yet.
    case when team_touch_at <= {{ as_of() }} then team_touch_at end as team_touch_at,
    coalesce(direction = 'inbound' or (direction is null and not is_team_type), false) as is_lead_action
from touches
