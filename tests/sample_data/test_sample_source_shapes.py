"""Every landing file has the native shape its config in config/sources/*.yml describes."""

from __future__ import annotations

import csv
import fnmatch
import io
import re

import phonenumbers
import polars as pl
import pytest

from ingest.schemas import LEAD, STATUS_CHANGE, TIMELINES

BOOLEANS = {"true", "false", "yes", "no", "y", "n", "1", "0", "t", "f"}
EMAIL = re.compile(r"(?i)^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


def test_every_config_has_files_with_its_extension(dataset, configs) -> None:
    assert len(configs) == 12  # 8 lead sources, activities, status changes, agents, ad spend
    for name, conf in configs.items():
        pattern = conf.get("files", f"*.{conf['format']}")
        files = dataset.files(name)
        assert files, name
        assert all(fnmatch.fnmatch(p.name, pattern) for p in files), (name, pattern)


def test_mapped_native_columns_exist(dataset, configs) -> None:
    for name, conf in configs.items():
        columns = set(dataset.read(name).columns)
        wanted = set(conf.get("columns", {}).values())
        if "split_name" in conf:
            wanted.add(conf["split_name"]["column"])
        assert wanted <= columns, (name, wanted - columns)


def test_nested_columns_are_nested_objects(dataset, configs) -> None:
    for name, conf in configs.items():
        dotted = [c for c in conf.get("columns", {}).values() if "." in c]
        if not dotted:
            continue
        raw = pl.read_ndjson(dataset.files(name)[0])
        for column in dotted:
            parent, child = column.split(".", 1)
            assert isinstance(raw.schema[parent], pl.Struct) and child in raw.schema[parent].to_schema(), (
                column
            )


def test_crm_tables_use_canonical_names(dataset) -> None:
    export = dataset.read("crm_export").drop("_file").columns
    canonical = [c.name for c in LEAD.columns if c.name != "channel" and not c.derived]
    assert export == canonical + ["Lead_Rating__c", "Preferred_Contact__c"]  # custom fields last
    changes = dataset.read("crm_status_changes").drop("_file").columns
    assert changes == STATUS_CHANGE.column_names


def _non_error(dataset, source: str, conf: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = dataset.read(source)
    truth = dataset.source_records.filter(pl.col("source") == source)
    frame = frame.join(
        truth.select(pl.col("source_record_id").alias(dataset.id_column(source)), "injected_error"),
        on=dataset.id_column(source),
        how="left",
    )
    return frame.filter(pl.col("injected_error").is_null()), frame.filter(
        pl.col("injected_error").is_not_null()
    )


def _parse_dates(values: pl.Series, formats: list[str]) -> pl.Series:
    if formats == ["epoch"]:
        return values.cast(pl.Int64, strict=False)
    parsed = [
        values.str.strptime(
            pl.Datetime("us", "UTC") if "%z" in f else pl.Datetime("us"), f, strict=False
        ).dt.replace_time_zone(None)
        for f in formats
    ]
    return pl.select(pl.coalesce(parsed))[:, 0]


@pytest.mark.parametrize(
    "source",
    ["web_forms", "ad_leads", "referrals", "call_center", "events", "chat", "walk_ins", "crm_export"],
)
def test_lead_values_parse(dataset, configs, source: str) -> None:
    conf = configs[source]
    cols = conf.get("columns", {c: c for c in LEAD.column_names})
    good, bad = _non_error(dataset, source, conf)
    formats = conf.get("date_formats", {}).get("created_at", ["%Y-%m-%dT%H:%M:%SZ"])
    assert _parse_dates(good[cols["created_at"]], formats).null_count() == 0
    bad_dates = bad.filter(pl.col("injected_error").str.starts_with("unparseable_date"))
    assert _parse_dates(bad_dates[cols["created_at"]], formats).null_count() == bad_dates.height

    if "phone" in cols:
        phones = good[cols["phone"]].drop_nulls()
        assert phones.len() > 0
        assert all(phonenumbers.is_valid_number(phonenumbers.parse(p, "US")) for p in phones)
    if "email" in cols:
        assert good[cols["email"]].drop_nulls().str.contains(EMAIL.pattern).all()
    for field in ("timeline", "purchase_timeline"):
        if field in cols:
            assert set(good[cols[field]].drop_nulls()) <= set(TIMELINES)
    for field in ("budget", "company_size", "annual_revenue"):
        if field in cols:
            numbers = good[cols[field]].drop_nulls().str.replace_all(r"[$,]", "")
            assert numbers.cast(pl.Float64, strict=False).null_count() == 0, field
    for field in ("do_not_email", "do_not_call", "budget_confirmed", "is_decision_maker"):
        if field in cols:
            assert set(good[cols[field]].drop_nulls().str.to_lowercase()) <= BOOLEANS

    # ingestion's rule: a lead needs one of email, phone, last_name
    name = conf.get("split_name", {}).get("column") or cols.get("last_name")
    reachable = [c for c in (cols.get("email"), cols.get("phone"), name) if c]
    assert good.filter(pl.all_horizontal(pl.col(c).is_null() for c in reachable)).is_empty()


def test_names_follow_the_split_order(dataset, configs) -> None:
    calls = dataset.read("call_center")["CALLER_NAME"].drop_nulls()
    assert calls.str.contains(r"^[A-Z'\-]+, [A-Z'\-]+$").mean() > 0.99
    forms = dataset.read("ad_leads")["full_name"].drop_nulls()
    assert forms.str.contains(r"^\S+ \S+$").mean() > 0.99


def test_injected_errors_are_visible(dataset, configs) -> None:
    for source in (
        "web_forms",
        "ad_leads",
        "call_center",
        "events",
        "walk_ins",
        "crm_export",
        "referrals",
        "chat",
    ):
        conf = configs[source]
        cols = conf.get("columns", {c: c for c in LEAD.column_names})
        _, bad = _non_error(dataset, source, conf)
        for row in bad.iter_rows(named=True):
            kind = row["injected_error"].split(":")[0]
            if kind == "invalid_email":
                assert not EMAIL.match(row[cols["email"]])
            elif kind == "invalid_phone":
                value = row[cols["phone"]]
                try:
                    assert not phonenumbers.is_valid_number(phonenumbers.parse(value, "US"))
                except phonenumbers.NumberParseException:
                    pass
            elif kind == "missing_contact":
                name = conf.get("split_name", {}).get("column") or cols["last_name"]
                assert all(row.get(cols.get(c, "")) is None for c in ("email", "phone")) and row[name] is None


def test_truncated_lines_end_their_files(dataset) -> None:
    truth = dataset.source_records.filter(pl.col("injected_error").str.starts_with("truncated_line"))
    assert truth.height > 0
    for row in truth.iter_rows(named=True):
        path = dataset.out / row["file"]
        text = path.read_text()
        sep = {"call_center": "|", "events": ";"}.get(row["source"], ",")
        header, *lines = list(csv.reader(io.StringIO(text), delimiter=sep))
        assert not text.endswith("\n")
        assert lines[-1][0] == row["source_record_id"] and row["row_number"] == len(lines)
        assert 2 <= len(lines[-1]) < len(header)
        assert all(len(line) == len(header) for line in lines[:-1])
