"""Operating the warehouse without Dagster: retention cleanup with its audit trail, run failures
recorded in the warehouse, alerts."""
