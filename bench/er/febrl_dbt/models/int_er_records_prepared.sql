{# FEBRL records in the shape the entity-resolution models compare (see dbt_project.yml vars). #}
with records as (
    select * from {{ source('bench', 'records') }}
),

lowered as (
    select
        cast(record_id as varchar) as record_key,
        nullif(trim(lower(given_name)), '') as first_name_std,
        nullif(trim(lower(surname)), '') as last_name_std,
        nullif(trim(cast(date_of_birth as varchar)), '') as date_of_birth,
        nullif(trim(cast(soc_sec_id as varchar)), '') as soc_sec_id,
        nullif(trim(cast(street_number as varchar)), '') as street_number,
        nullif(trim(lower(address_1)), '') as address_1,
        nullif(trim(lower(suburb)), '') as suburb,
        nullif(trim(cast(postcode as varchar)), '') as postcode,
        nullif(trim(lower(state)), '') as state
    from records
)

select
    {{ er_hash64('record_key') }} as record_id,
    *,
    cast(null as timestamp) as first_seen_at,
    case when first_name_std is not null and last_name_std is not null then
        case when first_name_std < last_name_std then first_name_std || '|' || last_name_std
        else last_name_std || '|' || first_name_std end
    end as name_pair_key,
    {{ er_hash64("concat_ws('|', first_name_std, last_name_std, date_of_birth, soc_sec_id, street_number, address_1, suburb, postcode, state)") }}
        as record_fingerprint
from lowered
