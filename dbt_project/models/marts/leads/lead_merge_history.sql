{#
    Every change of identity, appended run by run: when records of one lead now belong to
    another. merge: the old lead is gone, all its records joined the surviving lead (the one seen
    first). split: the old lead still exists but some of its records left it.
#}
{{ config(materialized='incremental', unique_key='identity_event_id', incremental_strategy='delete+insert', on_schema_change='fail') }}

with

clustered as (
    select *
    from {{ ref('int_er_records_clustered') }}
),

current_leads as (
    select distinct lead_id
    from clustered
),

moves as (
    select
        previous_lead_id,
        lead_id,
        max(resolved_at) as resolved_at,
        count(*) as records_moved,
        max(match_probability) as strongest_link_probability,
        min(matched_by) as evidence
    from clustered
    where previous_lead_id is not null
        and previous_lead_id <> lead_id
    group by previous_lead_id, lead_id
)

select
    {{ short_hash(dbt.concat(['moves.previous_lead_id', "'>'", 'moves.lead_id', "'@'", 'cast(moves.resolved_at as ' ~ dbt.type_string() ~ ')'])) }}
        as identity_event_id,
    case when current_leads.lead_id is null then 'merge' else 'split' end as event_type,
    moves.previous_lead_id as from_lead_id,
    moves.lead_id as to_lead_id,
    moves.records_moved,
    moves.strongest_link_probability,
    moves.evidence,
    moves.resolved_at
from moves
left join current_leads
    on current_leads.lead_id = moves.previous_lead_id
