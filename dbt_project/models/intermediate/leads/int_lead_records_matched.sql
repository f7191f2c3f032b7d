{#
    Which lead each lead record belongs to. This is the only model that decides identity; the
    identity map, dim_leads and the lead facts all read lead_id from here.

    Rule (exact match): records with the same normalized email are one lead; a record without an
    email is a lead of its own. lead_id is a short hash of the match key, so it is the same on
    every run and every engine as long as the key is.
#}

with

lead_records as (
    select *
    from {{ ref('int_lead_records_unioned') }}
),

lead_record_match_keys as (
    select
        case
            when email is not null then 'exact_email'
            else 'single_record'
        end as match_rule,
        case
            when email is not null then {{ dbt.concat(["'email:'", 'email']) }}
            else {{ dbt.concat(["'record:'", 'source', "':'", 'source_record_id']) }}
        end as match_key,
        lead_records.*
    from lead_records
)

select
    {{ short_hash('match_key') }} as lead_id,
    lead_record_match_keys.*
from lead_record_match_keys
