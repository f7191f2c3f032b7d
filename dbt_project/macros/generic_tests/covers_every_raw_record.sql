{#
    Fails on every (source, source_record_id) of the raw table `raw_records` that the model does
    not carry: nothing the ingestion loaded may get lost between the raw layer and the marts.

    Written as an anti join (`not exists`): the raw side holds every version of a record, and only
    the keys the model lacks (usually none) are made distinct. Making both sides' keys distinct
    first and joining them took twice as long on the facts (docs/performance.md).
#}
{% test covers_every_raw_record(model, raw_records) %}

select distinct
    raw_records.source,
    raw_records.source_record_id
from {{ raw_records }} as raw_records
where not exists (
    select 1
    from {{ model }} as model_records
    where model_records.source = raw_records.source
        and model_records.source_record_id = raw_records.source_record_id
)
{% endtest %}
