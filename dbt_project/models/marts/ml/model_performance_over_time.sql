{#
    How past scores came true: for each scoring run (scored_at), model version and decile, the
    leads scored, the probability they were given, and how many have converted (Closed Won) since,
    by as_of and within the model's horizon (vars.conversion_model.horizon_days, config/model.yml).
    A run's realized rate is final once its horizon has elapsed (horizon_elapsed).
#}
{%- set horizon_days = var('conversion_model', {}).get('horizon_days', 90) -%}

with

scores as (
    select *
    from {{ ref('stg_ml__lead_score_log') }}
),

wins as (
    select
        lead_id,
        won_at
    from {{ ref('dim_leads') }}
    where won_at is not null
),

outcomes as (
    select
        scores.scored_at,
        scores.model_version,
        scores.scored_by,
        scores.decile,
        scores.conversion_probability,
        case
            when wins.won_at > scores.scored_at and wins.won_at <= {{ as_of() }} then 1 else 0
        end as converted_by_as_of,
        case
            when wins.won_at > scores.scored_at
                and wins.won_at <= {{ dbt.dateadd('day', horizon_days, 'scores.scored_at') }}
                and wins.won_at <= {{ as_of() }}
                then 1
            else 0
        end as converted_within_horizon
    from scores
    left join wins
        on scores.lead_id = wins.lead_id
)

select
    scored_at,
    model_version,
    scored_by,
    decile,
    cast(count(*) as bigint) as scored_lead_count,
    avg(conversion_probability) as mean_probability,
    sum(conversion_probability) as expected_conversions,
    cast(sum(converted_by_as_of) as bigint) as converted_lead_count,
    cast(sum(converted_by_as_of) as double) / count(*) as realized_conversion_rate,
    cast(sum(converted_within_horizon) as bigint) as converted_within_horizon_count,
    cast(sum(converted_within_horizon) as double) / count(*) as realized_rate_within_horizon,
    cast({{ horizon_days }} as integer) as horizon_days,
    {{ dbt.dateadd('day', horizon_days, 'scored_at') }} <= {{ as_of() }} as horizon_elapsed,
    cast(floor({{ seconds_between('scored_at', as_of()) }} / 86400.0) as integer) as days_since_scored,
    {{ as_of() }} as measured_as_of
from outcomes
group by scored_at, model_version, scored_by, decile
