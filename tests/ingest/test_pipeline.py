"""The ingestion's guarantees, on real DuckDB files in temporary folders."""

import json
from pathlib import Path

import duckdb
import pytest

from ingest.config import SourceConfig
from ingest.pipeline import Ingestor

WEB_FORMS = SourceConfig(
    name="web_forms",
    entity="lead",
    format="csv",
    columns={
        "source_record_id": "ID",
        "email": "Email",
        "phone": "Phone",
        "last_name": "Last",
        "created_at": "At",
    },
    date_formats={"created_at": ["%m/%d/%Y"]},
)
HEADER = "ID,Email,Phone,Last,At,Note\n"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    (tmp_path / "landing" / "web_forms").mkdir(parents=True)
    return tmp_path / "landing"


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        yield connection


def write(landing: Path, name: str, content: str | bytes) -> Path:
    path = landing / "web_forms" / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def counts(conn) -> tuple[int, int]:
    return (
        conn.execute("select count(*) from raw.lead_records").fetchone()[0],
        conn.execute("select count(*) from raw.quarantine").fetchone()[0],
    )


def field_issues(conn) -> list[tuple]:
    return conn.execute(
        "select row_number, column_name, native_column, raw_value, reason, action from raw.field_issues order by 1, 2"
    ).fetchall()


def test_bad_values_keep_their_row_and_only_rows_that_are_no_record_are_quarantined(landing, conn):
    write(
        landing,
        "a.csv",
        HEADER
        + "1,a@b.co,(212) 555-0143,Doe,03/04/2025,ok\n"
        + "2,not-an-email,12345,Roe,31/31/2025,bad values\n"
        + "3,,,,03/04/2025,no contact\n"
        + "4,c@d.co,,Poe,03/05/2025,fine\n"
        + "6,not-an-email,12345,,03/05/2025,nothing usable\n"
        + "5,e@f.co,\n",
    )  # truncated last line
    report = Ingestor(conn, landing).ingest(WEB_FORMS)
    (file,) = report.files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined, file.field_issues) == (6, 3, 3, 3)
    assert counts(conn) == (3, 3)
    quarantined = {
        row: json.loads(reasons)
        for row, reasons in conn.execute("select row_number, reasons from raw.quarantine").fetchall()
    }
    assert quarantined == {
        3: ["needs at least one of: email, phone, last_name"],
        6: ["row has 3 fields, the header has 6 (truncated line or stray delimiter)"],
        5: [
            "phone: '12345' is not a possible phone number (region US): too short, too long or no number",
            "email: 'not-an-email' is not a valid email address",
            "needs at least one of: email, phone, last_name",
        ],
    }
    # Row 2 keeps its lead: the last name identifies it; the bad values are nulled and recorded.
    assert conn.execute(
        "select email, phone, last_name, created_at, attributes from raw.lead_records where source_record_id = '2'"
    ).fetchall() == [(None, None, "Roe", None, '{"Note":"bad values"}')]
    assert field_issues(conn) == [
        (2, "created_at", "At", "31/31/2025", "matches none of the formats ['%m/%d/%Y']", "nulled"),
        (2, "email", "Email", "not-an-email", "is not a valid email address", "nulled"),
        (
            2,
            "phone",
            "Phone",
            "12345",
            "is not a possible phone number (region US): too short, too long or no number",
            "nulled",
        ),
    ]
    raw = conn.execute("select raw_row, file from raw.quarantine where row_number = 5").fetchone()
    assert json.loads(raw[0])["Email"] == "not-an-email" and raw[1] == "web_forms/a.csv"
    loaded = conn.execute(
        "select source_record_id, attributes, _file, _row_number from raw.lead_records order by 1"
    ).fetchall()
    assert loaded[0] == ("1", '{"Note":"ok"}', "web_forms/a.csv", 1)
    assert [r[0] for r in loaded] == ["1", "2", "4"]
    ledger = conn.execute(
        "select status, rows_read, rows_loaded, rows_quarantined, field_issues from raw.ingest_ledger"
    ).fetchall()
    assert ledger == [("loaded", 6, 3, 3, 3)]


def test_strict_columns_and_required_columns_quarantine_the_row(landing, conn):
    write(landing, "a.csv", HEADER + "1,not-an-email,,Doe,03/04/2025,x\n2,ok@b.co,,Roe,03/04/2025,y\n")
    report = Ingestor(conn, landing).ingest(WEB_FORMS.model_copy(update={"strict": ["email"]}))
    (file,) = report.files
    assert (file.rows_loaded, file.rows_quarantined, file.field_issues) == (1, 1, 0)
    assert json.loads(conn.execute("select reasons from raw.quarantine").fetchone()[0]) == [
        "email: 'not-an-email' is not a valid email address"
    ]


def test_a_file_is_ingested_once_and_a_changed_file_is_a_new_version(landing, conn):
    path = write(landing, "a.csv", HEADER + "1,a@b.co,,Doe,03/04/2025,x\n")
    ingestor = Ingestor(conn, landing)
    ingestor.ingest(WEB_FORMS)
    again = ingestor.ingest(WEB_FORMS)
    assert [f.status for f in again.files] == ["skipped"]
    assert counts(conn) == (1, 0)

    path.write_text(HEADER + "1,a@b.co,,Doe-Smith,03/04/2025,x\n2,b@b.co,,Lee,03/04/2025,y\n")
    changed = ingestor.ingest(WEB_FORMS)
    assert [(f.status, f.file_version, f.rows_loaded) for f in changed.files] == [("loaded", 2, 2)]
    versions = conn.execute(
        "select source_record_id, last_name, _file_version from raw.lead_records order by 3, 1"
    ).fetchall()
    assert versions == [("1", "Doe", 1), ("1", "Doe-Smith", 2), ("2", "Lee", 2)]
    # A fresh connection (a later run) still knows what was ingested.
    assert [f.status for f in Ingestor(conn, landing).ingest(WEB_FORMS).files] == ["skipped"]


def test_malformed_files_are_reported_and_the_run_goes_on(landing, conn):
    write(landing, "1_empty.csv", "")
    write(landing, "2_header_only.csv", HEADER)
    write(
        landing,
        "3_drifted.csv",
        "ID,E-mail,Phone,Last,At\n1,a@b.co,,Doe,03/04/2025\n2,b@b.co,,Lee,03/04/2025\n",
    )
    write(
        landing,
        "4_latin1.csv",
        (HEADER + "1,a@b.co,,Müller,03/04/2025,x\n2,b@b.co,,Lee,03/04/2025,y\n").encode("latin-1"),
    )
    write(landing, "5_good.csv", HEADER + "9,z@z.co,,Zed,03/04/2025,\n")
    report = Ingestor(conn, landing).ingest(WEB_FORMS)
    by_file = {Path(f.file).name: f for f in report.files}
    assert by_file["1_empty.csv"].status == "empty"
    assert by_file["2_header_only.csv"].status == "empty"
    drifted = by_file["3_drifted.csv"]
    assert (drifted.status, drifted.rows_read, drifted.rows_quarantined) == ("rejected", 2, 2)
    assert "no column(s) 'Email'" in drifted.message and "ID, E-mail, Phone, Last, At" in drifted.message
    latin = by_file["4_latin1.csv"]
    # The undecodable name is nulled and recorded; the lead (it has an email) is kept.
    assert (latin.rows_loaded, latin.rows_quarantined, latin.field_issues) == (2, 0, 1)
    assert field_issues(conn) == [
        (
            1,
            "last_name",
            "Last",
            "M\\xfcller",
            "bytes 0xfc are not valid utf-8; set csv.encoding in the source config if the "
            "file uses another encoding",
            "nulled",
        )
    ]
    assert by_file["5_good.csv"].rows_loaded == 1
    assert all(f.reconciles for f in report.files)
    assert counts(conn) == (3, 2)


def test_declared_encoding_reads_the_file(landing, conn):
    write(landing, "latin1.csv", (HEADER + "1,a@b.co,,Müller,03/04/2025,x\n").encode("latin-1"))
    config = WEB_FORMS.model_copy(update={"csv": WEB_FORMS.csv.model_copy(update={"encoding": "latin-1"})})
    Ingestor(conn, landing).ingest(config)
    assert conn.execute("select last_name from raw.lead_records").fetchall() == [("Müller",)]


def test_jsonl_nested_objects_and_bad_lines(tmp_path, conn):
    (tmp_path / "landing" / "chat").mkdir(parents=True)
    lines = [
        {"id": "c1", "visitor": {"name": "Ann Lee", "email": "ANN@lee.io"}, "tags": ["a"]},
        "{broken",
        {"id": "c2", "visitor": {"name": "Bo"}},
    ]
    (tmp_path / "landing" / "chat" / "c.jsonl").write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    )
    config = SourceConfig(
        name="chat",
        entity="lead",
        format="jsonl",
        split_name={"column": "visitor.name"},
        columns={"source_record_id": "id", "email": "visitor.email"},
    )
    report = Ingestor(conn, tmp_path / "landing").ingest(config)
    (file,) = report.files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (3, 1, 2)
    assert conn.execute(
        "select first_name, last_name, email, attributes from raw.lead_records"
    ).fetchall() == [("Ann", "Lee", "ann@lee.io", '{"tags":"[\\"a\\"]"}')]
    reasons = dict(conn.execute("select row_number, reasons from raw.quarantine").fetchall())
    assert json.loads(reasons[2]) == [
        "line is not valid JSON: Expecting property name enclosed in double quotes at column 2"
    ]
    assert json.loads(reasons[3]) == ["needs at least one of: email, phone, last_name"]


def test_rows_of_a_file_whose_ingestion_was_killed_are_removed_and_the_file_ingested_again(landing, conn):
    write(
        landing, "a.csv", HEADER + "1,a@b.co,,Doe,03/04/2025,x\n2,,,,03/04/2025,y\n3,bad,,Poe,03/04/2025,z\n"
    )
    Ingestor(conn, landing).ingest(WEB_FORMS)
    # As if the process died after the file's chunks were committed, before its ledger entry.
    conn.execute("delete from raw.ingest_ledger")
    assert counts(conn) == (2, 1)

    report = Ingestor(conn, landing).ingest(WEB_FORMS)
    assert report.unfinished_rows_removed == 2 + 1 + 1  # two rows, one quarantined, one field issue
    assert [(f.status, f.rows_loaded, f.rows_quarantined, f.field_issues) for f in report.files] == [
        ("loaded", 2, 1, 1)
    ]
    assert counts(conn) == (2, 1)
    assert conn.execute("select count(*) from raw.field_issues").fetchone()[0] == 1


def test_a_file_rewritten_while_it_is_read_is_deferred_with_nothing_kept(landing, conn, monkeypatch):
    import ingest.pipeline as pipeline

    path = write(landing, "a.csv", HEADER + "1,a@b.co,,Doe,03/04/2025,x\n2,c@d.co,,Poe,03/04/2025,y\n")
    real_read = pipeline.read_file

    def read_then_rewrite(file, config, *args):
        yield from real_read(file, config, *args)
        path.write_text(HEADER + "1,a@b.co,,Doe,03/04/2025,x\n")  # an export rewriting the file

    monkeypatch.setattr(pipeline, "read_file", read_then_rewrite)
    report = Ingestor(conn, landing).ingest(WEB_FORMS)
    assert [(f.status, f.message) for f in report.files] == [
        ("deferred", "it changed while it was being read; it is ingested by a later run")
    ]
    assert counts(conn) == (0, 0)
    assert conn.execute("select count(*) from raw.ingest_ledger").fetchone()[0] == 0

    monkeypatch.setattr(pipeline, "read_file", real_read)
    report = Ingestor(conn, landing).ingest(WEB_FORMS)
    assert [(f.status, f.rows_loaded) for f in report.files] == [("loaded", 1)]
    assert counts(conn) == (1, 0)


def test_a_file_of_many_chunks_is_written_in_whole_row_groups(tmp_path, landing, monkeypatch):
    """Each chunk's append ends on a row group boundary (the rest waits for the next chunk), so a
    file leaves one part-filled row group, not one per chunk, and nothing for a later checkpoint
    to compact. The database's row groups are made small (2,048 rows) to see it on a small file."""
    import ingest.pipeline as pipeline

    rows = 9_000
    write(landing, "a.csv", HEADER + "".join(f"{i},p{i}@b.co,,Doe,03/04/2025,x\n" for i in range(rows)))
    real_read = pipeline.read_file
    chunk_rows: list[int] = []

    def small_chunks(file, config, *args):
        for chunk in real_read(file, config, 20_000):  # about 650 rows a chunk
            chunk_rows.append(chunk.rows.height)
            yield chunk

    monkeypatch.setattr(pipeline, "read_file", small_chunks)
    monkeypatch.setattr(pipeline, "ROW_GROUP_ROWS", 2_048)
    with duckdb.connect() as conn:
        conn.execute(f"attach '{tmp_path / 'w.duckdb'}' as w (row_group_size 2048)")
        conn.execute("use w")
        report = Ingestor(conn, landing).ingest(WEB_FORMS)
        assert len(chunk_rows) > 10 and sum(chunk_rows) == rows
        assert [(f.status, f.rows_read, f.rows_loaded, f.rows_quarantined) for f in report.files] == [
            ("loaded", rows, rows, 0)
        ]
        conn.execute("checkpoint w")
        groups = conn.execute(
            "select row_group_id, sum(count) from pragma_storage_info('raw.lead_records') "
            "where column_id = 0 and segment_type <> 'VALIDITY' group by all order by 1"
        ).fetchall()
        assert [size for _, size in groups] == [2_048] * 4 + [rows - 4 * 2_048]
        assert conn.execute(
            "select count(distinct _row_number), min(_row_number), max(_row_number), "
            "count(distinct source_record_id) from raw.lead_records"
        ).fetchone() == (rows, 1, rows, rows)
