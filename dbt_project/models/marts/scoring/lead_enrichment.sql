{#
    One row per lead of dim_leads: the fields scoring and routing read, with what enrichment
    derived before scoring (capture -> dedupe -> enrich -> score -> assign) and, for each derived
    field, where it came from. Reference data: seeds/enrichment/ (free-mail providers, job-title
    patterns, US ZIP prefixes, area codes from phonenumbers).
#}

with

leads as (
    select
        *,
        nullif(lower({{ dbt.split_part('email', "'@'", 2) }}), '') as email_domain
    from {{ ref('dim_leads') }}
),

-- The patterns are matched once per distinct title (a few thousand), not once per lead.
titles as (
    select
        job_title,
        -- Title words between spaces, punctuation as spaces, so ' vp ' matches "VP, Sales".
        {{ dbt.concat(["' '", "translate(lower(job_title), ',.-/&()', '       ')", "' '"]) }} as title_words
    from leads
    where job_title is not null
    group by job_title
),

free_email_domains as (
    select lower(domain) as domain
    from {{ ref('free_email_domains') }}
),

seniority_matches as (
    {{ title_pattern_matches('titles', ref('job_title_seniority'), 'seniority') }}
),

function_matches as (
    {{ title_pattern_matches('titles', ref('job_title_functions'), 'job_function') }}
),

-- Region where the records give none: a US ZIP code's first three digits, else the area code.
missing_regions as (
    select
        lead_id,
        case
            when (country is null or upper(country) in ('US', 'USA', 'UNITED STATES'))
                and length(postal_code) >= 5
                then try_cast(substring(postal_code, 1, 3) as integer)
        end as zip3,
        case when phone like '+1%' then substring(phone, 3, 3) end as area_code
    from leads
    where region is null
),

derived_regions as (
    select
        missing_regions.lead_id,
        coalesce(zip_regions.region, area_code_regions.region) as region,
        case
            when zip_regions.region is not null then 'postal_code'
            when area_code_regions.region is not null then 'phone_area_code'
        end as region_source
    from missing_regions
    left join {{ ref('us_zip3_regions') }} as zip_regions
        on missing_regions.zip3 between zip_regions.zip3_from and zip_regions.zip3_to
    left join {{ ref('nanp_area_code_regions') }} as area_code_regions
        on missing_regions.area_code = cast(area_code_regions.area_code as {{ dbt.type_string() }})
),

classified as (
    select
        leads.*,
        case
            when leads.email_domain is null then null
            when free_email_domains.domain is not null then 'personal'
            when {{ dbt.right('leads.email_domain', 4) }} = '.edu' then 'education'
            when {{ dbt.right('leads.email_domain', 4) }} in ('.gov', '.mil') then 'government'
            else 'business'
        end as email_type
    from leads
    left join free_email_domains
        on leads.email_domain = free_email_domains.domain
)

select
    classified.lead_id,
    classified.email,
    classified.email_domain,
    classified.email_type,
    case when classified.email_type <> 'personal' then classified.email_domain end as company_domain,
    case when classified.email_type <> 'personal' then 'email_domain' end as company_domain_source,
    classified.company,
    classified.job_title,
    seniority_matches.seniority,
    seniority_matches.matched_words as seniority_matched_words,
    function_matches.job_function,
    function_matches.matched_words as job_function_matched_words,
    classified.industry,
    classified.company_size,
    case
        when classified.company_size is null then null
        when classified.company_size < 10 then '1-9'
        when classified.company_size < 50 then '10-49'
        when classified.company_size < 200 then '50-199'
        when classified.company_size < 1000 then '200-999'
        else '1000+'
    end as company_size_band,
    classified.annual_revenue,
    case
        when classified.annual_revenue is null then null
        when classified.annual_revenue < 1000000 then 'under $1M'
        when classified.annual_revenue < 10000000 then '$1M-$10M'
        when classified.annual_revenue < 100000000 then '$10M-$100M'
        when classified.annual_revenue < 1000000000 then '$100M-$1B'
        else '$1B+'
    end as revenue_band,
    classified.budget,
    classified.timeline,
    classified.purchase_timeline,
    classified.budget_confirmed,
    classified.is_decision_maker,
    classified.pain_points,
    classified.product_interest,
    classified.city,
    coalesce(classified.region, derived_regions.region) as region,
    case
        when classified.region is not null then 'record'
        else derived_regions.region_source
    end as region_source,
    classified.country,
    classified.postal_code,
    classified.phone,
    classified.first_channel,
    classified.first_campaign,
    classified.current_status,
    classified.source_count,
    classified.source_record_count,
    classified.do_not_email,
    classified.do_not_call
from classified
left join seniority_matches
    on classified.job_title = seniority_matches.job_title
    and seniority_matches.match_rank = 1
left join function_matches
    on classified.job_title = function_matches.job_title
    and function_matches.match_rank = 1
left join derived_regions
    on classified.lead_id = derived_regions.lead_id
