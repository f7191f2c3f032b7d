{#
    Attribution: per model and won lead, the credits sum to the won amount exactly (cents), and
    every model credits every won lead: the rows returned are the (model, lead) pairs that do not.
#}
{% test credits_sum_to_won_amount(model) %}
with credited as (
    select attribution_model, lead_id, max(won_amount) as won_amount, sum(credit) as credit_total
    from {{ model }}
    group by attribution_model, lead_id
),

lead_models as (
    select lead_id, count(distinct attribution_model) as model_count
    from {{ model }}
    group by lead_id
)

select credited.attribution_model, credited.lead_id, credited.won_amount, credited.credit_total
from credited
inner join lead_models
    on credited.lead_id = lead_models.lead_id
where credited.credit_total <> credited.won_amount
    or lead_models.model_count <> 4
{% endtest %}
