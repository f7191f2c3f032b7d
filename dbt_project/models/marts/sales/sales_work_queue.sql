{#
    One row per open task per agent (marts.follow_up_tasks: the follow-up rules' tasks and the
    scoring triggers'), ranked per agent by expected value = probability x expected deal size
    (int_lead_deal_values_estimated), then by due time; with the lead's preferred channel (the
    highest response rate, int_lead_channels_ranked). Tasks of leads with neither an owner nor a
    routed agent rank among themselves under agent_id null.
#}

with

tasks as (
    select *
    from {{ ref('follow_up_tasks') }}
),

deal_values as (
    select *
    from {{ ref('int_lead_deal_values_estimated') }}
),

model_scores as (
    -- the champion's probabilities only: under the rule fallback the grade's rate stays
    select
        lead_id,
        conversion_probability
    from {{ ref('lead_scores') }}
    where scored_by = 'model'
),

valued as (
    select
        deal_values.lead_id,
        coalesce(model_scores.conversion_probability, deal_values.probability) as probability,
        case
            when model_scores.conversion_probability is not null then 'conversion_model'
            else deal_values.probability_source
        end as probability_source,
        deal_values.expected_deal_size,
        deal_values.deal_size_source,
        coalesce(model_scores.conversion_probability, deal_values.probability)
            * deal_values.expected_deal_size as expected_value
    from deal_values
    left join model_scores
        on deal_values.lead_id = model_scores.lead_id
),

preferred_channels as (
    select *
    from {{ ref('int_lead_channels_ranked') }}
    where channel_rank = 1
)

select
    tasks.task_id,
    tasks.agent_id,
    -- bigint, as its contract says (row_number is an int on Spark)
    cast(row_number() over (
        partition by tasks.agent_id
        order by valued.expected_value desc nulls last, tasks.due_at asc, tasks.task_id asc
    ) as bigint) as queue_rank,
    tasks.agent_source,
    tasks.lead_id,
    tasks.task_source,
    tasks.source_id,
    tasks.task,
    tasks.task_name,
    tasks.due_at,
    tasks.due_status,
    valued.probability,
    valued.probability_source,
    valued.expected_deal_size,
    valued.deal_size_source,
    valued.expected_value,
    preferred_channels.channel as preferred_channel,
    preferred_channels.response_rate as preferred_channel_response_rate,
    tasks.current_status,
    tasks.score,
    tasks.grade,
    tasks.priority,
    tasks.queued_as_of
from tasks
left join valued
    on tasks.lead_id = valued.lead_id
left join preferred_channels
    on tasks.lead_id = preferred_channels.lead_id
