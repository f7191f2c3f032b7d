"""Analytics: funnels, cohorts, pipeline and forecast, attribution, campaign A/B tests and contact
attempts, from settings as data (config/analytics.yml), validated for the dbt marts that compute
them (models/marts/funnel/, marts/marketing/, the pipeline and agent marts of marts/sales/)."""
