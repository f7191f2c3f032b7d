{#
    Companies (accounts) as of as_of, one row per company domain: the business email domain of
    their leads (marts.lead_enrichment.company_domain; leads with a free or no email domain belong
    to no company here). The leads rolled up: how many, how many open and won, the open pipeline
    (marts.fct_open_pipeline), the won revenue, and the most engaged contact: the lead with the
    most actions of its own (inbound activities, and activities without a direction such as page
    views and webinars), ties to the earliest lead id. docs/funnels.md.
#}

with

company_leads as (
    select
        enrichment.company_domain,
        enrichment.company,
        enrichment.industry,
        funnel_leads.lead_id,
        funnel_leads.created_at,
        funnel_leads.won_at,
        funnel_leads.won_amount,
        pipeline.lead_id is not null as is_open,
        pipeline.amount as open_amount,
        pipeline.weighted_amount as open_weighted_amount
    from {{ ref('lead_enrichment') }} as enrichment
    inner join {{ ref('int_funnel_leads') }} as funnel_leads
        on enrichment.lead_id = funnel_leads.lead_id
    left join {{ ref('fct_open_pipeline') }} as pipeline
        on enrichment.lead_id = pipeline.lead_id
    where enrichment.company_domain is not null
),

lead_actions as (
    select
        activities.lead_id,
        count(*) as action_count,
        max(activities.occurred_at) as last_action_at
    from {{ ref('fct_lead_activities') }} as activities
    inner join company_leads
        on activities.lead_id = company_leads.lead_id
    where activities.occurred_at <= {{ as_of() }}
        and (activities.direction is null or activities.direction = 'inbound')
    group by activities.lead_id
),

ranked_contacts as (
    select
        company_leads.company_domain,
        company_leads.lead_id,
        coalesce(lead_actions.action_count, 0) as action_count,
        row_number() over (
            partition by company_leads.company_domain
            order by coalesce(lead_actions.action_count, 0) desc, company_leads.lead_id
        ) as engagement_rank
    from company_leads
    left join lead_actions
        on company_leads.lead_id = lead_actions.lead_id
),

company_names as (
    select
        company_domain,
        company,
        row_number() over (partition by company_domain order by count(*) desc, company) as name_rank
    from company_leads
    where company is not null
    group by company_domain, company
),

company_industries as (
    select
        company_domain,
        industry,
        row_number() over (partition by company_domain order by count(*) desc, industry) as industry_rank
    from company_leads
    where industry is not null
    group by company_domain, industry
),

rolled_up as (
    select
        company_leads.company_domain,
        count(*) as lead_count,
        count(case when company_leads.is_open then 1 end) as open_lead_count,
        count(company_leads.won_at) as won_lead_count,
        sum(company_leads.open_amount) as open_pipeline,
        sum(company_leads.open_weighted_amount) as weighted_open_pipeline,
        sum(company_leads.won_amount) as won_revenue,
        min(company_leads.created_at) as first_seen_at,
        max(lead_actions.last_action_at) as last_action_at
    from company_leads
    left join lead_actions
        on company_leads.lead_id = lead_actions.lead_id
    group by company_leads.company_domain
)

select
    rolled_up.company_domain,
    company_names.company as company_name,
    company_industries.industry,
    cast(rolled_up.lead_count as bigint) as lead_count,
    cast(rolled_up.open_lead_count as bigint) as open_lead_count,
    cast(rolled_up.won_lead_count as bigint) as won_lead_count,
    cast(coalesce(rolled_up.open_pipeline, 0) as double) as open_pipeline,
    cast(coalesce(rolled_up.weighted_open_pipeline, 0) as double) as weighted_open_pipeline,
    cast(coalesce(rolled_up.won_revenue, 0) as double) as won_revenue,
    rolled_up.first_seen_at,
    rolled_up.last_action_at,
    ranked_contacts.lead_id as most_engaged_lead_id,
    cast(ranked_contacts.action_count as bigint) as most_engaged_lead_actions,
    {{ as_of() }} as as_of
from rolled_up
left join company_names
    on rolled_up.company_domain = company_names.company_domain
    and company_names.name_rank = 1
left join company_industries
    on rolled_up.company_domain = company_industries.company_domain
    and company_industries.industry_rank = 1
inner join ranked_contacts
    on rolled_up.company_domain = ranked_contacts.company_domain
    and ranked_contacts.engagement_rank = 1
