"""Read one landing file into string columns, keeping every row accounted for.

Readers never guess types and never drop a row: a row they cannot read (wrong field count, bytes
that are not valid in the file's encoding, a line that is not a JSON object) comes back as a
``BadRow`` with its row number, its raw content and the reason, and goes to quarantine.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.config import SourceConfig

ROW_NUMBER = "_row_number"


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

    @property
    def rows_read(self) -> int:
        return self.rows.height + len(self.bad_rows)


class FileRejected(Exception):
    """The file as a whole cannot be read (e.g. it has no header)."""


def _decode(data: bytes, encoding: str) -> tuple[str, bool]:
    """Text of the file, and whether some bytes were invalid (kept as surrogate escapes so the
    rows holding them can be quarantined while the rest of the file loads)."""
    if encoding.lower().replace("-", "") in ("utf8", "utf8sig"):
        encoding = "utf-8-sig"
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


def read_csv(path: Path, config: SourceConfig) -> ReadResult:
    text, has_invalid_bytes = _decode(path.read_bytes(), config.csv.encoding)
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
    for row_number, row in enumerate((r for r in reader if r), start=1):
        reasons = []
        if len(row) != len(header):
            reasons.append(
                f"row has {len(row)} fields, the header has {len(header)} (truncated line or stray delimiter)"
            )
        if has_invalid_bytes:
            for name, value in zip(header, row):
                if invalid := _invalid_bytes(value):
                    reasons.append(
                        f"{name or 'unnamed column'}: bytes {invalid} are not valid {config.csv.encoding}; "
                        "set csv.encoding in the source config if the file uses another encoding"
                    )
        if reasons:
            raw = json.dumps(dict(zip(header, map(_safe, row))) if len(row) == len(header) else list(map(_safe, row)))
            bad.append(BadRow(row_number, raw, tuple(reasons)))
        else:
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
    return ReadResult(frame, bad, columns)


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
    text, _ = _decode(path.read_bytes(), config.csv.encoding)
    records: list[dict[str, str | None]] = []
    numbers: list[int] = []
    bad: list[BadRow] = []
    for row_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if invalid := _invalid_bytes(line):
            bad.append(BadRow(row_number, _safe(line), (f"bytes {invalid} are not valid {config.csv.encoding}",)))
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(BadRow(row_number, line, (f"line is not valid JSON: {exc.msg} at column {exc.colno}",)))
            continue
        if not isinstance(obj, dict):
            bad.append(BadRow(row_number, line, (f"line is a JSON {type(obj).__name__}, not an object",)))
            continue
        records.append(_flatten(obj))
        numbers.append(row_number)
    columns = list(dict.fromkeys(k for r in records for k in r))
    if not records:
        return ReadResult(_empty_frame(columns), bad, columns)
    frame = pl.DataFrame(
        {c: [r.get(c) for r in records] for c in columns} | {ROW_NUMBER: numbers},
        schema={c: pl.String() for c in columns} | {ROW_NUMBER: pl.Int64()},
    )
    return ReadResult(frame, bad, columns)


READERS = {"csv": read_csv, "jsonl": read_jsonl}


def read_file(path: Path, config: SourceConfig) -> ReadResult:
    return READERS[config.format](path, config)
