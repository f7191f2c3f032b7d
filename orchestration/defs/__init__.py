"""One folder per capability: ``ingest/``, ``warehouse`` (the dbt assets and the published copy),
``operations/`` (the job, schedule and sensor that run them); each new capability adds its own."""
