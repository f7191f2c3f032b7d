"""Sync configs: the shipped ones load; mistakes are refused with the file, the key and the fix."""

from __future__ import annotations

import pytest
import yaml

from exports.config import SyncConfigError, load_sync_config, load_sync_configs
from exports.delivery import parse_retry_after
from exports.destinations.files import column_name
from leadhouse.settings import PROJECT_ROOT

BASE = {
    "name": "s",
    "model": "marts.lead_score_exports",
    "key": "lead_id",
    "fields": {"email": "email", "p": {"column": "conversion_probability", "type": "number"}},
    "destination": {"kind": "http", "url": "http://127.0.0.1:9/api"},
}


def load(tmp_path, **changes):
    data = BASE | changes
    path = tmp_path / f"{data['name']}.yml"
    path.write_text(yaml.safe_dump(data))
    return load_sync_config(path)


def test_the_shipped_syncs_load():
    configs = {c.name: c for c in load_sync_configs(PROJECT_ROOT / "config" / "exports")}
    assert set(configs) == {
        "crm_database_scores",
        "crm_api_hot_leads",
        "hubspot_lead_scores",
        "salesforce_lead_scores",
    }
    assert configs["crm_database_scores"].mode == "update_only"
    assert configs["crm_api_hot_leads"].filters[0].in_ == ["A", "B"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mode": "merge"}, "mode: Input should be 'upsert', 'update_only', 'insert_only' or 'mirror'"),
        ({"colour": "red"}, "colour: unknown key; remove it or check its spelling (docs/exports.md)"),
        ({"fields": {}}, "fields: map at least one field"),
        ({"fields": {"e": {"column": "email", "type": "uuid"}}}, "fields.e.type: Input should be"),
        ({"destination": {"kind": "ftp"}}, "destination: destination.kind must be postgres, http or file"),
        ({"destination": {"kind": "http"}}, "give `url` or `url_env`"),
        (
            {"destination": {"kind": "http", "url": "https://crm.example/api?token=abc"}},
            "the url carries a credential",
        ),
        (
            {"destination": {"kind": "http", "url": "http://x", "allowed_fields": ["email"]}},
            "fields: p may not be sent to this destination (destination.allowed_fields: email); remove them",
        ),
        (
            {"mode": "mirror", "destination": {"kind": "file"}},
            "mode: a file destination cannot mirror; use upsert or insert_only",
        ),
        (
            {"filters": [{"column": "model_grade"}]},
            "filter on model_grade needs `in: [...]` or `not_null: true`",
        ),
        ({"model": "lead_score_exports"}, "model: String should match pattern"),
        (
            {"mode": "update_only"},
            "mode: a batch upsert API cannot update only (it creates or updates); use upsert",
        ),
    ],
)
def test_mistakes_name_the_file_the_key_and_the_fix(tmp_path, changes, message):
    with pytest.raises(SyncConfigError) as error:
        load(tmp_path, **changes)
    assert str(error.value).startswith(f"{tmp_path / 's.yml'}: invalid sync config")
    assert message in str(error.value)


def test_name_must_match_the_file(tmp_path):
    path = tmp_path / "other.yml"
    path.write_text(yaml.safe_dump(BASE))
    with pytest.raises(SyncConfigError, match="name: 's' differs from the file name"):
        load_sync_config(path)


def test_retry_after_seconds_and_http_dates():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert parse_retry_after("soon") is None


def test_crm_import_column_names():
    assert column_name("email", "hubspot") == "Email"
    assert column_name("conversion_probability", "hubspot") == "Conversion Probability"
    assert column_name("first_name", "salesforce") == "FirstName"
    assert column_name("lead_grade", "salesforce") == "Lead_Grade__c"
    assert column_name("lead_grade", "as_mapped") == "lead_grade"
