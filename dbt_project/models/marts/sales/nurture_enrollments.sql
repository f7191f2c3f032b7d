{#
    The leads in a nurture track (config/sales.yml nurture): every lead whose status is one of
    enroll_statuses, in the first track it fits (company_size_at_least, score_above, industries;
    the last track takes the rest), enrolled when it entered the status. Step n is due `day` days
    after enrollment; the steps due before as_of are done, the next step is the first due at or
    after as_of (none: the track is complete).
#}
{%- set nurture = var('sales').nurture -%}

with

leads as (
    select
        leads.*,
        lead_agents.agent_id,
        coalesce(leads.current_status_at, leads.first_seen_at) as enrolled_at
    from {{ ref('int_sales_leads_joined') }} as leads
    inner join {{ ref('int_sales_lead_agents') }} as lead_agents
        on leads.lead_id = lead_agents.lead_id
    where leads.current_status in ({{ sql_string_list(nurture.enroll_statuses) }})
),

enrolled as (
    select
        *,
        case
            {%- for track in nurture.tracks %}
            {%- set conditions = [] %}
            {%- if track.company_size_at_least is not none %}
            {%- do conditions.append('company_size >= ' ~ track.company_size_at_least) %}
            {%- endif %}
            {%- if track.score_above is not none %}
            {%- do conditions.append('score > ' ~ track.score_above) %}
            {%- endif %}
            {%- if track.industries %}
            {%- do conditions.append('lower(industry) in (' ~ sql_string_list(track.industries) ~ ')') %}
            {%- endif %}
            {%- if conditions %}
            when {{ conditions | join(' and ') }} then '{{ track.id }}'
            {%- else %}
            else '{{ track.id }}'
            {%- endif %}
            {%- endfor %}
        end as track_id
    from leads
),

track_steps as (
    {%- for track in nurture.tracks %}
    {%- set outer_loop = loop %}
    {%- for step in track.steps %}
    select
        '{{ track.id }}' as track_id,
        {{ sql_string_list([track.name]) }} as track_name,
        {{ step.number }} as step_number,
        {{ step.day }} as step_day,
        '{{ step.action }}' as step_action,
        {{ sql_string_list([step.name]) }} as step_name,
        {{ track.steps | length }} as step_count
    {%- if not (loop.last and outer_loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
),

scheduled as (
    select
        enrolled.lead_id,
        track_steps.step_number,
        track_steps.step_action,
        track_steps.step_name,
        {{ timestamp_plus_seconds('enrolled.enrolled_at', 'track_steps.step_day * 86400') }} as step_due_at
    from enrolled
    inner join track_steps
        on enrolled.track_id = track_steps.track_id
),

progress as (
    select
        lead_id,
        count(case when step_due_at < {{ as_of() }} then step_number end) as steps_done,
        min(case when step_due_at >= {{ as_of() }} then step_number end) as next_step_number
    from scheduled
    group by lead_id
),

tracks as (
    select distinct
        track_id,
        track_name,
        step_count
    from track_steps
)

select
    enrolled.lead_id,
    enrolled.agent_id,
    enrolled.track_id,
    tracks.track_name,
    enrolled.current_status,
    enrolled.enrolled_at,
    tracks.step_count,
    progress.steps_done,
    progress.next_step_number,
    next_steps.step_action as next_step_action,
    next_steps.step_name as next_step_name,
    next_steps.step_due_at as next_step_due_at,
    progress.next_step_number is null as is_complete,
    enrolled.score,
    enrolled.company_size,
    enrolled.industry,
    {{ as_of() }} as queued_as_of
from enrolled
inner join tracks
    on enrolled.track_id = tracks.track_id
inner join progress
    on enrolled.lead_id = progress.lead_id
left join scheduled as next_steps
    on progress.lead_id = next_steps.lead_id
    and progress.next_step_number = next_steps.step_number
