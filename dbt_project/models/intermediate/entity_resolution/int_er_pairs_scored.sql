{#
    Every current candidate pair with its match weight, match probability and the evidence behind
    it: the prior, plus each comparison's level weight, plus term-frequency adjustments on exact
    agreement. Also the baseline rule's points, so both modes can be reported side by side.
    `decision` applies the configured mode and thresholds: match, review, non_match or
    cannot_link (the evidence alone, without the prior, says two different people).
    `evidence` and `blocked_by` are spelled out for match and review pairs, the ones people read
    (lead_identity_map.matched_by, the review queue); for the others (nearly all pairs at scale)
    the gamma columns and er_match_weights tell the same.
#}
{{ config(
    pre_hook="{{ er_fast_write_begin() }}",
    post_hook={"sql": "{{ er_fast_write_end() }}", "transaction": false},
) }}


{%- set config = er_config() -%}
{%- set t = config.thresholds -%}
{%- set b = config.get('baseline') -%}
{%- set tf_comparisons = config.comparisons | selectattr('tf') | list -%}

with

pairs as (
    select *
    from {{ ref('int_er_pairs_compared') }}
),

weights as (
    select *
    from {{ ref('int_er_match_weights') }}
),

prior as (
    select max(prior_match_probability) as match_share
    from weights
),

{% if tf_comparisons %}
{#- Each record's term-frequency adjustments, looked up once per record rather than once per pair. #}
record_tf as (
    select
        records.record_id
        {%- for c in tf_comparisons %},
        coalesce(tf_{{ c.name }}.tf_adjustment_bits, 0.0) as tf_{{ c.name }}
        {%- endfor %}
    from {{ ref('int_er_records_prepared') }} as records
    {%- for c in tf_comparisons %}
    left join {{ ref('int_er_term_frequencies') }} as tf_{{ c.name }}
        on tf_{{ c.name }}.comparison = '{{ c.name }}'
        and tf_{{ c.name }}.value = records.{{ er_tf_setting(c).column }}
    {%- endfor %}
),

{% endif %}
{#- The level weights of each distinct comparison pattern (a few thousand), joined once per pair:
    eight lookups per pair, one per comparison, cost five times as much at 5 million pairs. #}
pattern_weights as (
    select
        patterns.*,
        {%- for c in config.comparisons %}
        coalesce(w_{{ c.name }}.match_weight, 0.0) as level_weight_{{ c.name }},
        {%- endfor %}
        {{ er_log2('prior.match_share / (1.0 - prior.match_share)') }} as prior_weight
    from (
        select distinct
            {%- for c in config.comparisons %}
            gamma_{{ c.name }}{{ ',' if not loop.last }}
            {%- endfor %}
        from pairs
    ) as patterns
    cross join prior
    {%- for c in config.comparisons %}
    left join weights as w_{{ c.name }}
        on w_{{ c.name }}.comparison = '{{ c.name }}'
        and w_{{ c.name }}.comparison_level = patterns.gamma_{{ c.name }}
    {%- endfor %}
),

weighed as (
    select
        pairs.record_id_l,
        pairs.record_id_r,
        pairs.blocking_rule_mask,
        {%- for c in config.comparisons %}
        pairs.gamma_{{ c.name }},
        pattern_weights.level_weight_{{ c.name }}
            {%- if c.get('tf') %}
            + case when pairs.gamma_{{ c.name }} in ({{ er_tf_setting(c).levels | join(', ') }}) then coalesce(record_tf.tf_{{ c.name }}, 0.0) else 0.0 end
            {%- endif %}
            as weight_{{ c.name }},
        {%- endfor %}
        pattern_weights.prior_weight
    from pairs
    inner join pattern_weights
        on {% for c in config.comparisons %}pattern_weights.gamma_{{ c.name }} = pairs.gamma_{{ c.name }}{{ '\n        and ' if not loop.last }}{% endfor %}
    {%- if tf_comparisons %}
    left join record_tf
        on record_tf.record_id = pairs.record_id_l
    {%- endif %}
),

scored as (
    select
        *,
        prior_weight
        {%- for c in config.comparisons %}
        + weight_{{ c.name }}
        {%- endfor %} as match_weight
    from weighed
),

with_probability as (
    select
        *,
        1.0 / (1.0 + power(2.0, -least(greatest(match_weight, -60.0), 60.0))) as match_probability,
        {#- The evidence alone, as if the prior were even: strong evidence of two different people
            when low, whatever the prior (with the all-pairs prior every unlinked pair is improbable). #}
        1.0 / (1.0 + power(2.0, -least(greatest(match_weight - prior_weight, -60.0), 60.0))) as evidence_probability,
        {%- if b %}
        {#- The seeds' rule: email 100 points, phone 50, same name and company 75 (lead comparisons). #}
        case when gamma_email = 3 then {{ b.email }} else 0 end
            + case when gamma_phone = 2 then {{ b.phone }} else 0 end
            + case when gamma_first_name = 4 and gamma_last_name = 4 and gamma_company >= 2 then {{ b.name_and_company }} else 0 end
            as baseline_points
        {%- else %}
        cast(null as integer) as baseline_points
        {%- endif %}
    from scored
),

decided as (
    select
        *,
        {%- if config.mode == 'baseline' %}
        case when baseline_points > {{ b.duplicate_above }} then 'match' else 'non_match' end as decision
        {%- else %}
        case
            when match_probability >= {{ t.match }} then 'match'
            when match_probability >= {{ t.review_low }} then 'review'
            when evidence_probability < {{ t.cannot_link_below }} then 'cannot_link'
            else 'non_match'
        end as decision
        {%- endif %}
    from with_probability
)

select
    record_id_l,
    record_id_r,
    blocking_rule_mask,
    case when decision in ('match', 'review') then
        {{ er_blocking_rule_names('blocking_rule_mask', config.blocking.rules) }}
    end as blocked_by,
    match_weight,
    match_probability,
    baseline_points,
    decision,
    case when decision in ('match', 'review') then
        concat_ws(' ',
            {%- for c in config.comparisons %}
            case when gamma_{{ c.name }} >= 0 then
                {{ dbt.concat(["'" ~ c.name ~ ":'", er_level_name_case('gamma_' ~ c.name, c), "'('", "cast(round(weight_" ~ c.name ~ ", 1) as " ~ dbt.type_string() ~ ")", "')'"]) }}
            end{{ ',' if not loop.last }}
            {%- endfor %}
        )
    end as evidence,
    {%- for c in config.comparisons %}
    gamma_{{ c.name }},
    {%- endfor %}
    {{ config.version }} as config_version
from decided
