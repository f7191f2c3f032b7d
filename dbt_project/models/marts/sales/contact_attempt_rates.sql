{#
    Connect rates of contact attempts (marts.fct_contact_attempts) by channel, hour of day and
    attempt number (attempts past analytics.contact_attempts.max_attempt_number grouped as
    '<max>+'), and overall ('all'), as of as_of: attempts, connects, the connect rate, the leads
    attempted and attempts per lead. docs/funnels.md.
#}
{%- set max_attempt = var('analytics').contact_attempts.max_attempt_number -%}

with

attempts as (
    select
        lead_id,
        channel,
        cast(hour_of_day as {{ dbt.type_string() }}) as hour_of_day,
        case
            when attempt_number >= {{ max_attempt }} then '{{ max_attempt }}+'
            else cast(attempt_number as {{ dbt.type_string() }})
        end as attempt_number,
        case when is_connected then 1 else 0 end as connected
    from {{ ref('fct_contact_attempts') }}
),

by_dimension as (
    {%- for dimension in ['all', 'channel', 'hour_of_day', 'attempt_number'] %}
    select
        '{{ dimension }}' as dimension,
        {{ "'all'" if dimension == 'all' else dimension }} as dimension_value,
        count(*) as attempts,
        sum(connected) as connects,
        count(distinct lead_id) as leads_attempted
    from attempts
    group by 1, 2
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    dimension,
    dimension_value,
    cast(attempts as bigint) as attempts,
    cast(connects as bigint) as connects,
    cast(connects as double) / attempts as connect_rate,
    cast(leads_attempted as bigint) as leads_attempted,
    cast(attempts as double) / leads_attempted as attempts_per_lead,
    {{ as_of() }} as as_of
from by_dimension
