{#
    One row per day from 2015-01-01 to 2035-12-31: the calendar MetricFlow joins metrics to
    (docs/metrics.md). The days come from dbt.generate_series (DuckDB's own series on DuckDB, cross
    joins of two-row tables elsewhere), so the model builds on Spark too.
#}
{%- set first_day = modules.datetime.date(2015, 1, 1) -%}
{%- set last_day = modules.datetime.date(2035, 12, 31) -%}

with

day_numbers as (
    {{ dbt.generate_series((last_day - first_day).days + 1) }}
)

select
    cast({{ dbt.dateadd('day', '(generated_number - 1)', "cast('" ~ first_day ~ "' as date)") }} as date) as date_day
from day_numbers
