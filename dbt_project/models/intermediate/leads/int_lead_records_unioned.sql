{{ config(materialized='view') }}

{{ union_staged_records('lead', [
    ref('stg_web_forms__leads'),
    ref('stg_ad_leads__leads'),
    ref('stg_referrals__leads'),
    ref('stg_call_center__leads'),
    ref('stg_events__leads'),
    ref('stg_chat__leads'),
    ref('stg_walk_ins__leads'),
    ref('stg_crm_export__leads'),
    ref('stg_crm_database_leads__leads'),
    ref('stg_other_sources__leads'),
]) }}
