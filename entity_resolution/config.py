"""Entity-resolution settings: ``config/entity_resolution.yml``, validated on load.

The settings reach dbt's SQL as text: names become column and CTE names (``gamma_<comparison>``,
``rule_<rule>_blocks``), columns are pasted in, numbers set loop counts and logarithms. So every
value is checked here, before dbt runs: numbers in their ranges, every name that becomes an
identifier spelled as one, every column one that ``int_er_records_prepared`` provides
(``PREPARED_RECORD_COLUMNS``), every reference (a training session's rule, the prior anchor's
comparison and level, the baseline's comparisons) to something that exists. Errors name the file,
the key and the fix. ``python -m entity_resolution.config`` validates the file and rewrites the
copy dbt reads when it is run by hand (``vars.entity_resolution`` in ``dbt_project.yml``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from leadhouse.config_files import (
    ConfigFileError,
    dbt_var_block,
    error_key,
    read_yaml,
    refresh_dbt_copy,
    write_dbt_var_block,
)
from leadhouse.settings import DBT_PROJECT_DIR, PROJECT_ROOT

CONFIG_PATH = PROJECT_ROOT / "config" / "entity_resolution.yml"
DBT_PROJECT_YML = DBT_PROJECT_DIR / "dbt_project.yml"

# The columns of int_er_records_prepared (dbt_project/models/intermediate/leads/; tests/dbt
# checks the model has exactly these): the bookkeeping ones, then the values rules and
# comparisons may name.
PREPARED_RECORD_BOOKKEEPING = (
    "record_id",
    "record_key",
    "first_seen_at",
    "record_fingerprint",
    "_inputs_fingerprint",
)
PREPARED_RECORD_COLUMNS = (
    "first_name_std",
    "last_name_std",
    "first_name_block",
    "last_name_prefix",
    "first_name_initial",
    "name_pair_key",
    "email_key",
    "email_local",
    "name_letters",
    "name_letters_reversed",
    "email_letters",
    "email_spells_name",
    "name_or_email_letters",
    "phone_10",
    "phone_7",
    "company_key",
    "city_std",
    "postal_code",
)

# The levels of each comparison type above 0 (different) and -1 (missing), as the macro
# er_level_names names them (tests/entity_resolution checks they agree). `string` levels depend
# on its `fuzzy` list: see comparison_levels.
LEVEL_NAMES: dict[str, dict[int, str]] = {
    "email": {3: "exact", 2: "same_local_part", 1: "similar"},
    "email_name": {1: "email_spells_name"},
    "phone": {2: "exact", 1: "same_last_7_digits"},
    "name": {4: "exact", 3: "nickname", 2: "similar", 1: "swapped"},
    "string": {},
    "exact": {1: "exact"},
}
ComparisonType = Literal["email", "email_name", "phone", "name", "string", "exact"]
# Types that compare one configured column; the others compare fixed columns of their own.
COLUMN_TYPES = ("name", "string", "exact")
DEFAULT_FUZZY = [{"jaro_winkler": 0.92}]  # er_string_levels

# The baseline's points rule reads these comparisons' levels (int_er_pairs_scored).
BASELINE_COMPARISONS = {
    "email": "email",
    "phone": "phone",
    "first_name": "name",
    "last_name": "name",
    "company": "string",
}

# blocking_rule_mask is a signed 64-bit integer with one bit per rule.
MAX_BLOCKING_RULES = 63
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

CONFIG_FILE = "config/entity_resolution.yml"  # as the end marker in dbt_project.yml names it


class ErConfigError(ConfigFileError):
    """The entity-resolution config is wrong; the message names the file, the key and the fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Thresholds(_Section):
    match: float
    review_low: float
    cannot_link_below: float


class BlockingRule(_Section):
    name: str
    keys: list[str]
    max_block_size: int | None = None
    one_edit_in: str | None = None
    # er_one_edit_blocks' defaults: 3, 0.05, 30.
    typo_max_records: int | None = None
    typo_max_share: float | None = None
    max_length: int | None = None


class Blocking(_Section):
    max_block_size: int
    rules: list[BlockingRule]


class FuzzyLevel(_Section):
    jaro_winkler: float | None = None
    levenshtein: int | None = None


class TfColumn(_Section):
    column: str
    level: int


class Comparison(_Section):
    name: str
    type: ComparisonType
    column: str | None = None
    swapped_with: str | None = None
    nicknames: bool | None = None
    tf: bool | TfColumn | None = None
    fuzzy: list[FuzzyLevel] | None = None


class TrainingSession(_Section):
    blocking_rule: str
    fixes: list[str] | None = None


class PriorAnchor(_Section):
    comparison: str
    level: int


class Em(_Section):
    iterations: int
    initial_match_share: float
    estimate_u: bool
    u_sample_records: int
    training_sessions: list[TrainingSession] | None = None
    prior_anchor: PriorAnchor | None = None


class Baseline(_Section):
    email: int
    phone: int
    name_and_company: int
    duplicate_above: int


class ErConfig(_Section):
    version: int
    mode: Literal["probabilistic", "baseline"]
    thresholds: Thresholds
    blocking: Blocking
    comparisons: list[Comparison]
    em: Em
    baseline: Baseline | None = None

    def dbt_var(self) -> dict[str, Any]:
        """The settings as dbt's ``var('entity_resolution')``: what the file says, normalized;
        unset options are left out, so the macros' defaults apply."""
        return self.model_dump(mode="json", exclude_none=True)

    def comparison(self, name: str) -> Comparison | None:
        return next((c for c in self.comparisons if c.name == name), None)


def comparison_levels(comparison: Comparison) -> dict[int, str]:
    """The levels a comparison grades above 0 (different), by number (er_level_names)."""
    if comparison.type != "string":
        return LEVEL_NAMES[comparison.type]
    fuzzy = (
        [level.model_dump(exclude_none=True) for level in comparison.fuzzy]
        if comparison.fuzzy
        else DEFAULT_FUZZY
    )
    names = {len(fuzzy) + 1: "exact"}
    for rank, level in zip(range(len(fuzzy), 0, -1), fuzzy, strict=True):
        names.update({rank: f"{kind}_{value}" for kind, value in level.items()})  # noqa: B035 - one entry per level
    return names


def _columns(kind: str) -> str:
    return f"{kind} of int_er_records_prepared: {', '.join(PREPARED_RECORD_COLUMNS)}"


def _problems(config: ErConfig) -> Iterator[tuple[str, str]]:
    """(key, what is wrong and how to fix it) for every value the types alone do not rule out."""
    if config.version < 1:
        yield "version", "use a positive whole number (bump it when you change anything here)"
    if config.mode == "baseline" and config.baseline is None:
        yield (
            "baseline",
            "mode is baseline but the points rule is not set; add baseline or set mode: probabilistic",
        )

    t = config.thresholds
    if not 0 <= t.cannot_link_below < t.review_low <= t.match <= 1:
        yield (
            "thresholds",
            (
                f"must satisfy 0 <= cannot_link_below < review_low <= match <= 1 (they are {t.cannot_link_below}, "
                f"{t.review_low}, {t.match}); e.g. cannot_link_below: 0.02, review_low: 0.5, match: 0.95"
            ),
        )

    yield from _blocking_problems(config.blocking)
    yield from _comparison_problems(config.comparisons)
    yield from _em_problems(config)

    if config.baseline is not None:
        for name, kind in BASELINE_COMPARISONS.items():
            comparison = config.comparison(name)
            if comparison is None or comparison.type != kind:
                yield (
                    "baseline",
                    (
                        f"the points rule reads comparison '{name}' of type {kind}; add "
                        f"{{name: {name}, type: {kind}, ...}} to comparisons, "
                        "or remove baseline (and use mode: probabilistic)"
                    ),
                )


def _blocking_problems(blocking: Blocking) -> Iterator[tuple[str, str]]:
    if blocking.max_block_size < 2:
        yield "blocking.max_block_size", "a block pairs at least 2 records; use 2 or more (e.g. 100)"
    if not blocking.rules:
        yield "blocking.rules", "no rules: no record pairs would be compared; add at least one rule"
    if len(blocking.rules) > MAX_BLOCKING_RULES:
        yield (
            "blocking.rules",
            f"at most {MAX_BLOCKING_RULES} rules (each is a bit of a 64-bit blocking_rule_mask)",
        )
    seen: set[str] = set()
    for rule in blocking.rules:
        key = f"blocking.rules[{rule.name}]"
        if not IDENTIFIER.match(rule.name):
            yield (
                f"{key}.name",
                "becomes part of SQL names; use lower-case letters, digits and _, starting with a letter",
            )
        elif rule.name in seen:
            yield f"{key}.name", "another rule has this name; give each rule its own"
        seen.add(rule.name)
        if not rule.keys:
            yield f"{key}.keys", "no keys: list the columns the records of a block share"
        for column in rule.keys:
            if column not in PREPARED_RECORD_COLUMNS:
                yield f"{key}.keys", f"'{column}' is not a column; use {_columns('columns')}"
        if rule.max_block_size is not None and rule.max_block_size < 2:
            yield (
                f"{key}.max_block_size",
                "a block pairs at least 2 records; use 2 or more, or remove it for blocking.max_block_size",
            )
        if rule.one_edit_in is None:
            for option in ("typo_max_records", "typo_max_share", "max_length"):
                if getattr(rule, option) is not None:
                    yield (
                        f"{key}.{option}",
                        "only a rule with one_edit_in uses it; remove it or add one_edit_in",
                    )
            continue
        if rule.one_edit_in not in PREPARED_RECORD_COLUMNS:
            yield f"{key}.one_edit_in", f"'{rule.one_edit_in}' is not a column; use {_columns('a column')}"
        elif rule.one_edit_in in rule.keys:
            yield (
                f"{key}.one_edit_in",
                "is also one of keys: a block's records would all have the same spelling; remove it from keys",
            )
        if rule.typo_max_records is not None and rule.typo_max_records < 1:
            yield (
                f"{key}.typo_max_records",
                "use 1 or more (default 3): how often a spelling may be seen to count as a typo",
            )
        if rule.typo_max_share is not None and not 0 < rule.typo_max_share <= 1:
            yield (
                f"{key}.typo_max_share",
                "use a share in (0, 1] (default 0.05) of how often the other spelling is seen",
            )
        if rule.max_length is not None and rule.max_length < 3:
            yield (
                f"{key}.max_length",
                "spellings of 3 letters and more are paired; use 3 or more (default 30)",
            )


def _comparison_problems(comparisons: list[Comparison]) -> Iterator[tuple[str, str]]:
    if not comparisons:
        yield "comparisons", "no comparisons: pairs would have no evidence; add at least one"
    seen: set[str] = set()
    for comparison in comparisons:
        c, key = comparison, f"comparisons[{comparison.name}]"
        if not IDENTIFIER.match(c.name):
            yield (
                f"{key}.name",
                "becomes a column name (gamma_<name>); use lower-case letters, digits and _, starting with a letter",
            )
        elif c.name in seen:
            yield f"{key}.name", "another comparison has this name; give each comparison its own"
        seen.add(c.name)
        if c.type in COLUMN_TYPES:
            if c.column is None:
                yield (
                    f"{key}.column",
                    f"type {c.type} compares one column; set column to one of int_er_records_prepared's",
                )
            elif c.column not in PREPARED_RECORD_COLUMNS:
                yield f"{key}.column", f"'{c.column}' is not a column; use {_columns('a column')}"
        elif c.column is not None:
            yield f"{key}.column", f"type {c.type} compares its own columns; remove column"
        if c.type != "name":
            for option in ("swapped_with", "nicknames"):
                if getattr(c, option) is not None:
                    yield (
                        f"{key}.{option}",
                        f"only a comparison of type name uses it; remove it (type is {c.type})",
                    )
        elif c.swapped_with is not None:
            if c.swapped_with not in PREPARED_RECORD_COLUMNS:
                yield f"{key}.swapped_with", f"'{c.swapped_with}' is not a column; use {_columns('a column')}"
            elif c.swapped_with == c.column:
                yield (
                    f"{key}.swapped_with",
                    "is the compared column itself; name the other name's column (e.g. last_name_std)",
                )
        if c.fuzzy is not None:
            if c.type != "string":
                yield (
                    f"{key}.fuzzy",
                    f"only a comparison of type string uses it; remove it (type is {c.type})",
                )
            elif not c.fuzzy:
                yield (
                    f"{key}.fuzzy",
                    "no levels; remove fuzzy for the default [{jaro_winkler: 0.92}] or list levels",
                )
            for i, level in enumerate(c.fuzzy):
                given = level.model_dump(exclude_none=True)
                if len(given) != 1:
                    yield f"{key}.fuzzy[{i}]", "use exactly one of {jaro_winkler: 0.9} or {levenshtein: 1}"
                elif level.jaro_winkler is not None and not 0.8 <= level.jaro_winkler <= 1:
                    # Below 0.8 DuckDB's and Spark's Jaro-Winkler part (Spark adds the Winkler
                    # boost under 0.7): the same config would match differently on each engine.
                    yield (
                        f"{key}.fuzzy[{i}].jaro_winkler",
                        "a similarity in [0.8, 1], e.g. 0.9 (below 0.8 the engines' Jaro-Winkler disagree)",
                    )
                elif level.levenshtein is not None and level.levenshtein < 1:
                    yield f"{key}.fuzzy[{i}].levenshtein", "a number of edits, 1 or more"
        if isinstance(c.tf, TfColumn):
            if c.tf.column not in PREPARED_RECORD_COLUMNS:
                yield f"{key}.tf.column", f"'{c.tf.column}' is not a column; use {_columns('a column')}"
            if c.tf.level not in comparison_levels(c):
                yield f"{key}.tf.level", f"type {c.type} has no level {c.tf.level}; use one of {_levels(c)}"
        elif c.tf is True and c.type not in COLUMN_TYPES:
            yield (
                f"{key}.tf",
                f"tf: true adjusts by the comparison's column, and type {c.type} has none; "
                "use tf: {column: ..., level: ...}",
            )


def _levels(comparison: Comparison) -> str:
    return ", ".join(f"{level} ({name})" for level, name in comparison_levels(comparison).items())


def _em_problems(config: ErConfig) -> Iterator[tuple[str, str]]:
    em = config.em
    if em.iterations < 1:
        yield "em.iterations", "EM needs at least 1 iteration; use e.g. 20"
    if not 0 < em.initial_match_share < 1:
        yield (
            "em.initial_match_share",
            "a share strictly between 0 and 1 (its log-odds start EM); use e.g. 0.3",
        )
    if em.u_sample_records < 2:
        yield "em.u_sample_records", "u is estimated from pairs of these records; use 2 or more (e.g. 2000)"
    if not em.estimate_u:
        if not em.training_sessions:
            yield (
                "em.training_sessions",
                "with estimate_u: false, m is trained in sessions; list at least one {blocking_rule: ...}",
            )
        if em.prior_anchor is None:
            yield (
                "em.prior_anchor",
                "with estimate_u: false the prior follows from an anchor level; set {comparison: email, level: 3}",
            )
    rule_names = [rule.name for rule in config.blocking.rules]
    comparison_names = [c.name for c in config.comparisons]
    sessions = em.training_sessions or []
    seen: set[str] = set()
    for session in sessions:
        key = f"em.training_sessions[{session.blocking_rule}]"
        if session.blocking_rule not in rule_names:
            yield (
                f"{key}.blocking_rule",
                f"'{session.blocking_rule}' is not a blocking rule; use one of {', '.join(rule_names)}",
            )
        elif session.blocking_rule in seen:
            yield f"{key}.blocking_rule", "another session trains on this rule; keep one"
        seen.add(session.blocking_rule)
        for name in session.fixes or []:
            if name not in comparison_names:
                yield (
                    f"{key}.fixes",
                    f"'{name}' is not a comparison; use one of {', '.join(comparison_names)}",
                )
    if not em.estimate_u and sessions:
        for name in comparison_names:
            if all(name in (session.fixes or []) for session in sessions):
                yield (
                    "em.training_sessions",
                    (
                        f"every session fixes '{name}', so EM never estimates it; remove it from one session's fixes"
                    ),
                )
    anchor = em.prior_anchor
    if anchor is not None:
        comparison = config.comparison(anchor.comparison)
        if comparison is None:
            yield (
                "em.prior_anchor.comparison",
                f"'{anchor.comparison}' is not a comparison; use one of {', '.join(comparison_names)}",
            )
        elif anchor.level not in comparison_levels(comparison):
            yield (
                "em.prior_anchor.level",
                f"comparison {comparison.name} (type {comparison.type}) has no level {anchor.level}; "
                f"use one of {_levels(comparison)}",
            )


def _format_validation_error(data: dict, error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        loc, message = item["loc"], item["msg"]
        if "bool" in loc or "TfColumn" in loc:
            # tf's union reports each alternative; one line says both.
            loc = loc[: loc.index("tf") + 1]
            message = "use true (its column's value frequencies) or {column: <column>, level: <level>}"
        elif item["type"] == "extra_forbidden":
            message = "unknown key; remove it or check its spelling (docs/entity_resolution.md)"
        elif item["type"] == "missing":
            message = "required key is missing"
        line = f"  {error_key(data, loc, ('name', 'blocking_rule'))}: {message}"
        if line not in lines:
            lines.append(line)
    return lines


def parse_er_config(data: Any, path: Path = CONFIG_PATH) -> ErConfig:
    """Validate settings already read (``path`` names them in errors)."""
    if not isinstance(data, dict):
        raise ErConfigError(
            f"{path}: expected a mapping of keys (version, mode, thresholds, blocking, comparisons, em)"
        )
    try:
        config = ErConfig.model_validate(data)
    except ValidationError as exc:
        lines = _format_validation_error(data, exc)
    else:
        lines = [f"  {key}: {message}" for key, message in _problems(config)]
        if not lines:
            return config
    raise ErConfigError(f"{path}: invalid entity-resolution config\n" + "\n".join(lines))


def load_er_config(path: Path = CONFIG_PATH) -> ErConfig:
    path = Path(path)
    return parse_er_config(read_yaml(path, "entity-resolution config", ErConfigError), path)


def dbt_default_block(config: ErConfig) -> str:
    """``vars.entity_resolution`` as dbt_project.yml holds it for dbt run by hand."""
    return dbt_var_block("entity_resolution", config.dbt_var(), CONFIG_FILE)


def write_dbt_default(config: ErConfig, dbt_project_yml: Path = DBT_PROJECT_YML) -> bool:
    """Replace ``vars.entity_resolution`` in dbt_project.yml with ``config``; True when it changed."""
    return write_dbt_var_block(
        "entity_resolution", config.dbt_var(), CONFIG_FILE, dbt_project_yml, ErConfigError
    )


def main() -> int:
    """Validate config/entity_resolution.yml and bring dbt_project.yml's copy up to date."""
    return refresh_dbt_copy(
        "entity_resolution", lambda: load_er_config().dbt_var(), CONFIG_FILE, DBT_PROJECT_YML
    )


if __name__ == "__main__":
    sys.exit(main())
