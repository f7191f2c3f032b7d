{#
    An aggregate: a fingerprint of a group's rows, whatever their order. The XOR of a 64-bit hash
    of each row's `columns` (of the relation `alias`). The same rows give the same fingerprint on
    every run and engine version; a changed, added or removed row changes it (but for a 64-bit
    collision). The rows of a group must differ from each other (two equal rows cancel out): give
    it their key columns. dim_leads uses it to find the leads whose inputs changed.
#}
{% macro rows_fingerprint(alias, columns) -%}
    {{ return(adapter.dispatch('rows_fingerprint', 'leadhouse')(alias, columns)) }}
{%- endmacro %}

{% macro default__rows_fingerprint(alias, columns) -%}
    bit_xor(xxhash64({% for column in columns %}{{ alias }}.{{ column }}{{ ", " if not loop.last }}{% endfor %}))
{%- endmacro %}

{% macro duckdb__rows_fingerprint(alias, columns) -%}
    bit_xor(hash({% for column in columns %}{{ alias }}.{{ column }}{{ ", " if not loop.last }}{% endfor %}))
{%- endmacro %}
