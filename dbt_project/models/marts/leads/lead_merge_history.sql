{#
    Every change of identity, appended run by run: when records of one lead now belong to
    another. merge: they joined a lead that existed before (the one seen first survives).
    split: they left their lead for a new one.
#}
{{ config(materialized='incremental', unique_key='identity_event_id', incremental_strategy=append_only_strategy(), on_schema_change='fail') }}

with

clustered as (
    select *
    from {{ ref('int_er_records_clustered') }}
),

previous_leads as (
    select distinct previous_lead_id as lead_id
    from clustered
    where previous_lead_id is not null
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
    -- Records moving to a lead that existed before joined it (merge); records moving to a new
    -- id left their lead (split).
    case when previous_leads.lead_id is not null then 'merge' else 'split' end as event_type,
    moves.previous_lead_id as from_lead_id,
    moves.lead_id as to_lead_id,
    moves.records_moved,
    moves.strongest_link_probability,
    moves.evidence,
    moves.resolved_at
from moves
left join previous_leads
    on previous_leads.lead_id = moves.lead_id
{%- if is_incremental() %}
-- Appending engines (Spark) have no keyed delete+insert: an event already recorded is not
-- written twice.
where {{ short_hash(dbt.concat(['moves.previous_lead_id', "'>'", 'moves.lead_id', "'@'", 'cast(moves.resolved_at as ' ~ dbt.type_string() ~ ')'])) }}
    not in (select identity_event_id from {{ this }})
{%- endif %}
