"""The warehouse: the dbt project as assets (dbt tests as asset checks) and the published
read-only copy for BI tools (``assets.py``)."""
