from datetime import UTC, datetime

import polars as pl

from ingest.config import SourceConfig
from ingest.normalize import to_canonical
from ingest.readers import ROW_NUMBER


def frame(rows: list[dict]) -> tuple[pl.DataFrame, list[str]]:
    columns = list(rows[0])
    data = {c: [r.get(c) for r in rows] for c in columns} | {ROW_NUMBER: list(range(1, len(rows) + 1))}
    return pl.DataFrame(data, schema={c: pl.String() for c in columns} | {ROW_NUMBER: pl.Int64()}), columns


def config(**overrides) -> SourceConfig:
    return SourceConfig(**({"name": "s", "entity": "lead", "format": "csv"} | overrides))


def test_contact_fields_are_normalized():
    rows, columns = frame(
        [
            {
                "email": "  Jane.Doe@Example.COM ",
                "phone": "(212) 555-0143",
                "first_name": "JANE",
                "last_name": "mcDonald",
                "company": "  Acme   Inc. ",
            },
            {
                "email": "mailto:BOB@x.io",
                "phone": "+44 20 7946 0958",
                "first_name": "bob",
                "last_name": "O'BRIEN",
                "company": "Beta LLC",
            },
        ]
    )
    result = to_canonical(rows, columns, config())
    out = result.frame
    assert out["email"].to_list() == ["jane.doe@example.com", "bob@x.io"]
    assert out["phone"].to_list() == ["+12125550143", "+442079460958"]
    assert out["first_name"].to_list() == ["Jane", "Bob"]
    assert out["last_name"].to_list() == ["mcDonald", "O'Brien"]  # mixed case is kept as typed
    assert out["company"].to_list() == ["Acme Inc.", "Beta LLC"]
    assert out["phone_is_valid"].to_list() == [True, True]
    assert result.issues.height == 0


def test_conversion_failures_become_issues_not_silent_nulls():
    rows, columns = frame(
        [
            {
                "email": "a@b.co",
                "phone": "12345",
                "company_size": "51-200",
                "budget": "$25,000",
                "do_not_call": "maybe",
                "created_at": "yesterday",
            }
        ]
    )
    result = to_canonical(rows, columns, config())
    assert result.frame["budget"].to_list() == [25000.0]
    assert result.frame.select(
        "company_size", "phone", "phone_is_valid", "do_not_call", "created_at"
    ).rows() == [(None, None, None, None, None)]
    issues = sorted(
        result.issues.select("column_name", "native_column", "raw_value", "reason", "action").rows()
    )
    assert issues == [
        ("company_size", "company_size", "51-200", "is not a whole number (or is out of range)", "nulled"),
        (
            "created_at",
            "created_at",
            "yesterday",
            "matches none of the formats "
            "['%Y-%m-%dT%H:%M:%S%.fZ', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S%.f%z', '%Y-%m-%dT%H:%M:%S%z', "
            "'%Y-%m-%d %H:%M:%S%.f', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d']",
            "nulled",
        ),
        (
            "do_not_call",
            "do_not_call",
            "maybe",
            "is not a yes/no value (true/t/yes/y/1 or false/f/no/n/0)",
            "nulled",
        ),
        (
            "phone",
            "phone",
            "12345",
            "is not a possible phone number (region US): too short, too long or no number",
            "nulled",
        ),
    ]


def test_a_whole_phone_number_with_an_unknown_area_code_is_kept_and_flagged():
    rows, columns = frame([{"phone": "(921) 835-1828"}, {"phone": "8529673995"}, {"phone": "555-0100"}])
    result = to_canonical(rows, columns, config())
    assert result.frame.select("phone", "phone_is_valid").rows() == [
        ("+19218351828", False),
        ("+18529673995", False),
        (None, None),
    ]
    assert result.issues.select("raw_value", "action").rows() == [
        ("555-0100", "nulled"),
        ("(921) 835-1828", "kept"),
        ("8529673995", "kept"),
    ]


def test_dates_in_configured_formats_and_timezones_become_utc():
    rows, columns = frame([{"t": "03/04/2025 10:22", "z": "2025-03-04T10:22:11+0200", "e": "1741083731"}])
    out_local = to_canonical(
        rows,
        columns,
        config(
            columns={"created_at": "t"},
            date_formats={"created_at": ["%m/%d/%Y %H:%M"]},
            timezone="America/New_York",
        ),
    ).frame
    assert out_local["created_at"].to_list() == [datetime(2025, 3, 4, 15, 22, tzinfo=UTC)]
    out_offset = to_canonical(
        rows,
        columns,
        config(columns={"created_at": "z"}, date_formats={"created_at": ["%Y-%m-%dT%H:%M:%S%z"]}),
    ).frame
    assert out_offset["created_at"].to_list() == [datetime(2025, 3, 4, 8, 22, 11, tzinfo=UTC)]
    out_epoch = to_canonical(
        rows, columns, config(columns={"created_at": "e"}, date_formats={"created_at": ["epoch"]})
    ).frame
    assert out_epoch["created_at"].to_list() == [datetime(2025, 3, 4, 10, 22, 11, tzinfo=UTC)]


def test_split_name_orders_and_allowed_values_case():
    rows, columns = frame(
        [{"n": "DOE, JANE", "tl": "1-3 MONTHS"}, {"n": "Mary Ann Smith", "tl": "Immediate"}]
    )
    out = to_canonical(
        rows, columns, config(split_name={"column": "n", "order": "last_first"}, columns={"timeline": "tl"})
    ).frame
    assert out.select("first_name", "last_name").rows() == [("Jane", "Doe"), ("Ann Smith", "Mary")]
    out = to_canonical(rows, columns, config(split_name={"column": "n", "order": "first_last"})).frame
    assert out.select("first_name", "last_name").rows() == [("Jane", "Doe"), ("Mary", "Ann Smith")]
    assert to_canonical(rows, columns, config(columns={"timeline": "tl"})).frame["timeline"].to_list() == [
        "1-3 months",
        "immediate",
    ]


def test_unmapped_columns_are_kept_as_attributes_and_defaults_fill_gaps():
    rows, columns = frame([{"email": "a@b.co", "Notes": "call after 5", "Page": None}])
    out = to_canonical(rows, columns, config(defaults={"channel": "event"})).frame
    assert out["attributes"].to_list() == ['{"Notes":"call after 5","Page":null}']
    assert out["channel"].to_list() == ["event"]


def test_sources_without_ids_get_stable_content_ids():
    rows, columns = frame([{"email": "a@b.co"}, {"email": "c@d.co"}, {"email": "a@b.co"}])
    ids = to_canonical(rows, columns, config()).frame["source_record_id"].to_list()
    assert len(set(ids)) == 3
    assert ids[0].rsplit("-", 1)[0] == ids[2].rsplit("-", 1)[0]  # same content, numbered occurrence
    again = to_canonical(rows, columns, config()).frame["source_record_id"].to_list()
    assert ids == again
