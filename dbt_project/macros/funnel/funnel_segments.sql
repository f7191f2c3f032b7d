{#
    Segments of the funnel and conversion marts (analytics.segments in config/analytics.yml):
    each segment's column in int_funnel_leads. A lead without a value is counted under '(none)'.
#}
{% macro funnel_segment_column(segment) -%}
    {{ return({'channel': 'channel', 'campaign': 'campaign', 'industry': 'industry', 'region': 'region',
               'agent': 'agent_id', 'grade': 'grade'}[segment]) }}
{%- endmacro %}

{#
    The rows of `relation` once per configured segment and once for everybody (segment_type
    'all', segment_value 'all'), with segment_type and segment_value beside `columns`: the long
    format every funnel mart uses, so one query filters a segment and a BI tool pivots it.
#}
{% macro funnel_segmented(relation, columns) -%}
    {%- for segment in ['all'] + var('analytics').segments %}
    select
        {{ columns | join(', ') }},
        '{{ segment }}' as segment_type,
        {%- if segment == 'all' %}
        'all' as segment_value
        {%- else %}
        coalesce(cast({{ funnel_segment_column(segment) }} as {{ dbt.type_string() }}), '(none)') as segment_value
        {%- endif %}
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{# The start of `timestamp`'s period at `grain` (day, week from Monday, month), as a date. #}
{% macro period_start(grain, timestamp) -%}
    cast({{ dbt.date_trunc(grain, timestamp) }} as date)
{%- endmacro %}

{# int_funnel_leads' step columns: step_1_at, ..., step_<count>_at. #}
{% macro funnel_step_columns(count) -%}
    {%- set columns = [] -%}
    {%- for k in range(1, count + 1) -%}
        {%- do columns.append('step_' ~ k ~ '_at') -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#
    The day rows of `relation` (day_start, segment_type, segment_value and the additive `columns`)
    summed into every period of analytics.period_grains, one union: counts add up, so a mart counts
    each lead once per day and segment and rolls weeks and months up from the days.
#}
{% macro rolled_up_from_days(relation, columns) -%}
    {%- for grain in var('analytics').period_grains %}
    select
        '{{ grain }}' as period_grain,
        {{ period_start(grain, 'day_start') }} as period_start,
        segment_type,
        segment_value,
        {%- for column in columns %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    group by 1, 2, 3, 4
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
