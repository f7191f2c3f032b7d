"""Read one landing file into string columns, keeping every row accounted for.

Readers never guess types and never drop a row: a row they cannot read (wrong field count, a line
that is not a JSON object) comes back as a ``BadRow`` with its row number, its raw content and the
reason, and goes to quarantine. A single cell they cannot read (bytes that are not valid in the
file's encoding) is a *cell issue*: the row is read, the cell is shown with ``\\xNN`` escapes, and
normalization nulls it and records why. A file with a byte-order mark is read in the encoding the
mark names (UTF-8, UTF-16), whatever the config says.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.config import SourceConfig

ROW_NUMBER = "_row_number"
CELL_ISSUE_SCHEMA = {ROW_NUMBER: pl.Int64(), "native_column": pl.String(), "raw_value": pl.String(), "reason": pl.String()}
# Python's csv module refuses fields over 128 KiB by default; a long field is a value problem
# (normalization nulls over-long canonical text), not a reason to fail the file.
csv.field_size_limit(sys.maxsize)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class BadRow:
    row_number: int
    raw: str
    reasons: tuple[str, ...]


@dataclass
class ReadResult:
    """Rows as strings (one column per native field, plus ``_row_number``) and unreadable rows."""

    rows: pl.DataFrame
    bad_rows: list[BadRow] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    cell_issues: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CELL_ISSUE_SCHEMA))

    @property
    def rows_read(self) -> int:
        return self.rows.height + len(self.bad_rows)


class FileRejected(Exception):
    """The file as a whole cannot be read (e.g. it has no header)."""


def file_encoding(data: bytes, configured: str) -> str:
    """The encoding to read: the byte-order mark's, else the config's (UTF-8 tolerating a BOM)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if configured.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig"):
        return "utf-8-sig"
    return configured


def _shown(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _decode(data: bytes, encoding: str) -> tuple[str, bool]:
    """Text of the file, and whether some bytes were invalid (kept as surrogate escapes so the
    cells holding them can be nulled and recorded while the rest of the file loads)."""
    try:
        return data.decode(encoding), False
    except UnicodeDecodeError:
        return data.decode(encoding, errors="surrogateescape"), True


def _invalid_bytes(value: str) -> str | None:
    bad = [f"0x{ord(ch) - 0xDC00:02x}" for ch in value if 0xDC80 <= ord(ch) <= 0xDCFF]
    return ", ".join(dict.fromkeys(bad)) if bad else None


def _safe(value: str) -> str:
    """Raw text fit for storage: undecodable bytes shown as \\xNN."""
    return value.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


def _empty_frame(columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(schema={c: pl.String() for c in columns} | {ROW_NUMBER: pl.Int64()})


def _cell_issues(cells: list[tuple[int, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(cells, schema=CELL_ISSUE_SCHEMA, orient="row")


def read_csv(path: Path, config: SourceConfig) -> ReadResult:
    data = path.read_bytes()
    encoding = file_encoding(data, config.csv.encoding)
    text, has_invalid_bytes = _decode(data, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=config.csv.delimiter, quotechar=config.csv.quote)
    header = next(reader, None)
    while header is not None and not any(h.strip() for h in header):
        header = next(reader, None)  # leading blank lines
    if header is None:
        return ReadResult(_empty_frame([]))
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise FileRejected(f"header repeats column(s) {dupes}; every column needs a unique name")

    good: list[list[str]] = []
    numbers: list[int] = []
    bad: list[BadRow] = []
    cells: list[tuple[int, str, str, str]] = []
    for row_number, row in enumerate((r for r in reader if r), start=1):
        if len(row) != len(header):
            reason = f"row has {len(row)} fields, the header has {len(header)} (truncated line or stray delimiter)"
            bad.append(BadRow(row_number, json.dumps(list(map(_safe, row))), (reason,)))
            continue
        if has_invalid_bytes:
            for i, (name, value) in enumerate(zip(header, row)):
                if invalid := _invalid_bytes(value):
                    row[i] = _safe(value)
                    cells.append((
                        row_number, name or f"column_{i + 1}", row[i],
                        f"bytes {invalid} are not valid {_shown(encoding)}; set csv.encoding in the source config "
                        "if the file uses another encoding",
                    ))
        good.append(row)
        numbers.append(row_number)

    # A trailing delimiter on every line makes an unnamed, empty column: drop it. An unnamed
    # column that holds values is kept under a positional name so nothing is lost.
    keep = []
    for i, name in enumerate(header):
        if name:
            keep.append((i, name))
        elif any(r[i] for r in good):
            keep.append((i, f"column_{i + 1}"))
    columns = [name for _, name in keep]
    if good:
        frame = pl.DataFrame(
            [[r[i] for r in good] for i, _ in keep] + [numbers],
            schema={c: pl.String() for c in columns} | {ROW_NUMBER: pl.Int64()},
            orient="col",
        )
    else:
        frame = _empty_frame(columns)
    return ReadResult(frame, bad, columns, _cell_issues(cells))


def _flatten(obj: dict, prefix: str = "") -> dict[str, str | None]:
    flat: dict[str, str | None] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif value is None:
            flat[name] = None
        elif isinstance(value, (list, bool)):
            flat[name] = json.dumps(value)
        else:
            flat[name] = str(value)
    return flat


def read_jsonl(path: Path, config: SourceConfig) -> ReadResult:
    data = path.read_bytes()
    encoding = file_encoding(data, config.csv.encoding)
    text, has_invalid_bytes = _decode(data, encoding)
    records: list[dict[str, str | None]] = []
    numbers: list[int] = []
    bad: list[BadRow] = []
    cells: list[tuple[int, str, str, str]] = []
    for row_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            flat = _flatten(obj) if isinstance(obj, dict) else None
        except json.JSONDecodeError as exc:
            bad.append(BadRow(row_number, _safe(line), (f"line is not valid JSON: {exc.msg} at column {exc.colno}",)))
            continue
        except RecursionError:
            bad.append(BadRow(row_number, _safe(line)[:10_000], ("line nests objects or arrays too deeply to read",)))
            continue
        if flat is None:
            bad.append(BadRow(row_number, _safe(line), (f"line is a JSON {type(obj).__name__}, not an object",)))
            continue
        if has_invalid_bytes:
            if any(_invalid_bytes(key) for key in flat):
                bad.append(BadRow(row_number, _safe(line), (f"a key holds bytes that are not valid {_shown(encoding)}",)))
                continue
            for key, value in flat.items():
                if value is not None and (invalid := _invalid_bytes(value)):
                    flat[key] = _safe(value)
                    cells.append((
                        row_number, key, flat[key],
                        f"bytes {invalid} are not valid {_shown(encoding)}; set csv.encoding in the source config "
                        "if the file uses another encoding",
                    ))
        records.append(flat)
        numbers.append(row_number)
    columns = list(dict.fromkeys(k for r in records for k in r))
    if not records:
        return ReadResult(_empty_frame(columns), bad, columns, _cell_issues(cells))
    frame = pl.DataFrame(
        {c: [r.get(c) for r in records] for c in columns} | {ROW_NUMBER: numbers},
        schema={c: pl.String() for c in columns} | {ROW_NUMBER: pl.Int64()},
    )
    return ReadResult(frame, bad, columns, _cell_issues(cells))


READERS = {"csv": read_csv, "jsonl": read_jsonl}


def read_file(path: Path, config: SourceConfig) -> ReadResult:
    return READERS[config.format](path, config)
