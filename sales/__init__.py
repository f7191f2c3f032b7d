"""Sales: routing leads to agents, follow-up queues, nurture tracks and the work queue, from rules as
data (config/sales.yml), validated for the dbt models that build them (models/*/sales/)."""
