"""Real public data nobody here wrote loads through source configs alone (config/public_datasets/), with
every row accounted for. The files are read in place through symlinks, never copied."""

import json
from pathlib import Path

import duckdb
import pytest

from ingest.config import load_source_configs
from ingest.pipeline import Ingestor
from leadhouse.settings import PROJECT_ROOT

pytestmark = pytest.mark.realdata

FILES = {
    "x_education": "x_education/Leads.csv",
    "olist_mqls": "olist_funnel/olist_marketing_qualified_leads_dataset.csv",
    "olist_closed_deals": "olist_funnel/olist_closed_deals_dataset.csv",
}
ROWS = {"x_education": 9240, "olist_mqls": 8000, "olist_closed_deals": 842}


@pytest.fixture
def loaded(tmp_path: Path, shared_datasets: Path):
    landing = tmp_path / "landing"
    for source, relative in FILES.items():
        (landing / source).mkdir(parents=True)
        (landing / source / Path(relative).name).symlink_to(shared_datasets / relative)
    configs = load_source_configs(PROJECT_ROOT / "config" / "public_datasets")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        ingestor = Ingestor(conn, landing)
        reports = {config.name: ingestor.ingest(config) for config in configs}
        yield conn, reports


def test_row_counts_reconcile(loaded):
    conn, reports = loaded
    for source, expected in ROWS.items():
        report = reports[source]
        assert report.total("rows_read") == expected, source
        assert report.total("rows_read") == report.total("rows_loaded") + report.total("rows_quarantined")
    ledger = conn.execute(
        "select source, rows_read, rows_loaded, rows_quarantined from raw.ingest_ledger order by 1"
    ).fetchall()
    assert {r[0]: r[1] for r in ledger} == ROWS
    in_tables = dict(
        conn.execute(
            "select source, count(*) from (select source from raw.lead_records union all "
            "select source from raw.status_changes union all select source from raw.quarantine) group by 1"
        ).fetchall()
    )
    assert in_tables == ROWS


def test_values_survive_the_mapping(loaded):
    conn, _ = loaded
    # X Education: "Select" is the form's unanswered default, mapped to null; unmapped columns,
    # including the outcome, stay in attributes.
    converted = conn.execute(
        "select count(*) filter (where json_extract_string(attributes, '$.Converted') = '1') from raw.lead_records "
        "where source = 'x_education'"
    ).fetchone()[0]
    assert converted == 3561  # 38.5 % of 9,240, as the dataset's README says
    assert (
        conn.execute(
            "select count(*) from raw.lead_records "
            "where source = 'x_education' and (city = 'Select' or job_title = 'Select')"
        ).fetchone()[0]
        == 0
    )
    assert (
        conn.execute(
            "select count(*) from raw.lead_records where source = 'x_education' and do_not_email"
        ).fetchone()[0]
        > 0
    )
    # Olist: every closed deal is a Closed Won change of an MQL that was loaded.
    won = conn.execute(
        """
        select count(*), count(m.source_record_id)
        from raw.status_changes s
        left join raw.lead_records m on m.source = s.lead_record_source and m.source_record_id = s.lead_record_id
        where s.source = 'olist_closed_deals' and s.status = 'Closed Won'
        """
    ).fetchone()
    assert won == (842, 842)
    first, last = conn.execute(
        "select min(created_at), max(created_at) from raw.lead_records where source = 'olist_mqls'"
    ).fetchone()
    assert (first.year, last.year) == (2017, 2018)


def test_quarantined_rows_say_why(loaded):
    conn, _ = loaded
    for source, row_number, reasons in conn.execute(
        "select source, row_number, reasons from raw.quarantine"
    ).fetchall():
        assert source in ROWS and row_number > 0 and json.loads(reasons)
