{#
    Fails on every (source, source_record_id) of the raw table `raw_records` that the model does
    not carry: nothing the ingestion loaded may get lost between the raw layer and the marts.
#}
{% test covers_every_raw_record(model, raw_records) %}

with

raw_record_keys as (
    select distinct
        source,
        source_record_id
    from {{ raw_records }}
),

model_record_keys as (
    select distinct
        source,
        source_record_id
    from {{ model }}
)

select
    raw_record_keys.source,
    raw_record_keys.source_record_id
from raw_record_keys
left join model_record_keys
    on raw_record_keys.source = model_record_keys.source
    and raw_record_keys.source_record_id = model_record_keys.source_record_id
where model_record_keys.source_record_id is null
{% endtest %}
