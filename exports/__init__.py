"""Reverse ETL: delivering warehouse rows to the tools that act on them (CRMs, ad platforms,
files under ``<LEADHOUSE_DATA_DIR>/exports/``), in plain Python (never Dagster; orchestration/
wires it into assets). Export mappings will be configuration, validated on load like sources.
"""
