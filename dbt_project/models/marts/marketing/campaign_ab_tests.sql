{#
    A/B comparison of campaign variants (analytics.ab_tests in config/analytics.yml), as of
    as_of (docs/funnels.md). Per test and variant (a campaign; the first listed is the control):
    the leads whose first campaign it is, how many were won, the conversion rate with its Wilson
    score interval at analytics.ab_tests.confidence, and against the control a two-proportion
    z-test (pooled): the difference, z, the two-sided p-value and whether it is significant
    (p < 1 - confidence). Leads still open count as not converted: compare variants that ran over
    the same period.
#}
{%- set ab = var('analytics').ab_tests -%}
{#- Literals as doubles: Spark reads 3.84 as a decimal and divides decimals to 6 places. -#}
{%- set z = 'cast(' ~ ab.z ~ ' as double)' -%}
{%- set z2 = 'cast(' ~ (ab.z * ab.z) ~ ' as double)' -%}

with

variants as (
    {%- for test in ab.tests %}
    {%- set test_loop = loop %}
    {%- for variant in test.variants %}
    select
        '{{ test.id }}' as test_id,
        '{{ dbt.escape_single_quotes(test.name) }}' as test_name,
        '{{ dbt.escape_single_quotes(variant) }}' as variant,
        {{ loop.index }} as variant_number
    {%- if not (test_loop.last and loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
    {%- if not ab.tests %}
    select
        cast(null as {{ dbt.type_string() }}) as test_id,
        cast(null as {{ dbt.type_string() }}) as test_name,
        cast(null as {{ dbt.type_string() }}) as variant,
        0 as variant_number
    where 1 = 0
    {%- endif %}
),

counted as (
    select
        variants.test_id,
        variants.test_name,
        variants.variant,
        variants.variant_number,
        count(leads.lead_id) as leads,
        count(leads.won_at) as converted_leads
    from variants
    left join {{ ref('int_funnel_leads') }} as leads
        on variants.variant = leads.campaign
    group by variants.test_id, variants.test_name, variants.variant, variants.variant_number
),

rated as (
    select
        *,
        case when leads > 0 then cast(converted_leads as double) / leads end as conversion_rate
    from counted
),

compared as (
    select
        rated.*,
        control.variant as control_variant,
        control.leads as control_leads,
        control.conversion_rate as control_conversion_rate,
        case
            when rated.leads + control.leads > 0
                then cast(rated.converted_leads + control.converted_leads as double) / (rated.leads + control.leads)
        end as pooled_rate
    from rated
    inner join rated as control
        on rated.test_id = control.test_id
        and control.variant_number = 1
),

tested as (
    select
        *,
        case
            when variant_number > 1 and leads > 0 and control_leads > 0
                and pooled_rate > 0 and pooled_rate < 1
                then (conversion_rate - control_conversion_rate)
                    / sqrt(pooled_rate * (1 - pooled_rate) * (cast(1 as double) / leads + cast(1 as double) / control_leads))
        end as z_score
    from compared
)

select
    test_id,
    test_name,
    variant,
    cast(variant_number as int) as variant_number,
    variant_number = 1 as is_control,
    cast(leads as bigint) as leads,
    cast(converted_leads as bigint) as converted_leads,
    conversion_rate,
    case when leads > 0 then
        (conversion_rate + {{ z2 }} / (2 * leads)
            - {{ z }} * sqrt(conversion_rate * (1 - conversion_rate) / leads + {{ z2 }} / (4 * leads * leads)))
        / (1 + {{ z2 }} / leads)
    end as conversion_rate_ci_low,
    case when leads > 0 then
        (conversion_rate + {{ z2 }} / (2 * leads)
            + {{ z }} * sqrt(conversion_rate * (1 - conversion_rate) / leads + {{ z2 }} / (4 * leads * leads)))
        / (1 + {{ z2 }} / leads)
    end as conversion_rate_ci_high,
    control_variant,
    case when variant_number > 1 then conversion_rate - control_conversion_rate end as difference_from_control,
    z_score,
    case when z_score is not null then 2 * {{ normal_upper_tail('abs(z_score)') }} end as p_value,
    case when z_score is not null then 2 * {{ normal_upper_tail('abs(z_score)') }} < {{ 1 - ab.confidence }} end as is_significant,
    cast({{ ab.confidence }} as double) as confidence,
    {{ as_of() }} as as_of
from tested
