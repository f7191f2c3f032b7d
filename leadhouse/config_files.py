"""What every user-edited config file (``config/*.yml``) shares: reading it with errors that name
the file, pydantic errors spelled as the file's keys (list items by their id or name), and the
copy of its settings that ``dbt_project.yml`` holds for dbt run by hand, and the checks of values
that reach dbt's SQL as names or literals.

The orchestration passes each file's settings to dbt with ``--vars`` (leadhouse.dbt_invocation);
the copy in ``dbt_project.yml`` is only for ``dbt`` typed in a shell, rewritten by each config
module's ``main`` between a ``  <section>:`` line and the section's end marker.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

# A name the SQL uses as an identifier or a literal: lower case, no quoting needed.
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# Text that becomes a SQL literal: printable, no backslash (an escape character on Spark).
SAFE_TEXT = re.compile(r"^[^\\\x00-\x1f\x7f]{1,200}$")


class ConfigFileError(ValueError):
    """A config file that cannot be used; the message names the file, the key and the fix."""


def read_yaml(path: Path, what: str, error: type[ConfigFileError] = ConfigFileError) -> Any:
    """The file's YAML; a missing file or bad YAML raises ``error`` naming ``path``."""
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {what} not found; restore it from the repository") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc


def error_key(data: Any, loc: tuple, labels: Iterable[str] = ("id", "name")) -> str:
    """A pydantic location as the file's keys, list items by their label: ``rules[title_vp].points``."""
    key, node = "", data
    labels = tuple(labels)
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            label = next(
                (node[name] for name in labels if isinstance(node, dict) and isinstance(node.get(name), str)),
                None,
            )
            key += f"[{label if label is not None else part}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            key += f".{part}" if key else str(part)
    return key or "(top level)"


def validation_error_lines(
    data: Any, error: ValidationError, docs: str, labels: Iterable[str] = ("id", "name")
) -> list[str]:
    """One ``  key: message`` line per problem pydantic found (``docs`` names the page to read)."""
    lines = []
    for item in error.errors():
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = f"unknown key; remove it or check its spelling ({docs})"
        elif item["type"] == "missing":
            message = "required key is missing"
        line = f"  {error_key(data, item['loc'], labels)}: {message}"
        if line not in lines:
            lines.append(line)
    return lines


def unknown_problems(
    key: str, values: Iterable[str], known: Iterable[str], what: str
) -> list[tuple[str, str]]:
    """``(key, message)`` when some of ``values`` are not ``known`` (``what`` names them: "statuses")."""
    known = list(known)
    unknown = [v for v in values if v not in known]
    return [(key, f"unknown {what} {unknown}; use {', '.join(known)}")] if unknown else []


def text_problems(key: str, value: str | None, what: str = "a name") -> list[tuple[str, str]]:
    """``(key, message)`` when ``value`` cannot be a SQL literal as it is (see ``SAFE_TEXT``)."""
    if value is None or SAFE_TEXT.match(value):
        return []
    return [(key, f"{what} is 1-200 printable characters without backslashes")]


def identifier_problems(key: str, value: str, what: str) -> list[tuple[str, str]]:
    """``(key, message)`` when ``value`` is not an ``IDENTIFIER``."""
    if IDENTIFIER.match(value):
        return []
    return [(key, f"{what} is lower case letters, digits and _, starting with a letter (not {value!r})")]


def end_marker(section: str, config_path: str) -> str:
    return f"  # end of {section} (generated from {config_path})"


def dbt_var_block(section: str, value: Any, config_path: str) -> str:
    """``vars.<section>`` as dbt_project.yml holds it, ending with the section's end marker."""
    dumped = yaml.safe_dump({section: value}, sort_keys=False, default_flow_style=None, width=110)
    return "".join(f"  {line}\n" for line in dumped.splitlines()) + end_marker(section, config_path) + "\n"


def write_dbt_var_block(
    section: str,
    value: Any,
    config_path: str,
    dbt_project_yml: Path,
    error: type[ConfigFileError] = ConfigFileError,
) -> bool:
    """Replace ``vars.<section>`` in dbt_project.yml (from its ``  <section>:`` line to the end
    marker) with ``value``; True when the file changed."""
    text = dbt_project_yml.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    marker = end_marker(section, config_path)
    try:
        # "  <section>:" then its block, or "  <section>: {...}" when the settings are one small mapping
        start = next(
            i for i, line in enumerate(lines) if line.startswith((f"  {section}:\n", f"  {section}: "))
        )
        end = lines.index(marker + "\n", start)
    except (StopIteration, ValueError):
        raise error(
            f"{dbt_project_yml}: vars.{section}: expected a block from '  {section}:' to "
            f"'{marker.strip()}'; restore it from the repository"
        ) from None
    updated = "".join(lines[:start]) + dbt_var_block(section, value, config_path) + "".join(lines[end + 1 :])
    if updated == text:
        return False
    dbt_project_yml.write_text(updated, encoding="utf-8")
    return True


def refresh_dbt_copy(
    section: str, dbt_var: Callable[[], Any], config_path: str, dbt_project_yml: Path
) -> int:
    """A config module's ``main``: validate the file (``dbt_var`` loads it) and rewrite its copy
    in dbt_project.yml; prints what happened, returns the exit code (1: the file is invalid)."""
    try:
        changed = write_dbt_var_block(section, dbt_var(), config_path, dbt_project_yml)
    except ConfigFileError as exc:
        print(exc, file=sys.stderr)
        return 1
    where = dbt_project_yml.relative_to(dbt_project_yml.parents[1])
    print(
        f"{config_path}: valid; "
        + (f"rewrote vars.{section} in {where}" if changed else f"{where} is up to date")
    )
    return 0
