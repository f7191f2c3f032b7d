{#
    Every outbound contact attempt up to as_of (docs/funnels.md): the team's outbound activities
    of the types analytics.contact_attempts.activity_types (calls, emails, texts, social
    messages), numbered per lead by time, with the hour of day (UTC) and whether the lead
    answered (a response_seconds: picked up, or replied).
#}

select
    activity_id as attempt_id,
    lead_id,
    activity_type as channel,
    occurred_at as attempted_at,
    cast(row_number() over (partition by lead_id order by occurred_at, activity_id) as bigint) as attempt_number,
    cast(extract(hour from occurred_at) as int) as hour_of_day,
    response_seconds is not null as is_connected,
    cast(response_seconds as double) as response_seconds,
    {{ as_of() }} as as_of
from {{ ref('fct_lead_activities') }}
where direction = 'outbound'
    and activity_type in ({{ sql_string_list(var('analytics').contact_attempts.activity_types) }})
    and occurred_at <= {{ as_of() }}
    and lead_id is not null
