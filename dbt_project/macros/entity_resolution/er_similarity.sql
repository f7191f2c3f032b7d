{#
    Engine differences for entity resolution (see ../shared/PORTABILITY.md).
#}

{# Jaro-Winkler similarity in [0, 1]. Spark before 4.3 has none: a Levenshtein ratio stands in. #}
{% macro er_jaro_winkler(left, right) -%}
    {{ return(adapter.dispatch('er_jaro_winkler', 'leadhouse')(left, right)) }}
{%- endmacro %}

{% macro default__er_jaro_winkler(left, right) -%}
    (1.0 - levenshtein({{ left }}, {{ right }}) / cast(greatest(length({{ left }}), length({{ right }}), 1) as double))
{%- endmacro %}

{% macro duckdb__er_jaro_winkler(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

{#
    Spark: DuckDB's Jaro-Winkler, written out, so both engines give the same similarity (Spark
    4.3's own jaro_winkler_similarity differs from DuckDB's on 7 % of name pairs, by up to 0.01
    at 0.9: 'sandstone freight' / 'sandstone software' 0.906 on DuckDB, 0.899 on Spark). DuckDB's,
    measured on 368,449 pairs of this project's names and companies: the textbook Jaro-Winkler over
    the UTF-8 bytes (match window max(len) / 2 - 1, transpositions counted in whole pairs, the
    prefix bonus of 0.1 per common leading byte, at most 4, when Jaro is above 0.7; an empty
    string is 0). Higher-order functions, one pass over the shorter window per byte: slower than
    a built-in, and only over candidate pairs.
#}
{#- The units Jaro-Winkler compares, as an array of strings: the characters when both strings
    are ASCII (split natively, the common case), else the UTF-8 bytes as hex (as DuckDB counts). -#}
{% macro spark__er_units(expression, both_ascii) -%}
    if({{ both_ascii }}, split({{ expression }}, ''),
        transform(sequence(1, octet_length({{ expression }})), i -> hex(substr(encode({{ expression }}, 'UTF-8'), i, 1))))
{%- endmacro %}

{% macro spark__er_both_ascii(left, right) -%}
    (octet_length({{ left }}) = length({{ left }}) and octet_length({{ right }}) = length({{ right }}))
{%- endmacro %}

{% macro spark__er_jaro_winkler(left, right) -%}
    {#- transform(array(x), v -> ...)[0] binds v = x (Spark SQL has no let). -#}
    case
        when {{ left }} is null or {{ right }} is null then null
        when octet_length({{ left }}) = 0 or octet_length({{ right }}) = 0 then 0.0D
        else transform(array(named_struct(
            'a', {{ spark__er_units(left, spark__er_both_ascii(left, right)) }},
            'b', {{ spark__er_units(right, spark__er_both_ascii(left, right)) }},
            'ls', octet_length({{ left }}),
            'lt', octet_length({{ right }}),
            'w', greatest(greatest(octet_length({{ left }}), octet_length({{ right }})) div 2 - 1, 0)
        )), d -> transform(array(aggregate(
            sequence(0, d.ls - 1),
            named_struct('flags', array_repeat(false, d.lt), 'matched', cast(array() as array<string>)),
            (acc, i) -> transform(array(filter(
                if(greatest(0, i - d.w) <= least(d.lt - 1, i + d.w),
                    sequence(greatest(0, i - d.w), least(d.lt - 1, i + d.w)), cast(array() as array<int>)),
                j -> not acc.flags[j] and d.b[j] = d.a[i]
            )[0]), j -> if(j is null, acc, named_struct(
                'flags', transform(acc.flags, (g, k) -> g or k = j),
                'matched', concat(acc.matched, array(d.a[i]))
            )))[0]
        )), f -> transform(array(named_struct(
            'm', size(f.matched),
            'transpositions', size(filter(zip_with(
                f.matched,
                filter(transform(sequence(0, d.lt - 1), x -> if(f.flags[x], d.b[x], null)), y -> y is not null),
                (u, v) -> u <> v
            ), z -> z)) div 2,
            'prefix', aggregate(
                sequence(0, least(3, d.ls - 1, d.lt - 1)),
                named_struct('n', 0, 'on', true),
                (p, x) -> if(p.on and d.a[x] = d.b[x], named_struct('n', p.n + 1, 'on', true), named_struct('n', p.n, 'on', false)),
                p -> p.n
            )
        )), q -> transform(array(
            if(q.m = 0, 0.0D, (q.m / d.ls + q.m / d.lt + (q.m - q.transpositions) / q.m) / 3.0D)
        ), jaro -> if(jaro > 0.7D, jaro + q.prefix * 0.1D * (1.0D - jaro), jaro))[0])[0])[0])[0]
    end
{%- endmacro %}

{#
    Whether the Jaro-Winkler similarity is at least `threshold` (every comparison asks only
    that). Spark: the written-out similarity is costly (about 60 us a pair), so an upper bound
    rules out most pairs first, exactly: with m matching bytes Jaro <= (m/|a| + m/|b| + 1) / 3,
    the prefix bonus adds at most 0.4 (1 - Jaro), and m is at most the number of bytes of the
    left string found anywhere in the right one (a pass of array_contains). Pairs under the bound
    cannot reach the threshold; the others are computed.
#}
{% macro er_jaro_winkler_at_least(left, right, threshold) -%}
    {{ return(adapter.dispatch('er_jaro_winkler_at_least', 'leadhouse')(left, right, threshold)) }}
{%- endmacro %}

{% macro default__er_jaro_winkler_at_least(left, right, threshold) -%}
    {{ er_jaro_winkler(left, right) }} >= {{ threshold }}
{%- endmacro %}

{% macro spark__er_jaro_winkler_at_least(left, right, threshold) -%}
    (case
        when {{ left }} is null or {{ right }} is null then null
        when octet_length({{ left }}) = 0 or octet_length({{ right }}) = 0 then 0.0D >= {{ threshold }}
        when transform(array(named_struct(
            'ls', octet_length({{ left }}),
            'lt', octet_length({{ right }}),
            'common', transform(array({{ spark__er_units(right, spark__er_both_ascii(left, right)) }}), er_right_units ->
                size(filter({{ spark__er_units(left, spark__er_both_ascii(left, right)) }}, x -> array_contains(er_right_units, x))))[0]
        )), u -> transform(array(least(u.common, u.ls, u.lt)), m ->
            0.6D * ((m / u.ls + m / u.lt + 1.0D) / 3.0D) + 0.4D
        )[0])[0] < {{ threshold }} - 1e-9D then false
        else {{ spark__er_jaro_winkler(left, right) }} >= {{ threshold }}
    end)
{%- endmacro %}

{# Replace every match of a regular expression (DuckDB replaces only the first without 'g'). #}
{% macro er_regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('er_regexp_replace_all', 'leadhouse')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__er_regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro duckdb__er_regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{# log base 2, written with ln so every engine has it. #}
{% macro er_log2(expression) -%}
    (ln({{ expression }}) / ln(2.0))
{%- endmacro %}

{#
    Hooks around the entity-resolution working tables with many strings (int_er_records_prepared,
    int_er_pairs_scored; int_er_records_clustered runs duckdb__er_fast_write_begin's statement
    itself, read from this file by entity_resolution/fast_write.py), rebuilt on every
    run and read by the next models only: on DuckDB they are written without FSST and dictionary
    string compression, whose analysis was more than half of int_er_records_prepared's write
    time at 1,000,000 leads (about 2.5 s of the run, and the models reading the table got faster
    too), for about 2.5 times the size on disk (360 MB instead of 140 MB for prepared). The
    post-hook, after commit, resets the setting to DuckDB's default. Other engines: nothing.
#}
{% macro er_fast_write_begin() -%}
    {{ return(adapter.dispatch('er_fast_write_begin', 'leadhouse')()) }}
{%- endmacro %}

{% macro default__er_fast_write_begin() -%}{%- endmacro %}

{% macro duckdb__er_fast_write_begin() -%}set disabled_compression_methods = 'fsst,dictionary'{%- endmacro %}

{% macro er_fast_write_end() -%}
    {{ return(adapter.dispatch('er_fast_write_end', 'leadhouse')()) }}
{%- endmacro %}

{% macro default__er_fast_write_end() -%}{%- endmacro %}

{% macro duckdb__er_fast_write_end() -%}reset disabled_compression_methods{%- endmacro %}
