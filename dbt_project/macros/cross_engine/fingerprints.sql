{#
    Fingerprints of what an incremental model computes a group's rows from (docs/warehouse.md,
    "The incremental event facts, dim_leads and fct_lead_touches").

    rows_fingerprint(alias, columns): an aggregate, a fingerprint of a group's rows whatever their
    order: the XOR of a 64-bit hash of each row's `columns` (of the relation `alias`;
    row_fingerprint, that hash, is the fingerprint of a group of one row). The same
    rows give the same value on every run; a changed, added or removed row changes it (but for a
    64-bit collision). The rows of a group must differ from each other (two equal rows cancel
    out): give it their key columns.

    inputs_fingerprint(parts, settings): a 63-bit integer of a group's `parts` (rows_fingerprint
    values; null for a group without such rows), of the calling model's code and of `settings`
    (the vars it reads, as a string). A change to the code or the settings changes every group's
    fingerprint, so the next run computes every group again. Not covered: the macros the model
    calls (rebuild with --full-refresh after changing one).

    models_code(names): for `settings`, an MD5 of the code of the models `names` and of every model
    upstream of them, for a model whose fingerprint covers a version of its input rows, not their
    columns: a change to a staging model then changes every group's fingerprint too. Empty while
    dbt parses.
#}
{% macro row_fingerprint(alias, columns) -%}
    {{ return(adapter.dispatch('row_fingerprint', 'leadhouse')(alias, columns)) }}
{%- endmacro %}

{% macro default__row_fingerprint(alias, columns) -%}
    xxhash64({% for column in columns %}{{ alias }}.{{ column }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro duckdb__row_fingerprint(alias, columns) -%}
    hash({% for column in columns %}{{ alias }}.{{ column }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{# An aggregate (or, with over, a window function) on every engine. #}
{% macro rows_fingerprint(alias, columns) -%}
    bit_xor({{ row_fingerprint(alias, columns) }})
{%- endmacro %}

{% macro inputs_fingerprint(parts, settings='') -%}
    {{ return(adapter.dispatch('inputs_fingerprint', 'leadhouse')(parts, "'" ~ local_md5(model.raw_code ~ settings) ~ "'")) }}
{%- endmacro %}

{% macro default__inputs_fingerprint(parts, definition) -%}
    xxhash64({{ parts | join(', ') }}, {{ definition }})
{%- endmacro %}

{# hash() is a UBIGINT; shifted to 63 bits, it is a BIGINT as on Spark. #}
{% macro duckdb__inputs_fingerprint(parts, definition) -%}
    cast(hash({{ parts | join(', ') }}, {{ definition }}) >> 1 as bigint)
{%- endmacro %}

{% macro models_code(names) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {#- A unit test's graph has no nodes: it writes no table. #}
    {%- set nodes = graph.get('nodes', {}) -%}
    {%- set code = {} -%}
    {%- set pending = [] -%}
    {%- for node in nodes.values() if node.resource_type == 'model' and node.name in names -%}
        {%- do pending.append(node.unique_id) -%}
    {%- endfor -%}
    {#- Breadth first: the loop reads what it appends. #}
    {%- for unique_id in pending if unique_id not in code -%}
        {%- set node = nodes[unique_id] -%}
        {%- do code.update({unique_id: node.raw_code}) -%}
        {%- for parent in node.depends_on.nodes if parent.startswith('model.') -%}
            {%- do pending.append(parent) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set parts = [] -%}
    {%- for unique_id in code | sort -%}
        {%- do parts.append(unique_id ~ '\n' ~ code[unique_id]) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n'))) }}
{%- endmacro %}
