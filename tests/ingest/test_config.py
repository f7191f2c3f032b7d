from pathlib import Path

import pytest

from ingest.config import SourceConfigError, load_source_config, load_source_configs
from leadhouse.settings import PROJECT_ROOT


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yml"
    path.write_text(text)
    return path


def test_every_committed_config_loads():
    configs = load_source_configs(PROJECT_ROOT / "config" / "sources")
    assert {c.name for c in configs} == {
        "web_forms",
        "ad_leads",
        "referrals",
        "call_center",
        "events",
        "chat",
        "walk_ins",
        "crm_export",
        "crm_activities",
        "crm_status_changes",
        "crm_agents",
        "ad_spend",
        "match_reviews",
        "crm_database_leads",
        "crm_database_activities",
        "crm_database_status_changes",
        "crm_database_agents",
        "crm_database_deletions",
    }
    lead_channels = {c.defaults.get("channel") for c in configs if c.entity == "lead"}
    assert lead_channels == {
        "web_form",
        "ad_form",
        "referral",
        "call_center",
        "event",
        "chat",
        "walk_in",
        "crm",
    }
    datasets = load_source_configs(PROJECT_ROOT / "config" / "public_datasets")
    assert {c.name for c in datasets} == {"x_education", "olist_mqls", "olist_closed_deals"}


def test_canonical_source_needs_only_name_and_format(tmp_path):
    config = load_source_config(
        write(tmp_path, "trade_show", "name: trade_show\nentity: lead\nformat: csv\n")
    )
    assert config.file_glob == "*.csv"
    assert config.mapping(["email", "Phone", "last_name", "extra"]) == {
        "email": "email",
        "last_name": "last_name",
    }
    assert config.contact_fields == ("email", "phone", "last_name")


def test_configured_mapping_wins_over_canonical_names(tmp_path):
    config = load_source_config(
        write(tmp_path, "s", "name: s\nentity: lead\nformat: csv\ncolumns:\n  email: Work Email\n")
    )
    # "email" in the file is not used for email because the config maps "Work Email".
    assert config.mapping(["email", "Work Email"]) == {"email": "Work Email"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: s\nentity: lead\nformat: csv\ncolumns:\n  emial: E\n",
            "columns.emial: 'emial' is not a column of the lead schema",
        ),
        ("name: s\nentity: lead\nformat: xml\n", "format: Input should be 'csv' or 'jsonl'"),
        ("name: s\nentity: lead\nformat: csv\ndelimiter: ';'\n", "delimiter: unknown key"),
        ("name: s\nentity: lead\n", "format: required key is missing"),
        (
            "name: s\nentity: lead\nformat: csv\ndate_formats:\n  email: ['%Y']\n",
            "'email' is not a date or timestamp column",
        ),
        ("name: other\nentity: lead\nformat: csv\n", "differs from the file name"),
        ("name: s\nentity: lead\nformat: csv\ncolumns: [a, b\n", "not valid YAML"),
    ],
)
def test_bad_config_names_file_key_and_fix(tmp_path, text, expected):
    path = write(tmp_path, "s", text)
    with pytest.raises(SourceConfigError) as error:
        load_source_config(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_missing_config_directory_says_which_variable(tmp_path):
    with pytest.raises(SourceConfigError, match="LEADHOUSE_SOURCES"):
        load_source_configs(tmp_path / "nope")
