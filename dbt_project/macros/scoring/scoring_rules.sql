{#
    SQL from the scoring settings (var `scoring`, validated and normalized by scoring/config.py:
    fields are known columns or attributes.<identifier>, text values lower-cased, operators from a
    fixed list). These macros only place checked values: literals through scoring_literal.
#}

{#
    A checked value as a SQL literal: null, true/false, a number, or quoted text (a quote escaped
    as the engine reads it: '' on DuckDB; on Spark \', since it reads 'a''b' as 'a' 'b'). A null in the
    settings can reach Jinja as '' (dbt renders some var values as text); no setting's text is
    empty (scoring/config.py), so '' is null too.
#}
{% macro scoring_literal(value) -%}
    {%- if value is none or value == '' -%}null
    {%- elif value is sameas true -%}true
    {%- elif value is sameas false -%}false
    {%- elif value is number -%}{{ value }}
    {%- else -%}'{{ dbt.escape_single_quotes(value | string) }}'
    {%- endif -%}
{%- endmacro %}

{# The column a condition reads: the enriched field, or the lead's attribute column. #}
{% macro scoring_column(condition) -%}
    {%- if condition.attribute -%}attribute_{{ condition.attribute | lower }}
    {%- else -%}{{ condition.field }}
    {%- endif -%}
{%- endmacro %}

{#
    A condition as a predicate that is true or false, never null: a missing value fires nothing
    (not even not_equals or not_in), except that is_present is false on it.
#}
{% macro scoring_condition(condition) -%}
    {%- set column = scoring_column(condition) -%}
    {%- set op = condition.operator -%}
    {%- set value = condition.value -%}
    {%- set subject = 'lower(' ~ column ~ ')' if condition.type == 'text' else column -%}
    coalesce(
    {%- if op == 'is_present' -%}
        {{ column }} is not null{% if condition.type == 'text' %} and trim({{ column }}) <> ''{% endif %}
    {%- elif op == 'equals' -%}
        {{ subject }} = {{ scoring_literal(value) }}
    {%- elif op == 'not_equals' -%}
        {{ subject }} <> {{ scoring_literal(value) }}
    {%- elif op == 'contains' -%}
        {{ dbt.position(scoring_literal(value), subject) }} > 0
    {%- elif op in ('in', 'not_in') -%}
        {{ subject }} {{ 'not in' if op == 'not_in' else 'in' }} (
        {%- for item in value %}{{ scoring_literal(item) }}{{ ', ' if not loop.last }}{% endfor -%}
        )
    {%- elif op == 'greater_than' -%}
        {{ subject }} > {{ scoring_literal(value) }}
    {%- elif op == 'less_than' -%}
        {{ subject }} < {{ scoring_literal(value) }}
    {%- elif op == 'between' -%}
        {{ subject }} between {{ scoring_literal(value[0]) }} and {{ scoring_literal(value[1]) }}
    {%- elif op == 'matches_domain' -%}
        ({%- for domain in value -%}
            {%- if domain.startswith('.') -%}
                {{ dbt.right(subject, domain | length) }} = {{ scoring_literal(domain) }}
            {%- else -%}
                ({{ subject }} = {{ scoring_literal(domain) }} or {{ dbt.right(subject, (domain | length) + 1) }} = {{ scoring_literal('.' ~ domain) }})
            {%- endif -%}
            {{ ' or ' if not loop.last }}
        {%- endfor -%})
    {%- else -%}
        {{ exceptions.raise_compiler_error("scoring: unknown operator " ~ op) }}
    {%- endif -%}
    , false)
{%- endmacro %}

{#
    The attribute keys the field rules read, as written (JSON keys are case-sensitive); each
    becomes a column attribute_<key in lower case>.
#}
{% macro scoring_attribute_keys(scoring) -%}
    {%- set keys = [] -%}
    {%- for condition in scoring.rules -%}
        {%- if condition.attribute and condition.attribute not in keys -%}
            {%- do keys.append(condition.attribute) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{# `band` of a score by [[label, lowest score], ...] best first (the last starts at 0). #}
{% macro scoring_band(score, bands) -%}
    case
    {%- for label, lowest in bands %}
        {%- if loop.last %}
        else {{ scoring_literal(label) }}
        {%- else %}
        when {{ score }} >= {{ lowest }} then {{ scoring_literal(label) }}
        {%- endif %}
    {%- endfor %}
    end
{%- endmacro %}

{# Activity types as a SQL list body. #}
{% macro scoring_type_list(types) -%}
    {%- for type in types %}{{ scoring_literal(type) }}{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}

{#
    A status's position in status_workflow.stage_order (1 = the first stage), null for a status
    outside it (Closed Lost, Disqualified, Recycled).
#}
{% macro workflow_stage_rank(status) -%}
    case {{ status }}
        {%- for stage in var('scoring').status_workflow.stage_order %}
        when {{ scoring_literal(stage) }} then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}
