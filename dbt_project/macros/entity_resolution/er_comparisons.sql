{#
    Comparison levels. Each comparison turns a pair of records (aliases `l` and `r`) into a level:
    -1 when either side is missing (no evidence either way), 0 when the values differ, and higher
    levels for closer agreement, the highest being exact. `er_level_names` names them for people.
#}

{% macro er_string_levels(comparison) -%}
    {{ return(comparison.get('fuzzy', [{'jaro_winkler': 0.92}])) }}
{%- endmacro %}

{% macro er_fuzzy_condition(level, column) -%}
    {%- if 'jaro_winkler' in level -%}
        {{ er_jaro_winkler_at_least('l.' ~ column, 'r.' ~ column, level.jaro_winkler) }}
    {%- elif 'levenshtein' in level -%}
        levenshtein(l.{{ column }}, r.{{ column }}) <= {{ level.levenshtein }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("fuzzy level " ~ level ~ ": use {jaro_winkler: 0.9} or {levenshtein: 1}") }}
    {%- endif -%}
{%- endmacro %}

{% macro er_comparison_level(comparison) -%}
    {%- set c = comparison -%}
    case
    {%- if c.type == 'email' %}
        when l.email_key is null or r.email_key is null then -1
        when l.email_key = r.email_key then 3
        {#- A local part spelled from the name (jane.doe@, jdoe@) is shared by namesakes too: it
            would count the name's evidence twice, so only other local parts count here. #}
        when {{ er_local_part_spells_name('l') }} or {{ er_local_part_spells_name('r') }} then 0
        when l.email_local = r.email_local then 2
        when {{ er_jaro_winkler_at_least('l.email_key', 'r.email_key', 0.9) }} then 1
    {%- elif c.type == 'email_name' %}
        {#- Only between a record with a name but no email and one with an email but no name, so
            it never double-counts the email and name comparisons. #}
        when not (
            (l.email_letters is not null and l.name_letters is null and r.name_letters is not null and r.email_key is null)
            or (r.email_letters is not null and r.name_letters is null and l.name_letters is not null and l.email_key is null)
        ) then -1
        when l.email_letters = r.name_letters or l.email_letters = r.name_letters_reversed
            or r.email_letters = l.name_letters or r.email_letters = l.name_letters_reversed then 1
    {%- elif c.type == 'phone' %}
        when l.phone_10 is null or r.phone_10 is null then -1
        when l.phone_10 = r.phone_10 then 2
        when l.phone_7 = r.phone_7 then 1
    {%- elif c.type == 'name' %}
        when l.{{ c.column }} is null or r.{{ c.column }} is null then -1
        when l.{{ c.column }} = r.{{ c.column }} then 4
        {%- if c.get('nicknames') %}
        when nicknames_{{ c.name }}.name_a is not null then 3
        {%- endif %}
        when {{ er_jaro_winkler_at_least('l.' ~ c.column, 'r.' ~ c.column, 0.92) }} then 2
        {%- if c.get('swapped_with') %}
        {#- Both names written in each other's field: symmetric in l and r. #}
        when l.{{ c.column }} = r.{{ c.swapped_with }} and r.{{ c.column }} = l.{{ c.swapped_with }} then 1
        {%- endif %}
    {%- elif c.type == 'string' %}
        {%- set levels = er_string_levels(c) %}
        when l.{{ c.column }} is null or r.{{ c.column }} is null then -1
        when l.{{ c.column }} = r.{{ c.column }} then {{ levels | length + 1 }}
        {%- for level in levels %}
        when {{ er_fuzzy_condition(level, c.column) }} then {{ levels | length - loop.index0 }}
        {%- endfor %}
    {%- elif c.type == 'exact' %}
        when l.{{ c.column }} is null or r.{{ c.column }} is null then -1
        when l.{{ c.column }} = r.{{ c.column }} then 1
    {%- endif %}
        else 0
    end
{%- endmacro %}

{# Joins a comparison needs beside the two records (nickname equivalences). #}
{% macro er_comparison_joins(comparisons) -%}
    {%- for c in comparisons if c.type == 'name' and c.get('nicknames') %}
    left join {{ ref('int_er_name_equivalences') }} as nicknames_{{ c.name }}
        on nicknames_{{ c.name }}.name_a = l.{{ c.column }}
        and nicknames_{{ c.name }}.name_b = r.{{ c.column }}
    {%- endfor %}
{%- endmacro %}

{% macro er_level_names(comparison) -%}
    {%- set c = comparison -%}
    {%- if c.type == 'email' -%}
        {%- set names = {3: 'exact', 2: 'same_local_part', 1: 'similar'} -%}
    {%- elif c.type == 'phone' -%}
        {%- set names = {2: 'exact', 1: 'same_last_7_digits'} -%}
    {%- elif c.type == 'email_name' -%}
        {%- set names = {1: 'email_spells_name'} -%}
    {%- elif c.type == 'name' -%}
        {%- set names = {4: 'exact', 3: 'nickname', 2: 'similar', 1: 'swapped'} -%}
    {%- elif c.type == 'string' -%}
        {%- set levels = er_string_levels(c) -%}
        {%- set names = {levels | length + 1: 'exact'} -%}
        {%- for level in levels -%}
            {%- set rank = levels | length - loop.index0 -%}
            {%- for kind, value in level.items() -%}
                {%- do names.update({rank: kind ~ '_' ~ value}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- else -%}
        {%- set names = {1: 'exact'} -%}
    {%- endif -%}
    {%- do names.update({0: 'different', -1: 'missing'}) -%}
    {{ return(names) }}
{%- endmacro %}

{# A level's name, as SQL (`gamma` an expression holding the level), `level_<n>` for a level
   er_level_names does not name: int_er_match_weights names its rows with it, and scored pairs
   spell their evidence from it rather than carrying names through the join to the weights. #}
{% macro er_level_name_case(gamma, comparison) -%}
    case {{ gamma }}
        {%- for level, name in er_level_names(comparison).items() %} when {{ level }} then '{{ name }}'{% endfor %}
        else {{ dbt.concat(["'level_'", 'cast(' ~ gamma ~ ' as ' ~ dbt.type_string() ~ ')']) }}
    end
{%- endmacro %}

{# The highest level of a comparison: exact agreement. #}
{% macro er_exact_level(comparison) -%}
    {{ return(er_level_names(comparison).keys() | max) }}
{%- endmacro %}


{#
    Where a comparison's term-frequency adjustment applies: `tf: true` adjusts its exact level by
    the frequency of its column's value, and on a name comparison with `swapped_with` its
    swapped level too (Doe Jane against Jane Doe agrees on the same two names, and a common name
    swapped is as weak evidence as a common name matched: without it, namesakes written once
    each way were a nine tenths of the wrong merges at 1,000,000 leads); `tf: {column: c, level:
    n}` adjusts level n by the frequency of column c (e.g. a shared email local part: jane.doe
    is common, zq7x.k is not). Returns none without `tf`, else the column and the `levels`.
#}
{% macro er_tf_setting(comparison) -%}
    {%- set tf = comparison.get('tf') -%}
    {%- if not tf -%}
        {{ return(none) }}
    {%- elif tf is mapping -%}
        {{ return({'column': tf.column, 'levels': [tf.level]}) }}
    {%- elif comparison.type == 'name' and comparison.get('swapped_with') -%}
        {{ return({'column': comparison.column, 'levels': [er_exact_level(comparison), 1]}) }}
    {%- else -%}
        {{ return({'column': comparison.column, 'levels': [er_exact_level(comparison)]}) }}
    {%- endif -%}
{%- endmacro %}


{# The record's email local part contains its last name (letters only): the prepared records'
   `email_spells_name`, computed once per record rather than twice per pair. #}
{% macro er_local_part_spells_name(alias) -%}
    coalesce({{ alias }}.email_spells_name, false)
{%- endmacro %}
