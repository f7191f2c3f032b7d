"""The DuckDB statement that makes an entity-resolution working table fast to write, for the dbt
Python model that has to run it itself.

Its one definition is the macro ``duckdb__er_fast_write_begin`` (er_similarity.sql, with the
reason: no FSST or dictionary string compression, whose analysis was more than half the write
time). int_er_records_clustered cannot take it as a pre-hook (on that Python model one lost
dbt-duckdb's temporary table on incremental runs) and a dbt Python model cannot call a macro, so
the statement is read from the macro's file.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from leadhouse.settings import DBT_PROJECT_DIR

MACRO_FILE = DBT_PROJECT_DIR / "macros" / "entity_resolution" / "er_similarity.sql"
_MACRO = re.compile(
    r"{%-?\s*macro\s+duckdb__er_fast_write_begin\(\)\s*-?%}(.*?){%-?\s*endmacro\s*-?%}", re.DOTALL
)


@cache
def fast_write_begin_sql(macro_file: Path = MACRO_FILE) -> str:
    """The body of ``duckdb__er_fast_write_begin``: ``set disabled_compression_methods = ...``."""
    match = _MACRO.search(macro_file.read_text(encoding="utf-8"))
    if not match or not match.group(1).strip():
        raise RuntimeError(f"{macro_file}: no macro duckdb__er_fast_write_begin() with a statement in it")
    return match.group(1).strip()
