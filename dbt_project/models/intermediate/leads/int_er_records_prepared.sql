{#
    Lead records in the shape entity resolution compares (the one dataset-specific input of the
    models in intermediate/entity_resolution/, which any dataset can reuse by providing a model
    of this name with the columns its configured blocking rules and comparisons use): one row per (source, source_record_id),
    keyed `source:source_record_id`, with the normalized values the blocking rules and
    comparisons use, and `record_id`, a stable 64-bit integer of the key that the pair tables
    join on (string_hash64). Emails lose +tags, and dots in Gmail local parts; phones keep their last 10
    and 7 digits; first names get a nickname-aware blocking key; companies lose legal suffixes.

    Incremental on DuckDB (a table on Spark, incremental_or_table). Each row carries
    `_inputs_fingerprint`: a hash of the record version it was prepared from (its `_ingested_at`:
    staging keeps the latest version of a record, the one ingested last), of the nicknames seed, of
    this model's code and of the staging models' (models_code). A run computes every record's
    fingerprint (no normalizing), then prepares only the records whose fingerprint is new or
    differs: new records, new versions, a record whose latest version went (an ingestion that did
    not finish, removed). A record gone from the sources gets a tombstone (record_key null) that
    replaces its row and that the post-hook deletes. `tests/dbt/test_incremental_marts.py` proves
    the table equals a full rebuild's; `dbt build --full-refresh` rebuilds it (after a change to a
    macro it calls).
#}
{{ config(
    materialized=incremental_or_table(),
    unique_key='record_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    pre_hook="{{ er_fast_write_begin() }}",
    post_hook=[
        "{{ delete_tombstones(this, 'record_key') }}",
        {"sql": "{{ er_fast_write_end() }}", "transaction": false},
    ],
) }}

{%- set incremental = is_incremental() and not incremental_table_outdated() %}

with

nicknames as (
    select
        nickname,
        min(canonical_name) as canonical_name
    from {{ ref('nicknames') }}
    group by nickname
),

nicknames_fingerprint as (
    select {{ rows_fingerprint('nicknames', ['nickname', 'canonical_name']) }} as fingerprint
    from nicknames
),

{#- Every record with its key, id and fingerprint: all a run needs to find what changed. #}
lead_records as (
    select
        keyed.*,
        {{ string_hash64('keyed.record_key') }} as record_id,
        {{ inputs_fingerprint(['keyed._ingested_at', 'nicknames_fingerprint.fingerprint'], models_code(['int_lead_records_unioned'])) }} as _inputs_fingerprint
    from (
        select
            {{ dbt.concat(['source', "':'", 'source_record_id']) }} as record_key,
            *
        from {{ ref('int_lead_records_unioned') }}
    ) as keyed
    cross join nicknames_fingerprint
),

{% if incremental %}

changed_records as (
    {{ changed_groups('lead_records', 'record_id') }}
),

records_to_prepare as (
    select *
    from lead_records
    where record_id in (select record_id from changed_records where not is_gone)
),

{% else %}

records_to_prepare as (
    select *
    from lead_records
),

{% endif %}

lowered as (
    select
        record_id,
        record_key,
        _inputs_fingerprint,
        source,
        source_record_id,
        coalesce(created_at, _ingested_at) as first_seen_at,
        nullif(trim(lower(first_name)), '') as first_name_std,
        nullif(trim(lower(last_name)), '') as last_name_std,
        lower(email) as email_lower,
        {{ er_regexp_replace_all('phone', '[^0-9]', '') }} as phone_digits,
        nullif(trim({{ er_regexp_replace_all(er_regexp_replace_all('lower(company)', '[^a-z0-9 ]', ''), '[ ]+(incorporated|inc|llc|ltd|limited|corporation|corp|co|company|gmbh|plc)$', '') }}), '') as company_key,
        nullif(trim(lower(city)), '') as city_std,
        nullif(trim(lower(postal_code)), '') as postal_code
    from records_to_prepare
),

email_parts as (
    select
        *,
        {{ dbt.split_part('email_lower', "'@'", 2) }} as email_domain,
        {{ er_regexp_replace_all(dbt.split_part('email_lower', "'@'", 1), '[+].*$', '') }} as email_local_untagged,
        {{ er_regexp_replace_all('first_name_std', '[^a-z]', '') }} as first_name_letters,
        {{ er_regexp_replace_all('last_name_std', '[^a-z]', '') }} as last_name_letters
    from lowered
),

prepared as (
    select
        email_parts.record_id,
        email_parts.record_key,
        email_parts._inputs_fingerprint,
        email_parts.source,
        email_parts.source_record_id,
        email_parts.first_seen_at,
        email_parts.first_name_std,
        email_parts.last_name_std,
        coalesce(nicknames.canonical_name, email_parts.first_name_std) as first_name_block,
        case
            when email_parts.email_domain in ('gmail.com', 'googlemail.com')
                then replace(email_parts.email_local_untagged, '.', '')
            else email_parts.email_local_untagged
        end as email_mailbox,
        -- The local part without separators, so jane.doe@acme.com and jane_doe@gmail.com agree.
        {{ er_regexp_replace_all('email_parts.email_local_untagged', '[._-]', '') }} as email_local,
        {{ er_regexp_replace_all('email_parts.email_local_untagged', '[^a-z]', '') }} as email_letters,
        nullif({{ dbt.concat(['email_parts.first_name_letters', 'email_parts.last_name_letters']) }}, '') as name_letters,
        nullif({{ dbt.concat(['email_parts.last_name_letters', 'email_parts.first_name_letters']) }}, '') as name_letters_reversed,
        email_parts.email_domain,
        email_parts.last_name_letters,
        email_parts.company_key,
        email_parts.city_std,
        email_parts.postal_code,
        case when length(email_parts.phone_digits) >= 10 then {{ dbt.right('email_parts.phone_digits', 10) }} end as phone_10,
        case when length(email_parts.phone_digits) >= 7 then {{ dbt.right('email_parts.phone_digits', 7) }} end as phone_7
    from email_parts
    left join nicknames
        on nicknames.nickname = email_parts.first_name_std
)

select
    record_id,
    record_key,
    first_seen_at,
    first_name_std,
    last_name_std,
    first_name_block,
    substring(last_name_std, 1, 3) as last_name_prefix,
    substring(first_name_std, 1, 1) as first_name_initial,
    -- The same for "Jane Doe" and "Doe Jane" (names typed in each other's field).
    case when first_name_std is not null and last_name_std is not null then
        case when first_name_std < last_name_std
            then {{ dbt.concat(['first_name_std', "'|'", 'last_name_std']) }}
            else {{ dbt.concat(['last_name_std', "'|'", 'first_name_std']) }}
        end
    end as name_pair_key,
    case when email_mailbox is not null and email_domain is not null
        then {{ dbt.concat(['email_mailbox', "'@'", 'email_domain']) }} end as email_key,
    -- A local part shared across domains (jane.doe@gmail.com, jane.doe@acme.com) is evidence only
    -- when it is specific enough; short ones (info, sales) are left out.
    case when length(email_local) >= 6 then email_local end as email_local,
    -- Letters of the name, or for a record without a name those of its email's local part:
    -- an email-only record (milo.contreras@...) meets the named record (Milo Contreras).
    case when first_name_std is not null and last_name_std is not null then name_letters end as name_letters,
    case when first_name_std is not null and last_name_std is not null then name_letters_reversed end as name_letters_reversed,
    case when length(email_letters) >= 6 then email_letters end as email_letters,
    -- The local part contains the last name (jane.doe@, jdoe@): a namesake shares it too, so it
    -- is no evidence beyond the name (er_comparison_level, type email).
    coalesce(last_name_letters, '') <> '' and instr(coalesce(email_letters, ''), last_name_letters) > 0
        as email_spells_name,
    coalesce(
        case when first_name_std is not null and last_name_std is not null then name_letters end,
        case when length(email_letters) >= 6 then email_letters end
    ) as name_or_email_letters,
    phone_10,
    phone_7,
    company_key,
    city_std,
    postal_code,
    {{ string_hash64(dbt.concat([
        "coalesce(first_name_std, '')", "'|'", "coalesce(last_name_std, '')", "'|'",
        "coalesce(email_mailbox, '')", "'|'", "coalesce(email_domain, '')", "'|'", "coalesce(phone_10, '')", "'|'",
        "coalesce(company_key, '')", "'|'", "coalesce(city_std, '')", "'|'", "coalesce(postal_code, '')"
    ])) }} as record_fingerprint,
    _inputs_fingerprint
from prepared
{%- if incremental %}
{#- A record no source holds any more: its tombstone (DuckDB only, as the incremental path). #}
union all by name
select record_id
from changed_records
where is_gone
{%- endif %}
{{ storage_order(['record_id']) }}
