"""Ingestion: one asset per source config, each with its blocking reconciliation check, and the
physical raw tables they append to (``assets.py``)."""
