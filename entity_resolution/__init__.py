"""Entity resolution: the parts where SQL is the wrong tool (graph clustering with a chaining guard,
stable lead ids across runs). Blocking, comparisons, weight estimation and scoring are dbt models
(dbt_project/models/intermediate/entity_resolution/); dbt Python models call into this package."""
