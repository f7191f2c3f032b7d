"""Read one landing file into string columns, keeping every row accounted for.

A UTF-8 file is read in chunks of about ``CHUNK_BYTES`` (whole records each), and the common
shapes take a vectorized path: JSON Lines through polars' reader, CSV whose lines are each a
whole plain record split or parsed in polars. Anything else goes through Python's ``csv``/``json``
with the same results: a JSON chunk polars cannot give back as written, per chunk; a CSV from the
first chunk whose records span lines (a quoted newline) or whose quoting is odd, to the end of the
file; and a whole file that is not UTF-8 or ends lines with a lone carriage return. Those Python
paths hold their part of the file in memory, as bytes and then as text.

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
import itertools
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingest.config import SourceConfig

ROW_NUMBER = "_row_number"
CELL_ISSUE_SCHEMA = {
    ROW_NUMBER: pl.Int64(),
    "native_column": pl.String(),
    "raw_value": pl.String(),
    "reason": pl.String(),
}
# Python's csv module refuses fields over 128 KiB by default; a long field is a value problem
# (normalization nulls over-long canonical text), not a reason to fail the file.
csv.field_size_limit(sys.maxsize)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
CHUNK_BYTES = 64 << 20
_LONE_CARRIAGE_RETURN = re.compile(rb"\r(?!\n)")
# A JSON \uD800-\uDFFF escape: half of a pair (😀 is "\ud83d\ude00") or, alone, no character at all.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_NOT_A_BYTE = re.compile("[\ud800-\udc7f\udd00-\udfff]")  # \udc80-\udcff: undecodable bytes


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


def _invalid_bytes_reason(invalid: str, encoding: str) -> str:
    return (
        f"bytes {invalid} are not valid {_shown(encoding)}; set csv.encoding in the source config "
        "if the file uses another encoding"
    )


class _File:
    """A landing file read sequentially in blocks (never mapped or loaded whole, so memory stays
    at a chunk or two whatever the file's size)."""

    def __init__(self, path: Path):
        self.path = path

    def head(self, size: int = 4) -> bytes:
        with self.path.open("rb") as handle:
            return handle.read(size)

    def whole(self) -> bytes:
        return self.path.read_bytes()

    def scan(self, test, block_bytes: int = CHUNK_BYTES) -> bool:
        """Whether ``test(block)`` holds for any block (blocks overlap by one byte)."""
        with self.path.open("rb") as handle:
            last = b""
            while block := handle.read(block_bytes):
                if test(last + block):
                    return True
                last = block[-1:]
        return False

    def chunks(self, chunk_bytes: int, start: int = 0) -> Iterator[bytes]:
        """The file from ``start`` in pieces of about ``chunk_bytes`` that end after a newline
        (the last one at the end of the file)."""
        with self.path.open("rb") as handle:
            handle.seek(start)
            carry = b""
            while block := handle.read(chunk_bytes):
                block = carry + block
                cut = block.rfind(b"\n") + 1
                if cut == 0:  # one line longer than a chunk: keep reading
                    carry = block
                    continue
                carry = block[cut:]
                yield block[:cut]
            if carry:
                yield carry

    def rest(self, start: int) -> bytes:
        with self.path.open("rb") as handle:
            handle.seek(start)
            return handle.read()


# ---------------------------------------------------------------- CSV


def _field_count_reason(fields: int, width: int) -> str:
    return f"row has {fields} fields, the header has {width} (truncated line or stray delimiter)"


def _csv_columns(header: list[str], has_values) -> tuple[list[tuple[int, str]], list[str]]:
    """Which columns to keep. A trailing delimiter on every line makes an unnamed, empty column:
    dropped. An unnamed column that holds values is kept under a positional name."""
    keep = []
    for i, name in enumerate(header):
        if name:
            keep.append((i, name))
        elif has_values(i):
            keep.append((i, f"column_{i + 1}"))
    return keep, [name for _, name in keep]


def _csv_result(
    records: list[list[str]], first_row: int, header: list[str], encoding: str, has_invalid_bytes: bool
) -> ReadResult:
    """Rows from parsed records (blank records already left out), numbered from ``first_row``."""
    width = len(header)
    good: list[list[str]] = []
    numbers: list[int] = []
    bad: list[BadRow] = []
    cells: list[tuple[int, str, str, str]] = []
    if not has_invalid_bytes and all(len(r) == width for r in records):
        good, numbers = records, list(range(first_row, first_row + len(records)))
    else:
        for row_number, row in enumerate(records, start=first_row):
            if len(row) != width:
                reason = _field_count_reason(len(row), width)
                bad.append(BadRow(row_number, json.dumps(list(map(_safe, row))), (reason,)))
                continue
            if has_invalid_bytes:
                for i, (name, value) in enumerate(zip(header, row, strict=True)):
                    if invalid := _invalid_bytes(value):
                        row[i] = _safe(value)
                        cells.append(
                            (
                                row_number,
                                name or f"column_{i + 1}",
                                row[i],
                                _invalid_bytes_reason(invalid, encoding),
                            )
                        )
            good.append(row)
            numbers.append(row_number)
    if not good:
        _, columns = _csv_columns(header, lambda i: False)
        return ReadResult(_empty_frame(columns), bad, columns, _cell_issues(cells))
    transposed = list(zip(*good, strict=True))
    keep, columns = _csv_columns(header, lambda i: any(transposed[i]))
    frame = pl.DataFrame(
        [transposed[i] for i, _ in keep] + [numbers],
        schema={c: pl.String() for c in columns} | {ROW_NUMBER: pl.Int64()},
        orient="col",
    )
    return ReadResult(frame, bad, columns, _cell_issues(cells))


def _csv_header(records: Iterator[list[str]]) -> list[str] | None:
    header = next(records, None)
    while header is not None and not any(h.strip() for h in header):
        header = next(records, None)  # leading blank lines
    if header is None:
        return None
    header = [_safe(h).strip() for h in header]  # undecodable bytes in a name shown as \xNN
    named = [h for h in header if h]  # unnamed columns get positional names (_csv_columns)
    if len(set(named)) != len(named):
        dupes = sorted({h for h in named if named.count(h) > 1})
        raise FileRejected(f"header repeats column(s) {dupes}; every column needs a unique name")
    if ROW_NUMBER in header:
        raise FileRejected(
            f"the header has a column named '{ROW_NUMBER}' (the ingestion's row number); rename it in the export"
        )
    return header


def rejected_rows(path: Path, config: SourceConfig, reason: str) -> list[BadRow]:
    """The data rows of a CSV rejected for its header (``FileRejected``), each with the reason and
    its fields as written, numbered as a readable file's rows are: they go to quarantine, not lost."""
    data = path.read_bytes()
    text, _ = _decode(data, file_encoding(data[:4], config.csv.encoding))
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=config.csv.delimiter, quotechar=config.csv.quote
    )
    for header in reader:
        if any(h.strip() for h in header):
            break
    records = (r for r in reader if r)
    return [BadRow(n, json.dumps(list(map(_safe, row))), (reason,)) for n, row in enumerate(records, start=1)]


def _plain_record_pattern(sep: str, quote: str) -> tuple[str, str]:
    """Regular expressions (Rust syntax) for a line that is one whole record whose fields are
    either fully quoted or hold no quote character, and for one quoted field. On such lines
    Python's csv module and polars' reader agree, and a record never spans two lines."""
    s, q = f"\\x{{{ord(sep):x}}}", f"\\x{{{ord(quote):x}}}"
    quoted = f"{q}(?:[^{q}]|{q}{q})*{q}"
    field = f"(?:{quoted}|[^{s}{q}]*)"
    return f"^{field}(?:{s}{field})*$", quoted


def _plain_lines_chunk(
    lines: pl.Series, first_row: int, header: list[str], config: SourceConfig
) -> ReadResult | None:
    """Records of a chunk whose every line is a whole, plain record (``_plain_record_pattern``),
    parsed in polars; None when a line is not (then Python's csv reads from here on)."""
    sep, quote = config.csv.delimiter, config.csv.quote
    width = len(header)
    plain, quoted = _plain_record_pattern(sep, quote)
    frame = pl.DataFrame({"line": lines}).filter(pl.col("line") != "")
    if frame.height and not frame.select(pl.col("line").str.contains(plain).all()).item():
        return None
    frame = frame.with_columns(
        pl.int_range(first_row, first_row + pl.len(), dtype=pl.Int64).alias(ROW_NUMBER),
        (pl.col("line").str.replace_all(quoted, "").str.count_matches(sep, literal=True) + 1).alias(
            "_fields"
        ),
    )
    wrong = frame.filter(pl.col("_fields") != width)
    bad = [
        BadRow(
            number,
            json.dumps(next(csv.reader([line], delimiter=sep, quotechar=quote), [])),
            (_field_count_reason(fields, width),),
        )
        for line, number, fields in wrong.iter_rows()
    ]
    good = frame.filter(pl.col("_fields") == width)
    names = [f"f{i}" for i in range(width)]
    if good.height == 0:
        split = pl.DataFrame(schema={n: pl.String() for n in names} | {ROW_NUMBER: pl.Int64()})
    elif not good.select(pl.col("line").str.contains(quote, literal=True).any()).item():
        split = good.select(
            pl.col("line").str.split_exact(sep, width - 1).struct.rename_fields(names).alias("fields"),
            ROW_NUMBER,
        ).unnest("fields")
    else:
        parsed = pl.read_csv(
            io.BytesIO("\n".join(good["line"].to_list()).encode()),
            has_header=False,
            new_columns=names,
            separator=sep,
            quote_char=quote,
            infer_schema=False,
            empty_string_is_null=False,
        )
        if parsed.height != good.height or parsed.width != width:
            return None
        split = parsed.with_columns(good[ROW_NUMBER])
    keep, columns = _csv_columns(
        header, lambda i: split.height > 0 and bool(split.select((pl.col(f"f{i}") != "").any()).item())
    )
    rows = split.select([pl.col(f"f{i}").alias(name) for i, name in keep] + [pl.col(ROW_NUMBER)])
    return ReadResult(rows, bad, columns)


def _unquoted_chunk(
    body: bytes, first_row: int, header: list[str], config: SourceConfig
) -> ReadResult | None:
    """Records of a chunk (header line excluded) that holds no quote character, no carriage
    return and no blank line, parsed by polars' reader straight from the bytes; None when the
    chunk is not such a chunk or a line has another number of fields than the header (then
    ``_plain_lines_chunk`` says which). Exact: polars refuses a line with more fields than the
    header, and the delimiters counted over the chunk equal (header fields - 1) per line only
    if no line has fewer."""
    sep, quote = config.csv.delimiter.encode(), config.csv.quote.encode()
    if (
        not body
        or quote in body
        or b"\r" in body
        or b"\n\n" in body
        or body.startswith(b"\n")
        or len(sep) != 1
    ):
        return None
    width = len(header)
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if body.count(sep) != lines * (width - 1):
        return None
    names = [f"f{i}" for i in range(width)]
    try:
        split = pl.read_csv(
            body,
            has_header=False,
            new_columns=names,
            separator=config.csv.delimiter,
            quote_char=None,
            infer_schema=False,
            empty_string_is_null=False,
            truncate_ragged_lines=False,
            raise_if_empty=False,
        )
    except Exception:  # noqa: BLE001 - invalid UTF-8, a ragged line: the careful path says what
        return None
    if split.height != lines or split.width != width:
        return None
    split = split.with_columns(pl.int_range(first_row, first_row + lines, dtype=pl.Int64).alias(ROW_NUMBER))
    unnamed = [i for i, name in enumerate(header) if not name]
    has_values = split.select((pl.col(f"f{i}") != "").any() for i in unnamed).row(0) if unnamed else ()
    keep, columns = _csv_columns(header, lambda i: has_values[unnamed.index(i)])
    rows = split.select([pl.col(f"f{i}").alias(name) for i, name in keep] + [pl.col(ROW_NUMBER)])
    return ReadResult(rows, [], columns)


def _unquoted_header(chunk: bytes, config: SourceConfig) -> tuple[list[str], bytes] | None:
    """The header of a first chunk whose first line is a named header without quotes, and the
    rest of the chunk; None for anything else (leading blank lines, quoted names: the line
    path reads those)."""
    chunk = chunk.removeprefix(codecs.BOM_UTF8)
    end = chunk.find(b"\n")
    line = chunk[:end] if end >= 0 else chunk
    if config.csv.quote.encode() in line or b"\r" in line:
        return None
    try:
        fields = line.decode("utf-8").split(config.csv.delimiter)
    except UnicodeDecodeError:
        return None
    if not any(f.strip() for f in fields):
        return None
    return _csv_header(iter([fields])), chunk[end + 1 :] if end >= 0 else b""


def read_csv(path: Path, config: SourceConfig, chunk_bytes: int = CHUNK_BYTES) -> Iterator[ReadResult]:
    source = _File(path)
    encoding = file_encoding(source.head(), config.csv.encoding)
    by_lines = encoding == "utf-8-sig" and not source.scan(
        lambda block: b"\r" in block and _LONE_CARRIAGE_RETURN.search(block) is not None
    )
    if by_lines:
        yield from _read_csv_by_lines(source, config, chunk_bytes)
    else:
        yield from _read_csv_with_python(source.whole(), config, encoding, chunk_bytes)


def _read_csv_by_lines(source: _File, config: SourceConfig, chunk_bytes: int) -> Iterator[ReadResult]:
    """UTF-8 CSV, chunk by chunk, in polars while every line is a whole plain record; from the
    first chunk that is not (a quoted newline, bytes that are not UTF-8, odd quoting), Python's
    csv module reads the rest of the file."""
    sep = config.csv.delimiter
    first_row = 1
    header = None
    offset = 0
    for chunk in source.chunks(chunk_bytes):
        result = None
        if header is not None:
            result = _unquoted_chunk(chunk, first_row, header, config)
        elif (first := _unquoted_header(chunk, config)) is not None:
            names, body = first
            result = _unquoted_chunk(body, first_row, names, config)
            if result is not None:
                header = names
        if result is not None:
            offset += len(chunk)
            first_row += result.rows_read
            yield result
            continue
        try:
            text = chunk.decode("utf-8-sig" if offset == 0 else "utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            lines = text.replace("\r\n", "\n").split("\n")
            if header is None:
                start = 0
                while start < len(lines) and not any(h.strip() for h in lines[start].split(sep)):
                    start += 1
                if start < len(lines) and config.csv.quote not in lines[start]:
                    header = _csv_header(iter([lines[start].split(sep)]))
                    lines = lines[start + 1 :]
            if header is not None:
                result = _plain_lines_chunk(pl.Series(lines, dtype=pl.String()), first_row, header, config)
        if result is None:
            # The rest of the file, read by Python's csv module (records may span lines there).
            yield from _read_csv_with_python(  # from the top, Python reads the header too
                source.rest(offset),
                config,
                "utf-8-sig" if offset == 0 else "utf-8",
                chunk_bytes,
                header if offset else None,
                first_row,
            )
            return
        offset += len(chunk)
        first_row += result.rows_read
        yield result
    if header is None:
        yield ReadResult(_empty_frame([]))


def _read_csv_with_python(
    data: bytes,
    config: SourceConfig,
    encoding: str,
    chunk_bytes: int,
    header: list[str] | None = None,
    first_row: int = 1,
) -> Iterator[ReadResult]:
    """Python's csv module over ``data``: the whole file, or (with ``header`` and ``first_row``)
    the rest of one whose start was read already."""
    text, has_invalid_bytes = _decode(data, encoding)
    del data
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=config.csv.delimiter, quotechar=config.csv.quote
    )
    if header is None:
        header = _csv_header(reader)
    if header is None:
        yield ReadResult(_empty_frame([]))
        return
    # Records per chunk: about chunk_bytes of text, judged from the file's average line.
    per_chunk = max(1_000, int(chunk_bytes / max(1, len(text) / max(1, text.count("\n")))))
    started_at = first_row
    while True:
        records = [r for r in itertools.islice(reader, per_chunk) if r]
        if not records:
            break
        result = _csv_result(records, first_row, header, encoding, has_invalid_bytes)
        first_row += result.rows_read
        yield result
    if first_row == started_at == 1:
        yield ReadResult(_empty_frame(_csv_columns(header, lambda i: False)[1]))


# ---------------------------------------------------------------- JSON Lines


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


def _as_text(series: pl.Series) -> pl.Series | None:
    """A JSON leaf column as the text Python's json + str give it, or None where polars' typed
    column cannot say what was written: a float column holding whole numbers (``1`` and ``1.0``,
    or an integer past 2**53 beside a fraction, all read as floats) and lists (whose elements
    polars coerces to one type)."""
    dtype = series.dtype
    if dtype == pl.String():
        return series
    if dtype == pl.Null():
        return pl.Series(series.name, [None] * series.len(), dtype=pl.String())
    if dtype.is_integer() or dtype == pl.Boolean():
        return series.cast(pl.String())  # 42 -> "42", true -> "true", as json.dumps / str do
    if not dtype.is_float():
        return None
    distinct = series.drop_nulls().unique()
    if (distinct == distinct.round(0)).any():
        return None
    text = [str(v) for v in distinct.to_list()]
    return series.replace_strict(
        distinct, pl.Series(text, dtype=pl.String()), default=None, return_dtype=pl.String()
    )


def _flat_columns(series: pl.Series, prefix: str) -> list[pl.Series] | None:
    if isinstance(series.dtype, pl.Struct):
        if not series.dtype.fields:
            return []
        parts = series.struct.unnest()
        columns = []
        for name in parts.columns:
            part = _flat_columns(parts[name], f"{prefix}{name}.")
            if part is None:
                return None
            columns += part
        return columns
    text = _as_text(series)
    return None if text is None else [text.alias(prefix[:-1])]


def _jsonl_with_polars(chunk: bytes, first_line: int, lines: int) -> ReadResult | None:
    """The chunk (of ``lines`` lines) through polars' JSON reader, or None when it is not plain
    JSON objects one per line (a blank or broken line, mixed shapes): then Python reads it, line
    by line."""
    if _SURROGATE_ESCAPE.search(chunk):  # polars reads a lone "\ud800" as NUL: Python says what it is
        return None
    try:
        frame = pl.read_ndjson(io.BytesIO(chunk), infer_schema_length=None)
    except Exception:  # noqa: BLE001 - any refusal means: read it the careful way
        return None
    # polars skips a blank line and refuses a line of two values, so a chunk with a blank line
    # has fewer rows than lines (no search for "\n\n" through the chunk: 1.5 s at 8.4 M activities).
    if frame.height != lines:
        return None
    columns = []
    for name in frame.columns:
        part = _flat_columns(frame[name], f"{name}.")
        if part is None:  # a value polars cannot give back as written: Python reads the chunk
            return None
        columns += part
    names = [c.name for c in columns]
    if len(set(names)) != len(names) or ROW_NUMBER in names:  # {"a.b": 1, "a": {"b": 2}}; {"_row_number": 1}
        return None
    rows = (
        pl.DataFrame(columns).with_columns(
            pl.int_range(first_line, first_line + frame.height, dtype=pl.Int64).alias(ROW_NUMBER)
        )
        if columns
        else pl.DataFrame({ROW_NUMBER: pl.int_range(first_line, first_line + frame.height, eager=True)})
    )
    return ReadResult(rows, [], names)


def _jsonl_with_python(text: str, first_line: int, encoding: str, has_invalid_bytes: bool) -> ReadResult:
    records: list[dict[str, str | None]] = []
    numbers: list[int] = []
    bad: list[BadRow] = []
    cells: list[tuple[int, str, str, str]] = []
    for row_number, line in enumerate(text.split("\n"), start=first_line):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            flat = _flatten(obj) if isinstance(obj, dict) else None
        except json.JSONDecodeError as exc:
            bad.append(
                BadRow(row_number, _safe(line), (f"line is not valid JSON: {exc.msg} at column {exc.colno}",))
            )
            continue
        except RecursionError:
            bad.append(
                BadRow(row_number, _safe(line)[:10_000], ("line nests objects or arrays too deeply to read",))
            )
            continue
        if flat is None:
            bad.append(
                BadRow(row_number, _safe(line), (f"line is a JSON {type(obj).__name__}, not an object",))
            )
            continue
        if ROW_NUMBER in flat:
            bad.append(
                BadRow(
                    row_number,
                    _safe(line),
                    (
                        f"the line has a key named '{ROW_NUMBER}' (the ingestion's row number); "
                        "rename it in the export",
                    ),
                )
            )
            continue
        if "\\ud" in line or "\\uD" in line:  # a lone surrogate escape is no text: the cell is nulled
            lone = _SURROGATE_NOT_A_BYTE if has_invalid_bytes else _SURROGATE
            if any(lone.search(key) for key in flat):
                bad.append(
                    BadRow(row_number, _safe(line), ("a key holds an unpaired UTF-16 surrogate escape",))
                )
                continue
            for key, value in flat.items():
                if value is not None and lone.search(value):
                    codes = ", ".join(dict.fromkeys(f"\\u{ord(c):04x}" for c in lone.findall(value)))
                    flat[key] = lone.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
                    cells.append(
                        (
                            row_number,
                            key,
                            flat[key],
                            f"'{codes}' is an unpaired UTF-16 surrogate escape, not a character",
                        )
                    )
        if has_invalid_bytes:
            if any(_invalid_bytes(key) for key in flat):
                bad.append(
                    BadRow(
                        row_number, _safe(line), (f"a key holds bytes that are not valid {_shown(encoding)}",)
                    )
                )
                continue
            for key, value in flat.items():
                if value is not None and (invalid := _invalid_bytes(value)):
                    flat[key] = _safe(value)
                    cells.append((row_number, key, flat[key], _invalid_bytes_reason(invalid, encoding)))
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


def read_jsonl(path: Path, config: SourceConfig, chunk_bytes: int = CHUNK_BYTES) -> Iterator[ReadResult]:
    """Line numbers count every line (blank ones too); a line is split at ``\\n`` only."""
    source = _File(path)
    encoding = file_encoding(source.head(), config.csv.encoding)
    if encoding != "utf-8-sig":  # UTF-16, Latin-1, ...: decoded whole, read by Python
        text, invalid = _decode(source.whole(), encoding)
        yield _jsonl_with_python(text, 1, encoding, invalid)
        return
    first_line = 1
    produced = False
    for index, chunk in enumerate(source.chunks(chunk_bytes)):
        lines = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
        result = (
            None
            if index == 0 and chunk.startswith(codecs.BOM_UTF8)
            else _jsonl_with_polars(chunk, first_line, lines)
        )
        if result is None:
            text, invalid = _decode(chunk, "utf-8-sig" if index == 0 else "utf-8")
            result = _jsonl_with_python(text.removesuffix("\n"), first_line, "utf-8", invalid)
        first_line += lines
        produced = True
        yield result
    if not produced:
        yield ReadResult(_empty_frame([]))


READERS = {"csv": read_csv, "jsonl": read_jsonl}


def read_file(path: Path, config: SourceConfig, chunk_bytes: int = CHUNK_BYTES) -> Iterator[ReadResult]:
    """The file's rows in chunks of whole records; a ``FileRejected`` is raised before any."""
    return READERS[config.format](path, config, chunk_bytes)
