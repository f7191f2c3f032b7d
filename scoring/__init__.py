"""Lead scoring: rules as data (config/scoring.yml), validated for the dbt models that score."""
