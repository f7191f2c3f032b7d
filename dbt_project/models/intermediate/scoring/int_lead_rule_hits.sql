{#
    Every rule that fired for a lead as of `as_of`, with the points it gave (var scoring,
    config/scoring.yml): field rules on marts.lead_enrichment (and attributes.<key>: the newest
    value a lead's records kept for that native column), activity rules (points per event in
    the window, decayed by age, capped per rule) and the triggers that give points.

    On DuckDB a view: lead_rule_scores is the one model that reads it whole, and writing its rows
    (3,023,424 at 1,000,000 leads) cost more than computing them there; marts.lead_rule_score_details
    (a view of it) computes a lead's rows when asked. On Spark a table, as the details are.
#}
{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}
{%- set scoring = var('scoring') -%}
{%- set attribute_keys = scoring_attribute_keys(scoring) -%}

with

leads as (
    select *
    from {{ ref('lead_enrichment') }}
),

{%- if attribute_keys %}

record_attributes as (
    select
        lead_id,
        {%- for key in attribute_keys %}
        {{ first_value_ignore_nulls(json_text('attributes', key)) }} over newest_records_first as attribute_{{ key | lower }},
        {%- endfor %}
        row_number() over newest_records_rank as record_rank
    from {{ ref('int_lead_records_matched') }}
    window
        newest_records_rank as (
            partition by lead_id
            order by created_at desc nulls last, _ingested_at desc nulls last, source asc, source_record_id asc
        ),
        newest_records_first as (
            partition by lead_id
            order by created_at desc nulls last, _ingested_at desc nulls last, source asc, source_record_id asc
            rows between unbounded preceding and unbounded following
        )
),

fields as (
    select
        leads.*,
        {%- for key in attribute_keys %}
        record_attributes.attribute_{{ key | lower }}{{ ',' if not loop.last }}
        {%- endfor %}
    from leads
    left join record_attributes
        on leads.lead_id = record_attributes.lead_id
        and record_attributes.record_rank = 1
),

{%- else %}

fields as (
    select *
    from leads
),

{%- endif %}

field_rule_hits as (
    {%- for rule in scoring.rules %}
    select
        lead_id,
        {{ scoring_literal(rule.id) }} as rule_id,
        cast({{ scoring_literal(rule.points) }} as decimal(9, 2)) as points,
        cast(null as bigint) as events
    from fields
    where {{ scoring_condition(rule) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not scoring.rules %}
    select lead_id, cast(null as {{ dbt.type_string() }}) as rule_id, cast(null as decimal(9, 2)) as points,
        cast(null as bigint) as events
    from fields
    where 1 = 0
    {%- endif %}
),

activities as (
    select *
    from {{ ref('int_lead_scoring_activities') }}
),

-- One pass over the activities: per lead, each rule's events and decayed points. The lead's own
-- events only: an outbound one (a message the team sent, social_engagement say) is no engagement.
activity_sums as (
    select
        lead_id,
        {%- for rule in scoring.activity_rules %}
        {%- set counted = 'activity_type in (' ~ scoring_type_list(rule.activity_types) ~ ') and age_seconds < ' ~ rule.window_days ~ ' * 86400' ~ " and coalesce(direction, '') <> 'outbound'" %}
        count(case when {{ counted }} then 1 end) as rule_{{ loop.index }}_events,
        sum(case when {{ counted }} then
            {%- if rule.half_life_days %}
            {{ rule.points }} * power(0.5, age_seconds / ({{ rule.half_life_days }} * 86400.0))
            {%- else %}
            {{ rule.points }} * 1.0
            {%- endif %}
        end) as rule_{{ loop.index }}_points,
        {%- endfor %}
        count(*) as activities_in_windows
    from activities
    group by lead_id
),

activity_rule_hits as (
    {%- for rule in scoring.activity_rules %}
    select
        lead_id,
        {{ scoring_literal(rule.id) }} as rule_id,
        cast(round(
            {%- if rule.points >= 0 %}
            least(rule_{{ loop.index }}_points, {{ rule.cap }})
            {%- else %}
            greatest(rule_{{ loop.index }}_points, -{{ rule.cap }})
            {%- endif %}
        , 2) as decimal(9, 2)) as points,
        rule_{{ loop.index }}_events as events
    from activity_sums
    where rule_{{ loop.index }}_events > 0
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not scoring.activity_rules %}
    select lead_id, cast(null as {{ dbt.type_string() }}) as rule_id, cast(null as decimal(9, 2)) as points,
        cast(null as bigint) as events
    from activity_sums
    where 1 = 0
    {%- endif %}
),

trigger_hits as (
    select
        lead_id,
        trigger_id as rule_id,
        points,
        cast(null as bigint) as events
    from {{ ref('int_lead_triggers_fired') }}
    where points is not null
),

rules as (
    -- A typed, named first row (matching no hit), then one row per rule.
    select
        cast(null as {{ dbt.type_string() }}) as rule_id,
        cast(null as {{ dbt.type_string() }}) as rule_name,
        cast(null as {{ dbt.type_string() }}) as rule_kind,
        cast(null as {{ dbt.type_string() }}) as category
    {%- for rule in scoring.rules %}
    union all
    select {{ scoring_literal(rule.id) }}, {{ scoring_literal(rule.name) }}, 'field', {{ scoring_literal(rule.category) }}
    {%- endfor %}
    {%- for rule in scoring.activity_rules %}
    union all
    select {{ scoring_literal(rule.id) }}, {{ scoring_literal(rule.name) }}, 'activity', {{ scoring_literal(rule.category) }}
    {%- endfor %}
    {%- for trigger in scoring.triggers if trigger.points not in (none, '') %}
    union all
    select {{ scoring_literal(trigger.id) }}, {{ scoring_literal(trigger.name) }}, 'trigger', {{ scoring_literal(trigger.category) }}
    {%- endfor %}
),

hits as (
    select * from field_rule_hits
    union all
    select * from activity_rule_hits
    union all
    select * from trigger_hits
)

select
    hits.lead_id,
    hits.rule_id,
    rules.rule_name,
    rules.rule_kind,
    rules.category,
    hits.points,
    hits.events
from hits
inner join rules
    on hits.rule_id = rules.rule_id
