{#
    The day partitions a run builds (models tagged daily_partitioned, docs/operations.md
    "Partitions"): the orchestration sets LEADHOUSE_PARTITION_START and LEADHOUSE_PARTITION_END
    ('YYYY-MM-DD', the end excluded) for a partitioned run or a backfill of a range. Without them
    (dbt by hand, a full build, the tests) the window is everything.

    In the environment, not in --vars: a var that changes makes dbt parse the whole project again.
    And read only when the model runs (`execute`), as as_of() is: an environment variable read
    while dbt parses makes it parse the file again whenever the value changes (every partition).
#}
{% macro partition_window() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start = env_var('LEADHOUSE_PARTITION_START', '') -%}
    {%- set end = env_var('LEADHOUSE_PARTITION_END', '') -%}
    {%- if (start and not end) or (end and not start) -%}
        {{ exceptions.raise_compiler_error("LEADHOUSE_PARTITION_START and LEADHOUSE_PARTITION_END go together (got '" ~ start ~ "' and '" ~ end ~ "')") }}
    {%- endif -%}
    {%- for value in [start, end] if value and not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ exceptions.raise_compiler_error("partition window: '" ~ value ~ "' is not 'YYYY-MM-DD'") }}
    {%- endfor -%}
    {{ return({'start': start, 'end': end} if start else none) }}
{%- endmacro %}

{#
    The rows of the window: `column` (a date or timestamp) in [start, end); true without a window.
    On Spark the model is a table rebuilt whole (incremental_or_table): it keeps every day, whatever
    the window, or a partition's run would replace the table with that day alone.
#}
{% macro in_partition_window(column) -%}
    {{ return(adapter.dispatch('in_partition_window', 'leadhouse')(column)) }}
{%- endmacro %}

{% macro spark__in_partition_window(column) -%}
    1 = 1
{%- endmacro %}

{% macro default__in_partition_window(column) -%}
    {%- set window = partition_window() -%}
    {%- if window -%}
        {{ column }} >= cast('{{ window.start }}' as date) and {{ column }} < cast('{{ window.end }}' as date)
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#
    Pre-hook of a day-partitioned incremental model: before the window's rows are inserted again,
    delete the ones a previous run wrote for the same days (all of them without a window), in the
    model's transaction. So a partition or a range built twice holds the same rows once, and a day
    whose rows went away is emptied. On Spark the model is a table, rebuilt whole
    (incremental_or_table), and there is nothing to delete.
#}
{% macro clear_partition_window(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_partition_window(column) }}
    {%- endif -%}
{%- endmacro %}
