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
    `with x as {{ er_materialized_cte() }} (...)`: compute a CTE once. DuckDB otherwise inlines
    the unrolled EM iterations into one plan whose size grows with every iteration (20 took
    minutes on 3,000 leads; materialized, 0.2 s). Other engines get a plain CTE.
#}
{% macro er_materialized_cte() -%}
    {{ return(adapter.dispatch('er_materialized_cte', 'leadhouse')()) }}
{%- endmacro %}

{% macro default__er_materialized_cte() -%}{%- endmacro %}

{% macro duckdb__er_materialized_cte() -%}materialized{%- endmacro %}

{#
    A 64-bit integer for a string: record ids and fingerprints. Joins and writes of integers cost
    a fraction of those of strings (at 1,000,000 leads, blocking took 12 s on string keys).
    DuckDB's hash is six times faster than md5_number_lower; should a DuckDB upgrade change it,
    every id changes at once, and the next run compares every candidate pair afresh (the
    incremental comparison finds none of them compared before): slower once, never wrong.
#}
{% macro er_hash64(expression) -%}
    {{ return(adapter.dispatch('er_hash64', 'leadhouse')(expression)) }}
{%- endmacro %}

{% macro default__er_hash64(expression) -%}
    xxhash64({{ expression }})
{%- endmacro %}

{% macro duckdb__er_hash64(expression) -%}
    hash({{ expression }})
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
