"""A corpus of hostile inputs: every case is a small file made here, ingested into a real DuckDB
file, and its outcome asserted by value (rows loaded, field issues, quarantine reasons, ledger).

After every case: no crash, rows read = loaded + quarantined for every file version, and
``ingest.reconcile`` passes. The folder tests put many hostile files in one landing folder with a
good one last: one file's problems never stop the others.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from pydantic import ValidationError

from ingest.config import SourceConfig
from ingest.normalize import DEFAULT_DATETIME_FORMATS
from ingest.pipeline import Ingestor
from ingest.reconcile import reconcile

# ---------------------------------------------------------------- sources

LEADS = SourceConfig(
    name="forms",
    entity="lead",
    format="csv",
    columns={
        "source_record_id": "ID",
        "first_name": "First",
        "last_name": "Last",
        "email": "Email",
        "phone": "Phone",
        "company": "Company",
        "job_title": "Title",
        "budget": "Budget",
        "company_size": "Size",
        "created_at": "At",
    },
)
HEADER = ["ID", "First", "Last", "Email", "Phone", "Company", "Title", "Budget", "Size", "At", "Note"]
HEAD = ",".join(HEADER) + "\n"
FIELDS = ("id", "first", "last", "email", "phone", "company", "title", "budget", "size", "at", "note")
LATIN1 = LEADS.model_copy(update={"csv": LEADS.csv.model_copy(update={"encoding": "latin-1"})})
NO_IDS = LEADS.model_copy(
    update={"columns": {k: v for k, v in LEADS.columns.items() if k != "source_record_id"}}
)
NULL_WORDS = LEADS.model_copy(update={"null_values": ["", "NULL", "null", "N/A", "n/a", "none", "-"]})
SEMICOLONS = LEADS.model_copy(update={"csv": LEADS.csv.model_copy(update={"delimiter": ";"})})

CHAT = SourceConfig(
    name="chat",
    entity="lead",
    format="jsonl",
    columns={"source_record_id": "id", "email": "visitor.email", "last_name": "visitor.last"},
)

EVENTS = SourceConfig(
    name="web_events",
    entity="activity",
    format="csv",
    defaults={"lead_record_source": "forms"},
    columns={
        "source_record_id": "event_id",
        "lead_record_id": "lead",
        "activity_type": "type",
        "occurred_at": "at",
        "duration_seconds": "secs",
        "detail": "page",
    },
)
EVENT_HEAD = "event_id,lead,type,at,secs,page\n"
EVENT_COLUMNS = (
    "_row_number, source_record_id, lead_record_source, lead_record_id, activity_type, "
    "occurred_at, duration_seconds"
)

# ---------------------------------------------------------------- reasons, as the warehouse records them


def not_utf8(byte: str) -> str:
    return f"bytes {byte} are not valid utf-8; set csv.encoding in the source config if the file uses another encoding"


def fields(n: int, header: int = len(HEADER)) -> str:
    return f"row has {n} fields, the header has {header} (truncated line or stray delimiter)"


DATES = f"matches none of the formats {list(DEFAULT_DATETIME_FORMATS)}"
FUTURE = "is in the future (after the ingestion); kept as written"
BEFORE_1900 = "is before 1900; kept as written"
NOT_EMAIL = "is not a valid email address"
PHONE_UNUSABLE = "is not a possible phone number (region US): too short, too long or no number"
PHONE_POSSIBLE = (
    "is not a valid number in any numbering plan (region US); kept as E.164 with phone_is_valid false"
)
FORMULA = "looks like a spreadsheet formula"
NOT_NUMBER = "is not a number"
NOT_WHOLE = "is not a whole number (or is out of range)"
NEGATIVE = "must not be negative"
TOO_LARGE = "is implausibly large (over 1e+12)"
TOO_LONG = "is longer than 10000 characters"
CONTROL = "held control characters; they were removed"
DERIVED = "is missing; an id was derived from the row's content"
NO_CONTACT = "needs at least one of: email, phone, last_name"
TOO_DEEP = "line nests objects or arrays too deeply to read"
MISSING = "required value is missing"
ACTIVITY_TYPES = (
    "is not one of: email_open, email_click, page_view, property_view, form_submission, "
    "call, meeting, demo, chat, content_download, webinar, demo_request, pricing_page_view, "
    "social_engagement, search, email, sms"
)
RESERVED_COLUMN = (
    "the header has a column named '_row_number' (the ingestion's row number); rename it in the export"
)
RESERVED_KEY = "the line has a key named '_row_number' (the ingestion's row number); rename it in the export"
UNPAIRED = "is an unpaired UTF-16 surrogate escape, not a character"


def missing_columns(missing: list[str], header: str) -> str:
    return (
        f"the file has no column(s) {', '.join(repr(m) for m in missing)} that the source config maps; "
        f"its header is: {header}. Fix the config's `columns` or the export."
    )


# ---------------------------------------------------------------- files

BIG = "x" * 10_000_000  # a 10 MB field
SOON = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0, tzinfo=None)
SOON_TEXT = SOON.strftime("%Y-%m-%dT%H:%M:%SZ")


def lead(
    id: str = "1", first: str = "Ann", last: str = "Lee", email: str = "ann@x.co", **rest: str
) -> list[str]:
    values = {"id": id, "first": first, "last": last, "email": email} | rest
    return [values.get(f, "") for f in FIELDS]


def bo(**rest: str) -> list[str]:
    return lead(**({"id": "2", "first": "Bo", "last": "Ray", "email": "bo@x.co"} | rest))


def line(values: list[str]) -> str:
    """One CSV line exactly as given (no quoting): for rows that must stay malformed."""
    return ",".join(values) + "\n"


def csv_text(*rows: list[str], header: list[str] = HEADER, newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def jsonl(*lines: object) -> str:
    return "".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines)


def write(landing: Path, source: str, name: str, content: str | bytes, settled: bool = True) -> Path:
    """A landing file; ``settled`` files were last changed an hour ago (not being written)."""
    path = landing / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    if settled:
        an_hour_ago = time.time() - 3600
        os.utime(path, (an_hour_ago, an_hour_ago))
    return path


# ---------------------------------------------------------------- the warehouse, read back


def ingest(conn: duckdb.DuckDBPyConnection, landing: Path, config: SourceConfig):
    """Ingest and check what must hold after any input: every row accounted for, reconciled."""
    report = Ingestor(conn, landing).ingest(config)
    for file in report.files:
        assert file.reconciles, file
    ledger_rows = conn.execute(
        "select file, rows_read, rows_loaded, rows_quarantined from raw.ingest_ledger where source = ?",
        [config.name],
    ).fetchall()
    for file, read, loaded, quarantined in ledger_rows:
        assert read == loaded + quarantined, file
    check = reconcile(conn, config.name, config.schema)
    assert check.passed, (check.count_mismatches, check.issue_mismatches, check.orphans)
    return report


def ledger(conn, source: str) -> list[tuple]:
    return conn.execute(
        "select file, status, rows_read, rows_loaded, rows_quarantined, field_issues, message "
        "from raw.ingest_ledger where source = ? order by file",
        [source],
    ).fetchall()


def field_issues(conn, source: str) -> list[tuple]:
    return conn.execute(
        "select row_number, column_name, native_column, raw_value, reason, action from raw.field_issues "
        "where source = ? order by file, row_number, column_name, native_column",
        [source],
    ).fetchall()


def quarantine(conn, source: str) -> dict[int, list[str]]:
    rows = conn.execute(
        "select row_number, reasons from raw.quarantine where source = ? order by row_number", [source]
    ).fetchall()
    return {number: json.loads(reasons) for number, reasons in rows}


def raw_rows(conn, source: str) -> dict[int, str]:
    return dict(
        conn.execute("select row_number, raw_row from raw.quarantine where source = ?", [source]).fetchall()
    )


def loaded(conn, config: SourceConfig, select: str) -> list[tuple]:
    return conn.execute(
        f"select {select} from raw.{config.schema.table} where source = ? order by _file, _row_number",
        [config.name],
    ).fetchall()


# ---------------------------------------------------------------- the corpus

LEAD_COLUMNS = "_row_number, source_record_id, first_name, last_name, email"


@dataclass
class Case:
    id: str
    content: str | bytes
    ledger: tuple  # status, rows_read, rows_loaded, rows_quarantined, field_issues
    rows: list[tuple] = field(default_factory=list)  # loaded rows, ``select`` columns
    issues: list[tuple] = field(default_factory=list)  # row, column, native column, raw value, reason, action
    quarantined: dict[int, list[str]] = field(default_factory=dict)  # row -> reasons
    config: SourceConfig = LEADS
    select: str = LEAD_COLUMNS
    message: str | None = None  # the ledger's message
    raw: dict[int, object] = field(default_factory=dict)  # row -> raw_row, for some quarantined rows
    check: Callable[[duckdb.DuckDBPyConnection], None] | None = None  # anything else to assert

    @property
    def file_name(self) -> str:
        return "a.jsonl" if self.config.format == "jsonl" else "a.csv"


def _tables_intact(conn) -> None:
    tables = {
        t
        for (t,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    assert {"lead_records", "ingest_ledger", "quarantine", "field_issues"} <= tables
    assert conn.execute("select count(*) from raw.lead_records").fetchone()[0] == 2
    assert conn.execute("select count(*) from raw.ingest_ledger").fetchone()[0] == 1


def _derived_ids(conn) -> None:
    ids = [
        i
        for (i,) in conn.execute(
            "select source_record_id from raw.lead_records order by _row_number"
        ).fetchall()
    ]
    assert all(re.fullmatch(r"[0-9a-f]{20}-1", i) for i in ids) and len(set(ids)) == len(ids), ids


def _content_ids_of_duplicates(conn) -> None:
    ids = [
        i
        for (i,) in conn.execute(
            "select source_record_id from raw.lead_records order by _row_number"
        ).fetchall()
    ]
    first, second, other = ids
    assert re.fullmatch(r"[0-9a-f]{20}-1", first) and second == first[:-1] + "2"  # same content, numbered
    assert re.fullmatch(r"[0-9a-f]{20}-1", other) and other[:20] != first[:20]


def _deep_lines_cut(conn) -> None:
    raws = dict(conn.execute("select row_number, raw_row from raw.quarantine").fetchall())
    assert len(raws[1]) == len(raws[2]) == 10_000 and raws[1] == "[" * 10_000


def _huge_array_kept(conn) -> None:
    (attributes,) = conn.execute(
        "select attributes from raw.lead_records where source_record_id = 'big'"
    ).fetchone()
    assert json.loads(attributes)["items"] == json.dumps(list(range(100_000)))


def _separators_kept(conn) -> None:
    (attributes,) = conn.execute(
        "select attributes from raw.lead_records where source_record_id = '2'"
    ).fetchone()
    assert json.loads(attributes)["note"] == "a\x85b\u2029c"


CASES = [
    # -- encodings
    Case(
        "latin1_undeclared_names_nulled_with_the_fix",
        csv_text(
            lead(first="José", last="Müller", email="jm@x.co"),
            bo(first="Zoë", last="Ölund", email=""),
            lead(id="3", first="Cy", last="Fox"),
        ).encode("latin-1"),
        ("loaded", 3, 2, 1, 2),
        rows=[(1, "1", None, None, "jm@x.co"), (3, "3", "Cy", "Fox", "ann@x.co")],
        issues=[
            (1, "first_name", "First", "Jos\\xe9", not_utf8("0xe9"), "nulled"),
            (1, "last_name", "Last", "M\\xfcller", not_utf8("0xfc"), "nulled"),
        ],
        quarantined={
            2: [
                f"first_name: 'Zo\\xeb' {not_utf8('0xeb')}",
                f"last_name: '\\xd6lund' {not_utf8('0xd6')}",
                NO_CONTACT,
            ]
        },
    ),
    Case(
        "latin1_declared_loads_right",
        csv_text(
            lead(first="José", last="Müller", email="jm@x.co"), bo(first="Zoë", last="Ölund", email="")
        ).encode("latin-1"),
        ("loaded", 2, 2, 0, 0),
        config=LATIN1,
        rows=[(1, "1", "José", "Müller", "jm@x.co"), (2, "2", "Zoë", "Ölund", None)],
    ),
    Case(
        "latin1_in_an_unmapped_column",
        csv_text(lead(note="café")).encode("latin-1"),
        ("loaded", 1, 1, 0, 1),
        select="_row_number, email, attributes",
        rows=[(1, "ann@x.co", '{"Note":null}')],
        issues=[(1, None, "Note", "caf\\xe9", not_utf8("0xe9"), "nulled")],
    ),
    Case(
        "latin1_in_a_header_name",
        csv_text(lead(note="x"), header=[*HEADER[:-1], "Nöte"]).encode("latin-1"),
        ("loaded", 1, 1, 0, 0),
        select="_row_number, email, attributes",
        rows=[(1, "ann@x.co", r'{"N\\xf6te":"x"}')],
    ),
    Case(
        "utf16_with_bom",
        csv_text(lead(first="José", last="Müller"), bo(last="Ølund")).encode("utf-16"),
        ("loaded", 2, 2, 0, 0),
        rows=[(1, "1", "José", "Müller", "ann@x.co"), (2, "2", "Bo", "Ølund", "bo@x.co")],
    ),
    Case(
        "utf8_with_bom",
        ("\ufeff" + csv_text(lead(first="José", last="Müller"))).encode(),
        ("loaded", 1, 1, 0, 0),
        rows=[(1, "1", "José", "Müller", "ann@x.co")],
    ),
    # -- line endings and quoting
    Case(
        "crlf_line_endings",
        csv_text(lead(note="x"), bo(note="y"), newline="\r\n"),
        ("loaded", 2, 2, 0, 0),
        select="_row_number, source_record_id, last_name, attributes",
        rows=[(1, "1", "Lee", '{"Note":"x"}'), (2, "2", "Ray", '{"Note":"y"}')],
    ),
    Case(
        "mixed_line_endings",
        HEAD.replace("\n", "\r\n")
        + line(lead(note="x"))
        + line(bo(note="y"))[:-1]
        + "\r"
        + line(lead(id="3", last="Fox", note="z"))[:-1]
        + "\r\n",
        ("loaded", 3, 3, 0, 0),
        select="_row_number, source_record_id, last_name, attributes",
        rows=[
            (1, "1", "Lee", '{"Note":"x"}'),
            (2, "2", "Ray", '{"Note":"y"}'),
            (3, "3", "Fox", '{"Note":"z"}'),
        ],
    ),
    Case(
        # The open quote runs to the end of the file: one record of 2 fields, quarantined with the
        # rest of the file in its raw row (see the xfail test below for reading on after it).
        "unbalanced_quote",
        HEAD + '1,"Ann,Lee,ann@x.co,,,,,,,x\n' + line(bo()),
        ("loaded", 1, 0, 1, 0),
        quarantined={1: [fields(2)]},
        raw={1: ["1", "Ann,Lee,ann@x.co,,,,,,,x\n2,Bo,Ray,bo@x.co,,,,,,,\n"]},
    ),
    Case(
        "stray_quote_inside_a_field",
        HEAD + line(lead(last='O"Neil')),
        ("loaded", 1, 1, 0, 0),
        rows=[(1, "1", "Ann", 'O"Neil', "ann@x.co")],
    ),
    Case(
        "embedded_newlines_in_quoted_fields",
        csv_text(lead(company="Acme\nInc", note="line1\r\nline2"), bo()),
        ("loaded", 2, 2, 0, 0),
        select="_row_number, source_record_id, company, attributes",
        rows=[(1, "1", "Acme Inc", '{"Note":"line1\\r\\nline2"}'), (2, "2", None, '{"Note":null}')],
    ),
    Case(
        "nul_and_escape_bytes",
        HEAD
        + line(lead(first="An\x00n", email="ann\x00@x.co", note="x\x00y"))
        + line(bo(first="\x00", company="\x1b[31mAcme")),
        ("loaded", 2, 2, 0, 4),
        select="_row_number, first_name, email, company, attributes",
        rows=[
            (1, "Ann", "ann@x.co", None, '{"Note":"x\\u0000y"}'),
            (2, None, "bo@x.co", "[31mAcme", '{"Note":null}'),
        ],
        issues=[
            (1, "email", "Email", "ann\ufffd@x.co", CONTROL, "replaced"),
            (1, "first_name", "First", "An\ufffdn", CONTROL, "replaced"),
            (2, "company", "Company", "\ufffd[31mAcme", CONTROL, "replaced"),
            (2, "first_name", "First", "\ufffd", CONTROL, "replaced"),
        ],
    ),
    # -- huge values
    Case(
        "ten_mb_field_in_a_mapped_column",
        csv_text(lead(company=BIG)),
        ("loaded", 1, 1, 0, 1),
        select="_row_number, last_name, company",
        rows=[(1, "Lee", None)],
        issues=[(1, "company", "Company", "x" * 10_000 + "... [10000000 characters]", TOO_LONG, "nulled")],
    ),
    Case(
        "ten_mb_field_in_an_unmapped_column_is_kept_in_attributes",
        csv_text(lead(note=BIG)),
        ("loaded", 1, 1, 0, 0),
        select="_row_number, length(attributes), attributes = '{\"Note\":\"' || repeat('x', 10000000) || '\"}'",
        rows=[(1, 10_000_011, True)],
    ),
    Case(
        "over_long_id_quarantines_its_row",
        csv_text(lead(id="9" * 20_000), bo()),
        ("loaded", 2, 1, 1, 0),
        rows=[(2, "2", "Bo", "Ray", "bo@x.co")],
        quarantined={1: [f"source_record_id: '{'9' * 200}' {TOO_LONG}"]},
    ),
    # -- columns
    Case(
        "mapped_column_missing_rejects_the_file",
        "ID,First,Last,Email,Phone,Company,Title,Budget,At,Note\n1,Ann,Lee,ann@x.co,,,,,,\n2,Bo,Ray,bo@x.co,,,,,,\n",
        ("rejected", 2, 0, 2, 0),
        message=missing_columns(["Size"], "ID, First, Last, Email, Phone, Company, Title, Budget, At, Note"),
        quarantined={
            n: [missing_columns(["Size"], "ID, First, Last, Email, Phone, Company, Title, Budget, At, Note")]
            for n in (1, 2)
        },
        raw={
            1: {
                "ID": "1",
                "First": "Ann",
                "Last": "Lee",
                "Email": "ann@x.co",
                "Phone": "",
                "Company": "",
                "Title": "",
                "Budget": "",
                "At": "",
                "Note": "",
            }
        },
    ),
    Case(
        "extra_and_reordered_columns",
        "Note,Email,ID,Extra,Last,First,Phone,Company,Title,Budget,Size,At\nn,ann@x.co,1,e,Lee,Ann,,,,,,\n",
        ("loaded", 1, 1, 0, 0),
        select=LEAD_COLUMNS + ", attributes",
        rows=[(1, "1", "Ann", "Lee", "ann@x.co", '{"Note":"n","Extra":"e"}')],
    ),
    Case(
        "duplicate_column_names_reject_the_file_and_keep_its_rows",
        "ID,First,Last,Email,Email,Phone,Company,Title,Budget,Size,At,Note\n1,Ann,Lee,ann@x.co,other@x.co,,,,,,,\n",
        ("rejected", 1, 0, 1, 0),
        message="header repeats column(s) ['Email']; every column needs a unique name",
        quarantined={1: ["header repeats column(s) ['Email']; every column needs a unique name"]},
        raw={1: ["1", "Ann", "Lee", "ann@x.co", "other@x.co", "", "", "", "", "", "", ""]},
    ),
    Case(
        "unnamed_columns_empty_one_dropped_one_with_values_kept",
        HEAD[:-1] + ",,\n" + line(lead(note="x"))[:-1] + ",,\n" + line(bo(note="y"))[:-1] + ",stray,\n",
        ("loaded", 2, 2, 0, 0),
        select="_row_number, source_record_id, attributes",
        rows=[(1, "1", '{"Note":"x","column_12":null}'), (2, "2", '{"Note":"y","column_12":"stray"}')],
    ),
    Case(
        "a_column_named_like_the_row_number_rejects_the_file",
        HEAD[:-1] + ",_row_number\n" + line(lead())[:-1] + ",7\n",
        ("rejected", 1, 0, 1, 0),
        message=RESERVED_COLUMN,
        quarantined={1: [RESERVED_COLUMN]},
    ),
    Case(
        "semicolon_file_with_a_comma_config",
        HEAD.replace(",", ";") + line(lead()).replace(",", ";"),
        ("rejected", 1, 0, 1, 0),
        message=missing_columns(list(LEADS.columns.values()), ";".join(HEADER)),
        quarantined={1: [missing_columns(list(LEADS.columns.values()), ";".join(HEADER))]},
        raw={1: {";".join(HEADER): "1;Ann;Lee;ann@x.co;;;;;;;"}},
    ),
    Case(
        "comma_file_with_a_semicolon_config",
        csv_text(lead()),
        ("rejected", 1, 0, 1, 0),
        config=SEMICOLONS,
        message=missing_columns(list(LEADS.columns.values()), ",".join(HEADER)),
        quarantined={1: [missing_columns(list(LEADS.columns.values()), ",".join(HEADER))]},
    ),
    Case(
        "wrong_field_counts",
        HEAD + line(lead()) + "2,Bo,Ray\n" + line(lead(id="3", note="a,b")) + line(lead(id="4", last="Fox")),
        ("loaded", 4, 2, 2, 0),
        rows=[(1, "1", "Ann", "Lee", "ann@x.co"), (4, "4", "Ann", "Fox", "ann@x.co")],
        quarantined={2: [fields(3)], 3: [fields(12)]},
        raw={2: ["2", "Bo", "Ray"]},
    ),
    # -- types, dates, amounts
    Case(
        "text_in_number_and_date_columns",
        csv_text(lead(budget="lots", size="ten", at="yesterday")),
        ("loaded", 1, 1, 0, 3),
        select="_row_number, budget, company_size, created_at",
        rows=[(1, None, None, None)],
        issues=[
            (1, "budget", "Budget", "lots", NOT_NUMBER, "nulled"),
            (1, "company_size", "Size", "ten", NOT_WHOLE, "nulled"),
            (1, "created_at", "At", "yesterday", DATES, "nulled"),
        ],
    ),
    Case(
        "impossible_dates_nulled",
        csv_text(
            lead(at="2023-02-30"),
            bo(at="2023-02-28 25:00:00"),
            lead(id="3", at="2023-13-01"),
            lead(id="4", at="2024-02-29"),
        ),
        ("loaded", 4, 4, 0, 3),
        select="_row_number, created_at",
        rows=[(1, None), (2, None), (3, None), (4, datetime(2024, 2, 29))],
        issues=[
            (1, "created_at", "At", "2023-02-30", DATES, "nulled"),
            (2, "created_at", "At", "2023-02-28 25:00:00", DATES, "nulled"),
            (3, "created_at", "At", "2023-13-01", DATES, "nulled"),
        ],
    ),
    Case(
        "implausible_dates_kept_as_written_and_flagged",
        csv_text(lead(at="9999-12-31"), bo(at=SOON_TEXT), lead(id="3", at="1850-01-01")),
        ("loaded", 3, 3, 0, 3),
        select="_row_number, created_at",
        rows=[(1, datetime(9999, 12, 31)), (2, SOON), (3, datetime(1850, 1, 1))],
        issues=[
            (1, "created_at", "At", "9999-12-31", FUTURE, "kept"),
            (2, "created_at", "At", SOON_TEXT, FUTURE, "kept"),
            (3, "created_at", "At", "1850-01-01", BEFORE_1900, "kept"),
        ],
    ),
    Case(
        "negative_amounts_nulled",
        csv_text(lead(budget="-5", size="-3"), bo(budget="(500)")),
        ("loaded", 2, 2, 0, 3),
        select="_row_number, budget, company_size",
        rows=[(1, None, None), (2, None, None)],
        issues=[
            (1, "budget", "Budget", "-5", NEGATIVE, "nulled"),
            (1, "company_size", "Size", "-3", NEGATIVE, "nulled"),
            (2, "budget", "Budget", "(500)", NOT_NUMBER, "nulled"),
        ],
    ),
    Case(
        "enormous_amounts_nulled_plausible_ones_read",
        csv_text(
            lead(budget="1e30", size="99999999999999999999"),
            bo(budget="1e12", size="1000000000000"),
            lead(id="3", budget="$1,500.50", size="12.5"),
            lead(id="4", budget="USD 2,000", size="1,200"),
        ),
        ("loaded", 4, 4, 0, 3),
        select="_row_number, budget, company_size",
        rows=[(1, None, None), (2, 1e12, 1_000_000_000_000), (3, 1500.5, None), (4, 2000.0, 1200)],
        issues=[
            (1, "budget", "Budget", "1e30", TOO_LARGE, "nulled"),
            (1, "company_size", "Size", "99999999999999999999", NOT_WHOLE, "nulled"),
            (3, "company_size", "Size", "12.5", NOT_WHOLE, "nulled"),
        ],
    ),
    Case(
        "nan_and_infinity_nulled",
        csv_text(
            lead(budget="NaN", size="NaN"),
            bo(budget="inf", size="inf"),
            lead(id="3", budget="-inf", size="-Infinity"),
        ),
        ("loaded", 3, 3, 0, 6),
        select="_row_number, budget, company_size",
        rows=[(1, None, None), (2, None, None), (3, None, None)],
        issues=[
            (1, "budget", "Budget", "NaN", NOT_NUMBER, "nulled"),
            (1, "company_size", "Size", "NaN", NOT_WHOLE, "nulled"),
            (2, "budget", "Budget", "inf", TOO_LARGE, "nulled"),
            (2, "company_size", "Size", "inf", NOT_WHOLE, "nulled"),
            (3, "budget", "Budget", "-inf", NEGATIVE, "nulled"),
            (3, "company_size", "Size", "-Infinity", NOT_WHOLE, "nulled"),
        ],
    ),
    # -- contacts
    Case(
        "invalid_emails_nulled",
        csv_text(
            *(
                lead(id=str(i), email=e)
                for i, e in enumerate(
                    [
                        "plainaddress",
                        "@no-local.com",
                        "a@b",
                        "a b@c.com",
                        "a@@b.com",
                        "a@b.c0m",
                        "ann@x.co.",
                        " MAILTO:Ann@Ex.COM ",
                    ],
                    start=1,
                )
            )
        ),
        ("loaded", 8, 8, 0, 7),
        select="_row_number, email",
        rows=[(1, None), (2, None), (3, None), (4, None), (5, None), (6, None), (7, None), (8, "ann@ex.com")],
        issues=[
            (i, "email", "Email", e, NOT_EMAIL, "nulled")
            for i, e in enumerate(
                ["plainaddress", "@no-local.com", "a@b", "a b@c.com", "a@@b.com", "a@b.c0m", "ann@x.co."],
                start=1,
            )
        ],
    ),
    Case(
        "phone_shapes",
        csv_text(
            *(
                lead(id=str(i), phone=p)
                for i, p in enumerate(
                    [
                        "(555) 555-0100",
                        "555-0100",
                        "+44 20 7946 0958",
                        "not a phone",
                        "123456789012345678",
                        "+1 (212) 555-0143 ext. 12",
                        "212.555.0143",
                        "=1+1",
                    ],
                    start=1,
                )
            )
        ),
        ("loaded", 8, 8, 0, 5),
        select="_row_number, phone, phone_is_valid",
        rows=[
            (1, "+15555550100", False),
            (2, None, None),
            (3, "+442079460958", True),
            (4, None, None),
            (5, None, None),
            (6, "+12125550143", True),
            (7, "+12125550143", True),
            (8, None, None),
        ],
        issues=[
            (1, "phone", "Phone", "(555) 555-0100", PHONE_POSSIBLE, "kept"),
            (2, "phone", "Phone", "555-0100", PHONE_UNUSABLE, "nulled"),
            (4, "phone", "Phone", "not a phone", PHONE_UNUSABLE, "nulled"),
            (5, "phone", "Phone", "123456789012345678", PHONE_UNUSABLE, "nulled"),
            (8, "phone", "Phone", "=1+1", PHONE_UNUSABLE, "nulled"),
        ],
    ),
    Case(
        "no_usable_contact_left_quarantines_the_row",
        csv_text(lead(last="", email="nope", phone="123"), bo()),
        ("loaded", 2, 1, 1, 0),
        rows=[(2, "2", "Bo", "Ray", "bo@x.co")],
        quarantined={1: [f"phone: '123' {PHONE_UNUSABLE}", f"email: 'nope' {NOT_EMAIL}", NO_CONTACT]},
    ),
    # -- text that is code somewhere else
    Case(
        "sql_and_shell_metacharacters_loaded_verbatim",
        csv_text(
            lead(
                first="Robert'); DROP TABLE raw.lead_records;--",
                last="O'Brien",
                company="$(rm -rf /)",
                title="`whoami`",
                note="; rm -rf ~ && echo pwned | sh",
            ),
            bo(company="x'; DELETE FROM raw.ingest_ledger; --", title="a && b || c > /etc/passwd"),
        ),
        ("loaded", 2, 2, 0, 0),
        select="_row_number, first_name, last_name, company, job_title, attributes",
        rows=[
            (
                1,
                "Robert'); DROP TABLE raw.lead_records;--",
                "O'Brien",
                "$(rm -rf /)",
                "`whoami`",
                '{"Note":"; rm -rf ~ && echo pwned | sh"}',
            ),
            (
                2,
                "Bo",
                "Ray",
                "x'; DELETE FROM raw.ingest_ledger; --",
                "a && b || c > /etc/passwd",
                '{"Note":null}',
            ),
        ],
        check=_tables_intact,
    ),
    Case(
        "emoji_and_combining_characters",
        csv_text(
            lead(first="Zoë 😀", last="Ñúñez", company="Cafe\u0301 👩\u200d👩\u200d👧", note="👍🏽"),
            bo(first="e\u0301lodie", last="O\u0308ZIL"),  # typed in one case, decomposed
            lead(id="3", first="Zoe\u0308"),  # mixed case: kept as typed
        ),
        ("loaded", 3, 3, 0, 0),
        select="_row_number, first_name, last_name, company, attributes",
        rows=[
            (1, "Zoë 😀", "Ñúñez", "Cafe\u0301 👩\u200d👩\u200d👧", '{"Note":"👍🏽"}'),
            (2, "\u00c9lodie", "\u00d6zil", None, '{"Note":null}'),
            (3, "Zoe\u0308", "Lee", None, '{"Note":null}'),
        ],
    ),
    Case(
        "spreadsheet_formulas_nulled",
        csv_text(
            lead(first='=HYPERLINK("http://x","y")', company="+cmd|' /C calc'!A0", note="=1+1"),
            bo(first="@SUM(A1)"),
            lead(id="3", first="Cy", last="-Lee", company="+1 Corp"),  # not formulas
            lead(id="=1+2"),
        ),
        ("loaded", 4, 3, 1, 3),
        select="_row_number, first_name, last_name, company, attributes",
        rows=[
            (1, None, "Lee", None, '{"Note":"=1+1"}'),
            (2, None, "Ray", None, '{"Note":null}'),
            (3, "Cy", "-Lee", "+1 Corp", '{"Note":null}'),
        ],
        issues=[
            (1, "company", "Company", "+cmd|' /C calc'!A0", FORMULA, "nulled"),
            (1, "first_name", "First", '=HYPERLINK("http://x","y")', FORMULA, "nulled"),
            (2, "first_name", "First", "@SUM(A1)", FORMULA, "nulled"),
        ],
        quarantined={4: [f"source_record_id: '=1+2' {FORMULA}"]},
    ),
    # -- ids and duplicates
    Case(
        "blank_mapped_id_derived",
        csv_text(lead(id=""), bo(id="   ")),
        ("loaded", 2, 2, 0, 2),
        select="_row_number, last_name",
        rows=[(1, "Lee"), (2, "Ray")],
        issues=[
            (1, "source_record_id", "ID", None, DERIVED, "replaced"),
            (2, "source_record_id", "ID", None, DERIVED, "replaced"),
        ],
        check=_derived_ids,
    ),
    Case(
        "duplicate_rows_without_ids_both_loaded_with_distinct_ids",
        csv_text(lead()[1:], lead()[1:], bo()[1:], header=HEADER[1:]),
        ("loaded", 3, 3, 0, 0),
        config=NO_IDS,
        select="_row_number, last_name",
        rows=[(1, "Lee"), (2, "Lee"), (3, "Ray")],
        check=_content_ids_of_duplicates,
    ),
    Case(
        "duplicate_rows_with_ids_both_loaded",
        csv_text(lead(), lead()),
        ("loaded", 2, 2, 0, 0),
        rows=[(1, "1", "Ann", "Lee", "ann@x.co"), (2, "1", "Ann", "Lee", "ann@x.co")],
    ),
    # -- blanks and null words
    Case(
        "whitespace_only_values_are_null",
        HEAD
        + "  7  ,   ,  Lee ,  ann@x.co  ,\t,   , \t ,  ,  ,  ,   \n"
        + line(bo(first="  Ann   Marie ", last=" van  der Berg")),
        ("loaded", 2, 2, 0, 0),
        select=LEAD_COLUMNS + ", phone, company, job_title, budget, attributes",
        rows=[
            (1, "7", None, "Lee", "ann@x.co", None, None, None, None, '{"Note":null}'),
            (2, "2", "Ann Marie", "van der Berg", "bo@x.co", None, None, None, None, '{"Note":null}'),
        ],
    ),
    Case(
        "null_words_without_null_values_are_values",
        csv_text(lead(first="NULL", email="none", phone="N/A", company="null", size="n/a")),
        ("loaded", 1, 1, 0, 3),
        select="_row_number, first_name, email, phone, company, company_size",
        rows=[(1, "Null", None, None, "null", None)],
        issues=[
            (1, "company_size", "Size", "n/a", NOT_WHOLE, "nulled"),
            (1, "email", "Email", "none", NOT_EMAIL, "nulled"),
            (1, "phone", "Phone", "N/A", PHONE_UNUSABLE, "nulled"),
        ],
    ),
    Case(
        "null_words_declared_in_null_values",
        csv_text(lead(first="NULL", email="none", phone="N/A", company="null", size="n/a", title="-")),
        ("loaded", 1, 1, 0, 0),
        config=NULL_WORDS,
        select="_row_number, first_name, email, phone, company, company_size, job_title",
        rows=[(1, None, None, None, None, None, None)],
    ),
    Case(
        "lines_of_blanks_and_bare_delimiters",
        HEAD + line(lead()) + "   \n" + "," * (len(HEADER) - 1) + "\n" + "\t\n" + line(bo()),
        ("loaded", 5, 2, 3, 0),
        rows=[(1, "1", "Ann", "Lee", "ann@x.co"), (5, "2", "Bo", "Ray", "bo@x.co")],
        quarantined={2: [fields(1)], 3: [f"source_record_id: {DERIVED}", NO_CONTACT], 4: [fields(1)]},
        raw={2: ["   "], 4: ["\t"]},
    ),
    # -- files that are not (yet) data
    Case("empty_file", "", ("empty", 0, 0, 0, 0), message="the file has no data rows"),
    Case("header_only", HEAD, ("empty", 0, 0, 0, 0), message="the file has no data rows"),
    Case(
        "header_only_without_newline", HEAD[:-1], ("empty", 0, 0, 0, 0), message="the file has no data rows"
    ),
    Case(
        "bom_and_blank_lines_only",
        "\ufeff\n\n\r\n",
        ("empty", 0, 0, 0, 0),
        message="the file has no data rows",
    ),
    Case(
        "old_file_with_a_cut_off_last_line",
        HEAD + line(lead()) + "2,Bo,Ray,bo@x",
        ("loaded", 2, 1, 1, 0),
        rows=[(1, "1", "Ann", "Lee", "ann@x.co")],
        quarantined={2: [fields(4)]},
        raw={2: ["2", "Bo", "Ray", "bo@x"]},
    ),
    # -- JSON Lines
    Case(
        "jsonl_lines_that_are_not_objects",
        jsonl(
            {"id": "1", "visitor": {"email": "a@x.co"}}, "[1, 2, 3]", "42", '"just a string"', "null", "true"
        ),
        ("loaded", 6, 1, 5, 0),
        config=CHAT,
        rows=[(1, "1", None, None, "a@x.co")],
        quarantined={
            2: ["line is a JSON list, not an object"],
            3: ["line is a JSON int, not an object"],
            4: ["line is a JSON str, not an object"],
            5: ["line is a JSON NoneType, not an object"],
            6: ["line is a JSON bool, not an object"],
        },
        raw={2: "[1, 2, 3]", 4: '"just a string"'},
    ),
    Case(
        "jsonl_deep_nesting_100000_levels",
        jsonl(
            "[" * 100_000 + "]" * 100_000,
            '{"id": "d", "x": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001,
            {"id": "1", "visitor": {"email": "a@x.co"}},
        ),
        ("loaded", 3, 1, 2, 0),
        config=CHAT,
        rows=[(3, "1", None, None, "a@x.co")],
        quarantined={1: [TOO_DEEP], 2: [TOO_DEEP]},
        check=_deep_lines_cut,
    ),
    Case(
        "jsonl_huge_array_kept_in_attributes",
        jsonl({"id": "big", "visitor": {"email": "b@x.co"}, "items": list(range(100_000))}),
        ("loaded", 1, 1, 0, 0),
        config=CHAT,
        rows=[(1, "big", None, None, "b@x.co")],
        check=_huge_array_kept,
    ),
    Case(
        "jsonl_invalid_json",
        jsonl(
            '{"id": "3", "visitor": {"email": "c@x.co"}',
            "{'id': '4'}",
            '{"id": "5"} trailing',
            {"id": "1", "visitor": {"email": "a@x.co"}},
        ),
        ("loaded", 4, 1, 3, 0),
        config=CHAT,
        rows=[(4, "1", None, None, "a@x.co")],
        quarantined={
            1: ["line is not valid JSON: Expecting ',' delimiter at column 43"],
            2: ["line is not valid JSON: Expecting property name enclosed in double quotes at column 2"],
            3: ["line is not valid JSON: Extra data at column 13"],
        },
        raw={2: "{'id': '4'}"},
    ),
    Case(
        "jsonl_blank_ids_derived",
        jsonl(
            {"id": "", "visitor": {"email": "a@x.co"}},
            {"id": None, "visitor": {"email": "b@x.co"}},
            {"visitor": {"email": "c@x.co"}},
        ),
        ("loaded", 3, 3, 0, 3),
        config=CHAT,
        select="_row_number, email",
        rows=[(1, "a@x.co"), (2, "b@x.co"), (3, "c@x.co")],
        issues=[(n, "source_record_id", "id", None, DERIVED, "replaced") for n in (1, 2, 3)],
        check=_derived_ids,
    ),
    Case(
        # Python's str.splitlines() would cut these lines at U+2028, U+2029 and NEL.
        "jsonl_unicode_line_separators_inside_values",
        jsonl(
            {"id": "1", "visitor": {"email": "a@x.co", "last": "Lee\u2028Ray"}},
            {"id": "2", "visitor": {"email": "b@x.co"}, "note": "a\x85b\u2029c"},
        ),
        ("loaded", 2, 2, 0, 0),
        config=CHAT,
        rows=[(1, "1", None, "Lee Ray", "a@x.co"), (2, "2", None, None, "b@x.co")],
        check=_separators_kept,
    ),
    Case(
        "jsonl_unpaired_surrogate_escapes_nulled",
        '{"id": "1", "visitor": {"email": "a@x.co", "last": "Lee\\ud800"}}\n'
        '{"id": "2", "visitor": {"email": "b@x.co", "last": "Ray"}, "note": "\\udcff"}\n'
        '{"id": "3", "visitor": {"email": "c@x.co", "last": "Smile \\ud83d\\ude00"}}\n',
        ("loaded", 3, 3, 0, 2),
        config=CHAT,
        rows=[
            (1, "1", None, None, "a@x.co"),
            (2, "2", None, "Ray", "b@x.co"),
            (3, "3", None, "Smile 😀", "c@x.co"),
        ],
        issues=[
            (1, "last_name", "visitor.last", "Lee\\ud800", f"'\\ud800' {UNPAIRED}", "nulled"),
            (2, None, "note", "\\udcff", f"'\\udcff' {UNPAIRED}", "nulled"),
        ],
    ),
    Case(
        "jsonl_key_named_like_the_row_number",
        jsonl(
            {"id": "1", "_row_number": 5, "visitor": {"email": "a@x.co"}},
            {"id": "2", "visitor": {"email": "b@x.co"}},
        ),
        ("loaded", 2, 1, 1, 0),
        config=CHAT,
        rows=[(2, "2", None, None, "b@x.co")],
        quarantined={1: [RESERVED_KEY]},
    ),
    Case(
        "jsonl_nul_escape_removed",
        jsonl({"id": "1", "visitor": {"email": "a@x.co", "last": "Le\x00e"}}),
        ("loaded", 1, 1, 0, 1),
        config=CHAT,
        rows=[(1, "1", None, "Lee", "a@x.co")],
        issues=[(1, "last_name", "visitor.last", "Le\ufffde", CONTROL, "replaced")],
    ),
    Case(
        "jsonl_empty_objects",
        jsonl({}, {"visitor": {}}, {"id": "1", "visitor": {"email": "a@x.co"}}),
        ("loaded", 3, 1, 2, 0),
        config=CHAT,
        rows=[(3, "1", None, None, "a@x.co")],
        quarantined={
            1: [f"source_record_id: {DERIVED}", NO_CONTACT],
            2: [f"source_record_id: {DERIVED}", NO_CONTACT],
        },
    ),
    Case(
        "jsonl_only_empty_objects",
        jsonl({}, {}),
        ("loaded", 2, 0, 2, 0),
        config=CHAT,
        quarantined={
            1: [f"source_record_id: {DERIVED}", NO_CONTACT],
            2: [f"source_record_id: {DERIVED}", NO_CONTACT],
        },
        raw={1: "{}"},
    ),
    Case(
        "jsonl_values_of_other_json_types",
        jsonl({"id": 7, "visitor": {"email": ["a@x.co"], "last": 42}}),
        ("loaded", 1, 1, 0, 1),
        config=CHAT,
        rows=[(1, "7", None, "42", None)],
        issues=[(1, "email", "visitor.email", '["a@x.co"]', NOT_EMAIL, "nulled")],
    ),
    # -- activities
    Case(
        "activity_missing_occurred_at_quarantined",
        EVENT_HEAD + "e1,L1,call,,60,/x\ne2,L1,call,2024-05-01T10:00:00Z,60,/y\n",
        ("loaded", 2, 1, 1, 0),
        config=EVENTS,
        select=EVENT_COLUMNS,
        rows=[(2, "e2", "forms", "L1", "call", datetime(2024, 5, 1, 10), 60)],
        quarantined={1: [f"occurred_at: {MISSING}"]},
    ),
    Case(
        "activity_type_not_allowed_quarantined",
        EVENT_HEAD + "e1,L1,teleport,2024-05-01,10,\ne2,L1,CALL,2024-05-01,10,\n",
        ("loaded", 2, 1, 1, 0),
        config=EVENTS,
        select=EVENT_COLUMNS,
        rows=[(2, "e2", "forms", "L1", "call", datetime(2024, 5, 1), 10)],
        quarantined={1: [f"activity_type: 'teleport' {ACTIVITY_TYPES}"]},
    ),
    Case(
        "activity_negative_and_enormous_duration_nulled_row_kept",
        EVENT_HEAD + "e1,L1,call,2024-05-01,-30,/home\ne2,L1,meeting,2024-05-01,1e13,\n",
        ("loaded", 2, 2, 0, 2),
        config=EVENTS,
        select=EVENT_COLUMNS,
        rows=[
            (1, "e1", "forms", "L1", "call", datetime(2024, 5, 1), None),
            (2, "e2", "forms", "L1", "meeting", datetime(2024, 5, 1), None),
        ],
        issues=[
            (1, "duration_seconds", "secs", "-30", NEGATIVE, "nulled"),
            (2, "duration_seconds", "secs", "1e13", TOO_LARGE, "nulled"),
        ],
    ),
    Case(
        "activity_impossible_occurred_at_quarantined",
        EVENT_HEAD + "e1,L1,call,2024-02-30,10,\n",
        ("loaded", 1, 0, 1, 0),
        config=EVENTS,
        select=EVENT_COLUMNS,
        quarantined={1: [f"occurred_at: '2024-02-30' {DATES}", f"occurred_at: '2024-02-30' {MISSING}"]},
    ),
    Case(
        "activity_missing_lead_id_quarantined",
        EVENT_HEAD + "e1,,call,2024-05-01,10,\n",
        ("loaded", 1, 0, 1, 0),
        config=EVENTS,
        select=EVENT_COLUMNS,
        quarantined={1: [f"lead_record_id: {MISSING}"]},
    ),
]


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        yield connection


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, landing: Path, conn) -> None:
    config = case.config
    write(landing, config.name, case.file_name, case.content)
    report = ingest(conn, landing, config)

    (file,) = report.files
    status, read, n_loaded, n_quarantined, n_issues = case.ledger
    assert (
        file.status,
        file.rows_read,
        file.rows_loaded,
        file.rows_quarantined,
        file.field_issues,
    ) == case.ledger
    assert ledger(conn, config.name) == [
        (f"{config.name}/{case.file_name}", status, read, n_loaded, n_quarantined, n_issues, case.message)
    ]
    assert loaded(conn, config, case.select) == case.rows
    assert field_issues(conn, config.name) == case.issues
    assert quarantine(conn, config.name) == case.quarantined
    raws = raw_rows(conn, config.name)
    for row, raw in case.raw.items():  # text as stored (JSON Lines), or the JSON it holds (CSV)
        assert (raws[row] if isinstance(raw, str) else json.loads(raws[row])) == raw
    if case.check:
        case.check(conn)


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)


# ---------------------------------------------------------------- many hostile files, one run


def test_hostile_csv_files_in_one_folder_do_not_stop_the_run(landing, conn):
    hostile = {
        "a_empty.csv": "",
        "b_duplicate_header.csv": "ID,ID,Email\n1,2,a@x.co\n",
        "c_reserved_column.csv": HEAD[:-1] + ",_row_number\n" + line(lead())[:-1] + ",7\n",
        "d_latin1_header.csv": csv_text(lead(), header=[*HEADER[:-1], "Nöte"]).encode("latin-1"),
        "e_missing_column.csv": "ID,Email\n1,a@x.co\n",
        "f_unbalanced_quote.csv": HEAD + '3,"Ann,Lee,ann@x.co,,,,,,,x\n' + line(bo()),
        "g_cut_off.csv": HEAD + line(lead(id="4")) + "5,Bo",
        "h_nul_and_formula.csv": HEAD + line(lead(id="6", first="=cmd|' /C calc'!A0", last="Le\x00e")),
        "i_utf16.csv": csv_text(lead(id="7", last="Ølund")).encode("utf-16"),
        "j_huge_field.csv": csv_text(lead(id="8", company=BIG)),
        "k_header_only.csv": HEAD,
        "z_good.csv": csv_text(lead(id="good-1", last="Good"), bo(id="good-2")),
    }
    for name, content in hostile.items():
        write(landing, "forms", name, content)
    report = ingest(conn, landing, LEADS)

    statuses = {
        Path(f.file).name: (f.status, f.rows_read, f.rows_loaded, f.rows_quarantined, f.field_issues)
        for f in report.files
    }
    assert statuses == {
        "a_empty.csv": ("empty", 0, 0, 0, 0),
        "b_duplicate_header.csv": ("rejected", 1, 0, 1, 0),
        "c_reserved_column.csv": ("rejected", 1, 0, 1, 0),
        "d_latin1_header.csv": ("loaded", 1, 1, 0, 0),
        "e_missing_column.csv": ("rejected", 1, 0, 1, 0),
        "f_unbalanced_quote.csv": ("loaded", 1, 0, 1, 0),
        "g_cut_off.csv": ("loaded", 2, 1, 1, 0),
        "h_nul_and_formula.csv": ("loaded", 1, 1, 0, 2),
        "i_utf16.csv": ("loaded", 1, 1, 0, 0),
        "j_huge_field.csv": ("loaded", 1, 1, 0, 1),
        "k_header_only.csv": ("empty", 0, 0, 0, 0),
        "z_good.csv": ("loaded", 2, 2, 0, 0),
    }
    assert [f.status for f in report.files][-1] == "loaded"
    assert conn.execute(
        "select source_record_id, last_name, email from raw.lead_records where _file = 'forms/z_good.csv' order by 1"
    ).fetchall() == [("good-1", "Good", "ann@x.co"), ("good-2", "Ray", "bo@x.co")]
    assert conn.execute("select source_record_id from raw.lead_records order by 1").fetchall() == [
        ("1",),
        ("4",),
        ("6",),
        ("7",),
        ("8",),
        ("good-1",),
        ("good-2",),
    ]
    assert conn.execute("select count(*) from raw.ingest_ledger").fetchone()[0] == len(hostile)


def test_hostile_jsonl_files_in_one_folder_do_not_stop_the_run(landing, conn):
    hostile = {
        "a_deep.jsonl": jsonl("[" * 100_000 + "]" * 100_000),
        "b_surrogate.jsonl": '{"id": "s", "visitor": {"email": "s@x.co", "last": "\\udc00"}}\n',
        "c_not_objects.jsonl": jsonl("[]", "1", '"x"'),
        "d_invalid.jsonl": "{nope\n",
        "e_reserved_key.jsonl": jsonl({"id": "r", "_row_number": 1, "visitor": {"email": "r@x.co"}}),
        "f_utf16.jsonl": jsonl({"id": "u", "visitor": {"email": "u@x.co", "last": "Ølund"}}).encode("utf-16"),
        "g_empty.jsonl": "",
        "z_good.jsonl": jsonl({"id": "good", "visitor": {"email": "good@x.co", "last": "Good"}}),
    }
    for name, content in hostile.items():
        write(landing, "chat", name, content)
    report = ingest(conn, landing, CHAT)
    statuses = {
        Path(f.file).name: (f.status, f.rows_read, f.rows_loaded, f.rows_quarantined, f.field_issues)
        for f in report.files
    }
    assert statuses == {
        "a_deep.jsonl": ("loaded", 1, 0, 1, 0),
        "b_surrogate.jsonl": ("loaded", 1, 1, 0, 1),
        "c_not_objects.jsonl": ("loaded", 3, 0, 3, 0),
        "d_invalid.jsonl": ("loaded", 1, 0, 1, 0),
        "e_reserved_key.jsonl": ("loaded", 1, 0, 1, 0),
        "f_utf16.jsonl": ("loaded", 1, 1, 0, 0),
        "g_empty.jsonl": ("empty", 0, 0, 0, 0),
        "z_good.jsonl": ("loaded", 1, 1, 0, 0),
    }
    assert conn.execute(
        "select source_record_id, last_name, email from raw.lead_records order by 1"
    ).fetchall() == [
        ("good", "Good", "good@x.co"),
        ("s", None, "s@x.co"),
        ("u", "Ølund", "u@x.co"),
    ]


# ---------------------------------------------------------------- files arriving


def test_a_duplicate_file_under_another_name_is_skipped(landing, conn):
    content = csv_text(lead(), bo())
    write(landing, "forms", "export.csv", content)
    write(landing, "forms", "export (1).csv", content)
    first = ingest(conn, landing, LEADS)
    assert [(Path(f.file).name, f.status) for f in first.files] == [
        ("export (1).csv", "loaded"),
        ("export.csv", "skipped"),
    ]
    assert [f.message for f in first.files][1] == "content already ingested"

    shutil.copy(landing / "forms" / "export.csv", landing / "forms" / "export-copy.csv")
    again = ingest(conn, landing, LEADS)
    assert {Path(f.file).name: f.status for f in again.files} == {
        "export (1).csv": "skipped",
        "export-copy.csv": "skipped",
        "export.csv": "skipped",
    }
    assert conn.execute("select count(*) from raw.lead_records").fetchone()[0] == 2
    assert [row[:3] for row in ledger(conn, "forms")] == [("forms/export (1).csv", "loaded", 2)]


def test_a_file_still_being_written_waits_and_then_loads_in_full(landing, conn):
    path = write(landing, "forms", "live.csv", csv_text(lead(), bo()) + "3,Cy,Fo", settled=False)
    first = ingest(conn, landing, LEADS)
    assert [(f.status, f.rows_read) for f in first.files] == [("deferred", 0)]
    assert "its last line is incomplete" in first.files[0].message
    for table in ("lead_records", "quarantine", "field_issues", "ingest_ledger"):
        assert conn.execute(f"select count(*) from raw.{table}").fetchone()[0] == 0, table

    with path.open("a") as handle:  # the writer finishes
        handle.write("x,cy@x.co,,,,,,,\n")
    second = ingest(conn, landing, LEADS)
    assert [(f.status, f.rows_read, f.rows_loaded, f.rows_quarantined) for f in second.files] == [
        ("loaded", 3, 3, 0)
    ]
    assert loaded(conn, LEADS, LEAD_COLUMNS) == [
        (1, "1", "Ann", "Lee", "ann@x.co"),
        (2, "2", "Bo", "Ray", "bo@x.co"),
        (3, "3", "Cy", "Fox", "cy@x.co"),
    ]
    assert [row[:4] for row in ledger(conn, "forms")] == [("forms/live.csv", "loaded", 3, 3)]


def test_a_fresh_file_that_ends_in_a_newline_is_not_deferred(landing, conn):
    write(landing, "forms", "fresh.csv", csv_text(lead()), settled=False)
    assert [f.status for f in ingest(conn, landing, LEADS).files] == ["loaded"]


def test_an_unknown_encoding_is_a_config_error_not_a_crash():
    for name in ("klingon", "base64"):  # unknown, and a codec that is not a text encoding
        with pytest.raises(
            ValidationError, match=rf"csv.encoding\n.*'{name}' is not a text encoding Python knows"
        ):
            SourceConfig(name="x", entity="lead", format="csv", csv={"encoding": name})
    assert (
        SourceConfig(name="x", entity="lead", format="csv", csv={"encoding": "cp1252"}).csv.encoding
        == "cp1252"
    )


@pytest.mark.xfail(
    strict=True,
    reason=(
        "an unbalanced quote makes Python's csv reader run the field to the end of the file: the rows after it "
        "are inside the quarantined row's raw_row, not read on their own; recovering needs the reader to re-split "
        "a bad multi-line record into its physical lines (a reader restructuring)"
    ),
)
def test_rows_after_an_unbalanced_quote_are_read_on_their_own(landing, conn):
    write(landing, "forms", "a.csv", HEAD + '1,"Ann,Lee,ann@x.co,,,,,,,x\n' + line(bo()))
    ingest(conn, landing, LEADS)
    assert loaded(conn, LEADS, "source_record_id") == [("2",)]


@pytest.mark.xfail(
    strict=True,
    reason=(
        "a JSON object that repeats a key keeps one value silently, and not the same one on both paths: polars' "
        "reader (a chunk of plain objects) keeps the first, Python's json (a chunk with any odd line) the last"
    ),
)
def test_a_repeated_json_key_is_read_the_same_whatever_else_the_file_holds(landing, conn):
    line = '{"id": "first", "id": "last", "visitor": {"email": "a@x.co"}}\n'
    write(landing, "chat", "a_alone.jsonl", line)
    write(landing, "chat", "b_beside_a_bad_line.jsonl", line + "[]\n")
    ingest(conn, landing, CHAT)
    ids = conn.execute("select source_record_id from raw.lead_records order by _file").fetchall()
    assert ids[0] == ids[1]
