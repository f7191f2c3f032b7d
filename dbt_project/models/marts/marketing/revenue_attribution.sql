{#
    Won revenue attributed to the touches before the win, by four models, as of as_of
    (docs/funnels.md). A won lead's eligible touches are its touches (marts.fct_lead_touches) at
    most analytics.attribution.lookback_days (30) before the win and not after it, numbered 1..n
    by time:
    - first_touch: all to touch 1; last_touch: all to touch n; linear: 1/n each;
    - position_based: with analytics.attribution.position_based [first, middle, last] (40/20/40),
      touch 1 gets first, touch n last, the touches between share middle equally; with two touches
      they split first + last in that proportion; one touch gets everything.
    Weights are doubles on every engine (Spark would make the literals decimals). Credits are in
    cents: each is rounded to 0.01 and the model's last credited touch takes what
    rounding left, so a lead's credits sum to its won amount exactly, in every model. A win with
    no eligible touch is credited whole to an '(unattributed)' row. A win without a deal amount has
    nothing to credit and no row. The amount is a decimal(20, 2) so that its product with a weight
    keeps 14 decimals on both engines (Spark trims a product past 38 digits to 6).
#}
{%- set attribution = var('analytics').attribution -%}
{%- set first_weight, middle_weight, last_weight = attribution.position_based -%}
{%- set models = ['first_touch', 'last_touch', 'linear', 'position_based'] -%}

with

wins as (
    select lead_id, won_at, cast(won_amount as decimal(18, 2)) as won_amount
    from {{ ref('int_funnel_leads') }}
    where won_at is not null
        and won_amount is not null
),

eligible as (
    select
        wins.lead_id,
        wins.won_at,
        wins.won_amount,
        touches.touch_id,
        touches.touch_at,
        touches.channel,
        touches.campaign,
        row_number() over (partition by wins.lead_id order by touches.touch_number) as touch_position,
        count(*) over (partition by wins.lead_id) as touch_count
    from wins
    inner join {{ ref('fct_lead_touches') }} as touches
        on wins.lead_id = touches.lead_id
        and touches.touch_at <= wins.won_at
        and touches.touch_at >= {{ timestamp_plus_seconds('wins.won_at', -86400 * attribution.lookback_days) }}
),

weighted as (
    {%- for model in models %}
    select
        '{{ model }}' as attribution_model,
        eligible.*,
        {%- if model == 'first_touch' %}
        cast(case when touch_position = 1 then 1 else 0 end as double) as weight,
        touch_position = 1 as is_anchor
        {%- elif model == 'last_touch' %}
        cast(case when touch_position = touch_count then 1 else 0 end as double) as weight,
        touch_position = touch_count as is_anchor
        {%- elif model == 'linear' %}
        cast(1 as double) / touch_count as weight,
        touch_position = touch_count as is_anchor
        {%- else %}
        case
            when touch_count = 1 then cast(1 as double)
            when touch_count = 2 and touch_position = 1 then cast({{ first_weight / (first_weight + last_weight) if first_weight + last_weight > 0 else 0.5 }} as double)
            when touch_count = 2 then cast({{ last_weight / (first_weight + last_weight) if first_weight + last_weight > 0 else 0.5 }} as double)
            when touch_position = 1 then cast({{ first_weight }} as double)
            when touch_position = touch_count then cast({{ last_weight }} as double)
            else cast({{ middle_weight }} as double) / (touch_count - 2)
        end as weight,
        touch_position = touch_count as is_anchor
        {%- endif %}
    from eligible
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

rounded as (
    select
        *,
        cast(round(cast(won_amount as decimal(20, 2)) * cast(weight as decimal(18, 12)), 2) as decimal(18, 2)) as rounded_credit
    from weighted
),

credited as (
    select
        *,
        sum(rounded_credit) over (partition by attribution_model, lead_id) as total_rounded_credit
    from rounded
),

touch_credits as (
    select
        attribution_model,
        lead_id,
        won_at,
        won_amount,
        touch_id,
        touch_at,
        channel,
        campaign,
        touch_position,
        touch_count,
        weight,
        case
            when is_anchor then won_amount - (total_rounded_credit - rounded_credit)
            else rounded_credit
        end as credit
    from credited
    where weight > 0 or is_anchor
),

unattributed as (
    {%- for model in models %}
    select
        '{{ model }}' as attribution_model,
        wins.lead_id,
        wins.won_at,
        wins.won_amount,
        cast(null as {{ dbt.type_string() }}) as touch_id,
        cast(null as timestamp) as touch_at,
        '(unattributed)' as channel,
        cast(null as {{ dbt.type_string() }}) as campaign,
        0 as touch_position,
        0 as touch_count,
        cast(1 as double) as weight,
        wins.won_amount as credit
    from wins
    left join (select distinct lead_id from eligible) as attributed
        on wins.lead_id = attributed.lead_id
    where attributed.lead_id is null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

credits as (
    select * from touch_credits
    union all
    select * from unattributed
)

select
    attribution_model,
    lead_id,
    won_at,
    cast(won_amount as decimal(18, 2)) as won_amount,
    touch_id,
    touch_at,
    channel,
    campaign,
    cast(touch_position as bigint) as touch_position,
    cast(touch_count as bigint) as touch_count,
    cast(weight as double) as weight,
    cast(credit as decimal(18, 2)) as credit,
    {{ as_of() }} as as_of
from credits
