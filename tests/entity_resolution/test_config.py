"""config/entity_resolution.yml: the shipped file is valid, dbt's copy of it is the same, and every
value that would reach the SQL wrong is refused with the file, the key and the fix."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from entity_resolution.config import (
    CONFIG_PATH,
    DBT_PROJECT_YML,
    LEVEL_NAMES,
    ErConfigError,
    dbt_default_block,
    load_er_config,
    parse_er_config,
    write_dbt_default,
)
from leadhouse.settings import DBT_PROJECT_DIR
from tests import config_edits
from tests.config_edits import DROP

SHIPPED = yaml.safe_load(CONFIG_PATH.read_text())


def test_the_shipped_config_is_valid_and_keeps_its_version():
    config = load_er_config()
    assert config.version == 3
    assert config.dbt_var() == SHIPPED  # nothing added, dropped or converted on the way to dbt


def test_dbt_run_by_hand_reads_the_same_settings():
    """The default dbt_project.yml holds for `dbt build` without --vars is the config file's."""
    by_hand = yaml.safe_load(DBT_PROJECT_YML.read_text())["vars"]["entity_resolution"]
    assert by_hand == load_er_config().dbt_var(), (
        "dbt_project/dbt_project.yml's vars.entity_resolution differs from config/entity_resolution.yml; "
        "run .venv/bin/python -m entity_resolution.config"
    )


def test_the_generated_block_reads_back_as_the_config():
    config = load_er_config()
    block = dbt_default_block(config)
    assert yaml.safe_load(block) == {"entity_resolution": config.dbt_var()}


def test_write_dbt_default_rewrites_a_stale_copy_and_nothing_else(tmp_path):
    project = tmp_path / "dbt_project.yml"
    shutil.copy(DBT_PROJECT_YML, project)
    original = project.read_text()
    stale = parse_er_config({**SHIPPED, "version": 99})
    assert write_dbt_default(stale, project)
    assert yaml.safe_load(project.read_text())["vars"]["entity_resolution"]["version"] == 99
    assert write_dbt_default(load_er_config(), project)
    assert project.read_text() == original
    assert not write_dbt_default(load_er_config(), project)  # up to date: untouched


def test_write_dbt_default_refuses_a_project_without_the_markers(tmp_path):
    project = tmp_path / "dbt_project.yml"
    project.write_text("name: leadhouse\nvars: {}\n")
    with pytest.raises(ErConfigError, match="vars.entity_resolution: expected a block"):
        write_dbt_default(load_er_config(), project)


def changed(path: str, value) -> dict:
    return config_edits.changed(SHIPPED, path, value)


# (what is changed, the value, the key the error names, words of the fix)
INVALID = [
    # Defects of the old code: each of these reached the SQL.
    ("em.iterations", 0, "em.iterations", "at least 1 iteration"),  # params_-1
    ("em.initial_match_share", 0, "em.initial_match_share", "strictly between 0 and 1"),  # ln(0)
    ("em.initial_match_share", 1, "em.initial_match_share", "strictly between 0 and 1"),
    (
        "em.prior_anchor",
        {"comparison": "e_mail", "level": 3},
        "em.prior_anchor.comparison",
        "'e_mail' is not a comparison; use one of email, name_in_email",
    ),  # an empty prior
    (
        "em.prior_anchor",
        {"comparison": "phone", "level": 3},
        "em.prior_anchor.level",
        "no level 3; use one of 2 (exact), 1 (same_last_7_digits)",
    ),
    (
        "comparisons.0.name",
        "e-mail",
        "comparisons[e-mail].name",
        "lower-case letters, digits and _",
    ),  # gamma_e-mail
    ("comparisons.1.name", "email", "comparisons[email].name", "another comparison has this name"),
    ("comparisons.0.type", "fuzzy", "comparisons[email].type", "Input should be 'email', 'email_name'"),
    (
        "comparisons.3.column",
        "first_name",
        "comparisons[first_name].column",
        "'first_name' is not a column; use a column of int_er_records_prepared: first_name_std",
    ),
    (
        "comparisons.3.swapped_with",
        "surname",
        "comparisons[first_name].swapped_with",
        "'surname' is not a column",
    ),
    (
        "comparisons.3.swapped_with",
        "first_name_std",
        "comparisons[first_name].swapped_with",
        "the compared column itself",
    ),
    ("comparisons.5.column", DROP, "comparisons[company].column", "type string compares one column"),
    (
        "comparisons.2.column",
        "phone_10",
        "comparisons[phone].column",
        "compares its own columns; remove column",
    ),
    (
        "comparisons.6.nicknames",
        True,
        "comparisons[city].nicknames",
        "only a comparison of type name uses it",
    ),
    (
        "comparisons.6.fuzzy",
        [{"levenshtein": 1}],
        "comparisons[city].fuzzy",
        "only a comparison of type string",
    ),
    (
        "comparisons.5.fuzzy",
        [{"levenshtein": 1, "jaro_winkler": 0.9}],
        "comparisons[company].fuzzy[0]",
        "exactly one of",
    ),
    (
        "comparisons.5.fuzzy",
        [{"jaro_winkler": 1.5}],
        "comparisons[company].fuzzy[0].jaro_winkler",
        "[0.8, 1]",
    ),
    (
        "comparisons.5.fuzzy",
        [{"jaro_winkler": 0.7}],
        "comparisons[company].fuzzy[0].jaro_winkler",
        "the engines' Jaro-Winkler disagree",
    ),
    (
        "comparisons.0.tf",
        {"column": "email_user", "level": 2},
        "comparisons[email].tf.column",
        "'email_user' is not a column",
    ),
    (
        "comparisons.0.tf",
        {"column": "email_local", "level": 4},
        "comparisons[email].tf.level",
        "type email has no level 4; use one of 3 (exact), 2 (same_local_part), 1 (similar)",
    ),
    ("comparisons.2.tf", True, "comparisons[phone].tf", "type phone has none"),
    (
        "comparisons.0.tf",
        {"column": "email_local"},
        "comparisons[email].tf",
        "use true (its column's value frequencies) or {column",
    ),
    ("comparisons.0.weight", 2, "comparisons[email].weight", "unknown key"),
    ("comparisons", [], "comparisons", "add at least one"),
    ("blocking.rules.0.keys", ["email"], "blocking.rules[email].keys", "'email' is not a column"),
    ("blocking.rules.0.keys", [], "blocking.rules[email].keys", "no keys"),
    ("blocking.rules.1.name", "email", "blocking.rules[email].name", "another rule has this name"),
    ("blocking.rules.1.name", "Phone", "blocking.rules[Phone].name", "lower-case letters"),
    ("blocking.rules.2.max_block_size", 1, "blocking.rules[email_local_part].max_block_size", "2 or more"),
    (
        "blocking.rules.12.one_edit_in",
        "surname",
        "blocking.rules[last_name_typo].one_edit_in",
        "'surname' is not a column",
    ),
    (
        "blocking.rules.12.one_edit_in",
        "first_name_block",
        "blocking.rules[last_name_typo].one_edit_in",
        "also one of keys",
    ),
    (
        "blocking.rules.0.typo_max_records",
        3,
        "blocking.rules[email].typo_max_records",
        "only a rule with one_edit_in",
    ),
    ("blocking.rules.12.typo_max_share", 0, "blocking.rules[last_name_typo].typo_max_share", "(0, 1]"),
    ("blocking.max_block_size", 1, "blocking.max_block_size", "2 or more"),
    ("blocking.rules", [], "blocking.rules", "add at least one rule"),
    (
        "blocking.rules",
        [{"name": f"rule_{i}", "keys": ["email_key"]} for i in range(64)],
        "blocking.rules",
        "at most 63",
    ),
    ("thresholds.review_low", 0.99, "thresholds", "0 <= cannot_link_below < review_low <= match <= 1"),
    ("thresholds.cannot_link_below", 0.5, "thresholds", "0 <= cannot_link_below < review_low"),
    ("thresholds.match", 1.5, "thresholds", "match <= 1"),
    ("thresholds.match", DROP, "thresholds.match", "required key is missing"),
    (
        "em.training_sessions.0.blocking_rule",
        "names",
        "em.training_sessions[names].blocking_rule",
        "'names' is not a blocking rule; use one of email, phone",
    ),
    (
        "em.training_sessions.1.blocking_rule",
        "full_name",
        "em.training_sessions[full_name].blocking_rule",
        "another session",
    ),
    (
        "em.training_sessions.2.fixes",
        ["telephone"],
        "em.training_sessions[phone].fixes",
        "'telephone' is not a comparison",
    ),
    (
        "em.training_sessions",
        [{"blocking_rule": "email", "fixes": ["email"]}],
        "em.training_sessions",
        "every session fixes 'email', so EM never estimates it",
    ),
    ("em.training_sessions", [], "em.training_sessions", "list at least one"),
    ("em.prior_anchor", DROP, "em.prior_anchor", "set {comparison: email, level: 3}"),
    ("em.u_sample_records", 1, "em.u_sample_records", "2 or more"),
    ("em.iterations", 2.5, "em.iterations", "Input should be a valid integer"),
    ("baseline.emial", 100, "baseline.emial", "unknown key"),
    ("baseline.phone", DROP, "baseline.phone", "required key is missing"),
    ("baseline.email", "lots", "baseline.email", "valid integer"),
    (
        "comparisons.5",
        {"name": "company", "type": "exact", "column": "company_key"},
        "baseline",
        "comparison 'company' of type string",
    ),
    ("mode", "fuzzy", "mode", "Input should be 'probabilistic' or 'baseline'"),
    ("version", 0, "version", "positive whole number"),
    ("versoin", 4, "versoin", "unknown key"),
]


@pytest.mark.parametrize(
    ("path", "value", "key", "fix"), INVALID, ids=[f"{p}={v!r}"[:60] for p, v, *_ in INVALID]
)
def test_invalid_settings_are_refused_with_the_file_the_key_and_the_fix(path, value, key, fix):
    with pytest.raises(ErConfigError) as error:
        parse_er_config(changed(path, value))
    message = str(error.value)
    assert message.startswith(f"{CONFIG_PATH}: invalid entity-resolution config\n"), message
    assert f"  {key}: " in message, message
    assert fix in message, message


def test_mode_baseline_needs_the_points_rule():
    data = changed("mode", "baseline")
    del data["baseline"]
    with pytest.raises(ErConfigError, match=r"  baseline: mode is baseline but the points rule is not set"):
        parse_er_config(data)
    assert parse_er_config(changed("mode", "baseline")).mode == "baseline"


def test_estimate_u_needs_neither_sessions_nor_anchor():
    data = changed("em.estimate_u", True)
    del data["em"]["training_sessions"], data["em"]["prior_anchor"]
    assert parse_er_config(data).em.estimate_u


def test_every_problem_is_listed_at_once():
    data = changed("em.iterations", 0)
    data["thresholds"]["match"] = 0.1
    message = str(pytest.raises(ErConfigError, parse_er_config, data).value)
    assert "  em.iterations: " in message and "  thresholds: " in message


def test_unreadable_files_name_the_file(tmp_path):
    missing = tmp_path / "entity_resolution.yml"
    with pytest.raises(ErConfigError, match=f"{re.escape(str(missing))}: entity-resolution config not found"):
        load_er_config(missing)
    missing.write_text("version: [3\n")
    with pytest.raises(ErConfigError, match="not valid YAML"):
        load_er_config(missing)
    missing.write_text("- version\n")
    with pytest.raises(ErConfigError, match="expected a mapping of keys"):
        load_er_config(missing)


def macro_level_names() -> dict[str, dict[int, str]]:
    """The fixed level names of er_level_names (macros/entity_resolution/er_comparisons.sql)."""
    text = (DBT_PROJECT_DIR / "macros" / "entity_resolution" / "er_comparisons.sql").read_text()
    body = text[text.index("{% macro er_level_names(") :]
    body = body[: body.index("{%- endmacro %}")]
    found = {}
    for kind, names in re.findall(r"c\.type == '(\w+)' -%}\s*{%- set names = ({[^}]*}) -%}", body):
        found[kind] = yaml.safe_load(names.replace("'", '"'))
    (exact,) = re.findall(r"{%- else -%}\s*{%- set names = ({[^}]*}) -%}", body)
    found["exact"] = yaml.safe_load(exact.replace("'", '"'))
    return found


def test_level_names_agree_with_the_macro():
    fixed = {kind: names for kind, names in LEVEL_NAMES.items() if kind != "string"}
    assert macro_level_names() == fixed
