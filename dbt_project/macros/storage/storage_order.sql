{#
    The order a table model's rows are written in, on DuckDB: `order by` the columns given, at the
    end of the model's select. Other engines write in whatever order their tasks finish (no
    clause: a global sort there is a shuffle of the whole table).

    Why: DuckDB writes a table built from many small input batches (a union of the sources' lead
    records, each source a few row groups or less) in two parts: the full row groups as the query
    runs, on both cores, and what is left of every batch at the commit, on one core. For the lead
    records, at 1,000,000 leads, `int_lead_records_matched` committed for 1.98 s and
    `int_er_records_prepared` for 0.67 s. Sorted, the rows reach the writer in whole row groups and
    the commits take 0.06 s and 0.15 s; the sort costs less than it saves: the two models 6.83 s
    and 5.77 s before, 5.40 s and 5.56 s after (docs/performance.md). Use it where a model's
    commit is that slow, not everywhere: a table built from one large input is already written in
    whole row groups.
#}
{% macro storage_order(columns) -%}
    {{ return(adapter.dispatch('storage_order', 'leadhouse')(columns)) }}
{%- endmacro %}

{% macro default__storage_order(columns) -%}{%- endmacro %}

{% macro duckdb__storage_order(columns) -%}
    order by {{ columns | join(', ') }}
{%- endmacro %}
