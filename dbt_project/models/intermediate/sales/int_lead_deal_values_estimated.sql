{#
    Each lead's expected value for the work queue: probability x expected deal size.
    Probability: the conversion rate of the lead's grade among closed leads (won / closed), when
    the grade has work_queue.min_closed_leads_per_grade closed leads; else the rule score / 100.
    Deal size: the lead's budget, else the mean won amount over won leads.
#}
{%- set work_queue = var('sales').work_queue -%}

with

leads as (
    select *
    from {{ ref('int_sales_leads_joined') }}
),

grade_outcomes as (
    select
        grade,
        count(*) as closed_lead_count,
        count(case when is_won then lead_id end) as won_lead_count
    from leads
    where is_closed
        and grade is not null
    group by grade
),

won_amounts as (
    select avg(won_amount) as mean_won_amount
    from leads
    where is_won
        and won_amount is not null
),

estimated as (
    select
        leads.lead_id,
        leads.grade,
        leads.score,
        case
            when grade_outcomes.closed_lead_count >= {{ work_queue.min_closed_leads_per_grade }}
                then cast(grade_outcomes.won_lead_count as double) / grade_outcomes.closed_lead_count
            else leads.score / 100.0
        end as probability,
        case
            when grade_outcomes.closed_lead_count >= {{ work_queue.min_closed_leads_per_grade }}
                then 'grade_conversion'
            when leads.score is not null then 'score'
        end as probability_source,
        coalesce(leads.budget, won_amounts.mean_won_amount) as expected_deal_size,
        case
            when leads.budget is not null then 'budget'
            when won_amounts.mean_won_amount is not null then 'mean_won_amount'
        end as deal_size_source
    from leads
    left join grade_outcomes
        on leads.grade = grade_outcomes.grade
    cross join won_amounts
)

select
    lead_id,
    grade,
    score,
    cast(probability as double) as probability,
    probability_source,
    cast(expected_deal_size as double) as expected_deal_size,
    deal_size_source,
    cast(probability * expected_deal_size as double) as expected_value
from estimated
