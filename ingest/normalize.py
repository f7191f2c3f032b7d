"""Map a source's native string columns onto its canonical schema and normalize the values.

Everything here is vectorized polars; phones go through ``ingest.phones`` (phonenumbers). A value
that cannot be converted is never silently altered: it becomes null and an *issue* (row number,
column, the text as written, the reason, what was done) is recorded beside the frame.
``ingest.triage`` then decides whether the row is still a record (the value is nulled and the
issue lands in ``raw.field_issues``) or not (the row goes to ``raw.quarantine``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import polars as pl

from ingest.config import SourceConfig
from ingest.phones import POSSIBLE, UNUSABLE, normalize_phones
from ingest.readers import ROW_NUMBER
from ingest.schemas import Column

ATTRIBUTES = "attributes"
# One row per problem value: what ingest.triage and raw.field_issues take.
ISSUE_SCHEMA: dict[str, pl.DataType] = {
    ROW_NUMBER: pl.Int64(),
    "column_name": pl.String(),  # canonical column, or null for a native column kept in attributes
    "native_column": pl.String(),  # the file's column (null for derived values)
    "raw_value": pl.String(),  # the text as written (trimmed)
    "reason": pl.String(),
    "action": pl.String(),  # nulled | kept | replaced
}
NULLED, KEPT, REPLACED = "nulled", "kept", "replaced"
# Longer canonical text is not a name, an email or a title: it is nulled and recorded.
MAX_TEXT_LENGTH = 10_000
_CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
DEFAULT_DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)
DEFAULT_DATE_FORMATS = ("%Y-%m-%d",)


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


@dataclass
class Canonical:
    """Typed canonical columns + ``attributes`` + ``_row_number``, and the issues found."""

    frame: pl.DataFrame
    issues: pl.DataFrame
    # The same rows' canonical columns as text (before conversion), for the raw values of issues.
    text: pl.DataFrame
    # canonical column -> the native column it was read from
    native_of: dict[str, str | None]


class MissingColumns(Exception):
    """Columns the config maps are not in the file's header."""

    def __init__(self, missing: list[str], present: list[str]):
        self.missing = missing
        self.present = present
        super().__init__(
            f"the file has no column(s) {', '.join(repr(m) for m in missing)} that the source config maps; "
            f"its header is: {', '.join(present)}. Fix the config's `columns` or the export."
        )


def _collapse_spaces(expr: pl.Expr) -> pl.Expr:
    # Rewriting only values that need it is three times faster than replace_all on every value.
    messy = expr.str.contains(r"\s\s|[^\S ]|^\s|\s$")
    return pl.when(messy).then(expr.str.replace_all(r"\s+", " ").str.strip_chars()).otherwise(expr)


def _name(expr: pl.Expr) -> pl.Expr:
    # Title-case only names typed in one case ("JANE", "jane"); keep "McDonald" as written.
    text = _collapse_spaces(expr)
    one_case = (text == text.str.to_uppercase()) | (text == text.str.to_lowercase())
    # NFC first: in a decomposed "e\u0301lodie" the accent would start a new word ("ÉLodie").
    return pl.when(one_case).then(text.str.normalize("NFC").str.to_titlecase()).otherwise(text)


def _email(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.to_lowercase().str.strip_prefix("mailto:")


def _number_text(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(r"[\s,$]|USD", "")


def _parse_datetime(expr: pl.Expr, formats: list[str], timezone: str) -> pl.Expr:
    attempts = []
    for fmt in formats:
        if fmt == "epoch":
            seconds = expr.str.strip_chars().cast(pl.Float64, strict=False)
            attempts.append((seconds * 1_000_000).cast(pl.Int64, strict=False).cast(pl.Datetime("us")))
        elif "%z" in fmt:
            parsed = expr.str.strptime(pl.Datetime("us", "UTC"), fmt, strict=False)
            attempts.append(parsed.dt.replace_time_zone(None))
        else:
            parsed = expr.str.strptime(pl.Datetime("us"), fmt, strict=False)
            if timezone != "UTC":
                parsed = parsed.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
                parsed = parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            attempts.append(parsed)
    return pl.coalesce(attempts)


def _parse_date(expr: pl.Expr, formats: list[str]) -> pl.Expr:
    return pl.coalesce([expr.str.strptime(pl.Date, fmt, strict=False) for fmt in formats])


def _parse_temporal(text: pl.Series, column: Column, formats: list[str], timezone: str) -> pl.Series:
    """Like ``pl.coalesce`` over the formats, in their order, but each later format only parses
    what the earlier ones left (a file nearly always uses one format: one pass, not eight)."""

    def parse(values: pl.Series, fmt: str) -> pl.Series:
        expr = (
            _parse_datetime(pl.col("v"), [fmt], timezone)
            if column.kind == "datetime"
            else _parse_date(pl.col("v"), [fmt])
        )
        return pl.DataFrame({"v": values}).select(expr).to_series()

    if formats in (list(DEFAULT_DATETIME_FORMATS), list(DEFAULT_DATE_FORMATS)):
        # The default ISO 8601 shapes never read one text two ways, so their order is free:
        # start with the one the first value has (a file nearly always keeps to one).
        sample = text.drop_nulls().head(1)
        first = next((f for f in formats if sample.len() and parse(sample, f).null_count() == 0), formats[0])
        formats = [first] + [f for f in formats if f != first]
    result = parse(text, formats[0])
    for fmt in formats[1:]:
        left = (result.is_null() & text.is_not_null()).arg_true()
        if left.len() == 0:
            break
        result = result.scatter(left, parse(text.gather(left), fmt))
    return result.alias(text.name)


def _convert(column: Column, text: pl.Expr, config: SourceConfig) -> tuple[pl.Expr, str]:
    """The typed expression for a canonical column and the reason used when conversion fails
    (timestamps and dates are parsed by ``_parse_temporal``, format by format)."""
    kind = column.kind
    if kind == "email":
        return _email(text), ""
    if kind == "name":
        return _name(text), ""
    if kind == "company":
        return _collapse_spaces(text), ""
    if kind == "int":
        number = _number_text(text).cast(pl.Float64, strict=False)
        whole = number.is_not_null() & (number == number.round(0)) & (number.abs() < 2.0**63)
        return pl.when(whole).then(number.cast(pl.Int64)), "is not a whole number (or is out of range)"
    if kind == "float":
        return _number_text(text).cast(pl.Float64, strict=False).fill_nan(
            None
        ), "is not a number"  # "NaN" too
    if kind == "bool":
        word = text.str.strip_chars().str.to_lowercase()
        expr = pl.when(word.is_in(TRUE_WORDS)).then(True).when(word.is_in(FALSE_WORDS)).then(False)
        return expr, f"is not a yes/no value ({'/'.join(TRUE_WORDS)} or {'/'.join(FALSE_WORDS)})"
    if column.allowed:
        lower = {v.lower(): v for v in column.allowed}
        key = text.str.strip_chars().str.to_lowercase()
        return key.replace_strict(list(lower), list(lower.values()), default=text.str.strip_chars()), ""
    return _collapse_spaces(text), ""


def _split_name(full: pl.Expr, order: str) -> tuple[pl.Expr, pl.Expr]:
    full = _collapse_spaces(full)
    has_comma = full.str.contains(",")
    before_comma = full.str.split_exact(",", 1).struct.field("field_0").str.strip_chars()
    after_comma = full.str.split_exact(",", 1).struct.field("field_1").str.strip_chars()
    first_token = full.str.extract(r"^(\S+)", 1)
    rest = full.str.extract(r"^\S+\s+(.+)$", 1)
    if order == "last_first":  # "DOE JANE"
        first = pl.when(has_comma).then(after_comma).otherwise(rest)
        last = pl.when(has_comma).then(before_comma).otherwise(first_token)
    else:  # "Jane Doe"; a comma still means "Doe, Jane"
        first = pl.when(has_comma).then(after_comma).otherwise(first_token)
        last = pl.when(has_comma).then(before_comma).otherwise(rest)
    return first, last


class ContentIds:
    """Stable ids from a row's content, for sources without ids: md5 of the values, numbered when
    identical rows repeat (``<digest>-1``, ``<digest>-2``), so re-delivered rows keep their id.
    One instance per file: the numbering runs on across the file's chunks."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, frame: pl.DataFrame, columns: list[str]) -> pl.Series:
        content = frame.select(
            pl.concat_str([pl.col(c).fill_null("\u2400") for c in columns], separator="\x1f")
            if columns
            else pl.repeat("", frame.height, dtype=pl.String())  # JSON Lines of {}: no values at all
        )
        ids = []
        for value in content.to_series():
            digest = hashlib.md5(value.encode("utf-8", "surrogateescape")).hexdigest()[:20]
            occurrence = self.seen.get(digest, 0) + 1
            self.seen[digest] = occurrence
            ids.append(f"{digest}-{occurrence}")
        return pl.Series(ids, dtype=pl.String())


def _issue_rows(
    frame: pl.DataFrame,
    failed: pl.Expr,
    column: str | None,
    native: str | None,
    raw: pl.Expr,
    reason: pl.Expr | str,
    action: str,
) -> pl.DataFrame:
    return frame.filter(failed).select(
        pl.col(ROW_NUMBER),
        pl.lit(column, pl.String()).alias("column_name"),
        pl.lit(native, pl.String()).alias("native_column"),
        raw.cast(pl.String()).alias("raw_value"),
        (pl.lit(reason) if isinstance(reason, str) else reason).alias("reason"),
        pl.lit(action).alias("action"),
    )


def _clip(raw: pl.Expr) -> pl.Expr:
    """The raw text as stored in an issue: long values cut, with their length said."""
    return (
        pl.when(raw.str.len_chars() > MAX_TEXT_LENGTH)
        .then(pl.format("{}... [{} characters]", raw.str.slice(0, MAX_TEXT_LENGTH), raw.str.len_chars()))
        .otherwise(raw)
    )


def _null_cells(native: pl.DataFrame, cell_issues: pl.DataFrame) -> pl.DataFrame:
    """Null the native cells the reader could not read (undecodable bytes)."""
    if cell_issues.height == 0:
        return native
    updates = []
    for column, rows in cell_issues.group_by("native_column").agg(pl.col(ROW_NUMBER)).iter_rows():
        if column in native.columns:
            updates.append(
                pl.when(pl.col(ROW_NUMBER).is_in(rows)).then(None).otherwise(pl.col(column)).alias(column)
            )
    return native.with_columns(updates)


def to_canonical(
    rows: pl.DataFrame,
    native_columns: list[str],
    config: SourceConfig,
    cell_issues: pl.DataFrame | None = None,
    content_ids: ContentIds | None = None,
) -> Canonical:
    """Canonical, typed columns + ``attributes`` + ``_row_number``, with every value that could
    not be taken as written in ``issues`` (``ISSUE_SCHEMA``). ``cell_issues`` are the reader's
    (``_row_number``, ``native_column``, ``raw_value``, ``reason``) for cells it could not read."""
    schema = config.schema
    content_ids = content_ids or ContentIds()
    mapping = config.mapping(native_columns)
    missing = [native for native in mapping.values() if native not in native_columns]
    if missing and config.format == "csv":
        raise MissingColumns(missing, native_columns)
    if config.split_name and config.split_name.column not in native_columns and config.format == "csv":
        raise MissingColumns([config.split_name.column], native_columns)

    nulls = list(config.null_values)
    native = rows.with_columns(
        pl.col(c).str.strip_chars().replace(nulls, None).alias(c) for c in native_columns
    )
    issues: list[pl.DataFrame] = []
    canonical_of = {n: c for c, n in mapping.items()}
    if cell_issues is not None and cell_issues.height:
        issues.append(
            cell_issues.select(
                ROW_NUMBER,
                pl.col("native_column")
                .replace_strict(canonical_of, default=None, return_dtype=pl.String())
                .alias("column_name"),
                "native_column",
                "raw_value",
                "reason",
                pl.lit(NULLED).alias("action"),
            )
        )
        native = _null_cells(native, cell_issues)
    # Missing JSON keys are just absent values.
    absent = [
        m
        for m in missing + ([config.split_name.column] if config.split_name else [])
        if m not in native.columns
    ]
    native = native.with_columns(pl.lit(None, pl.String()).alias(m) for m in dict.fromkeys(absent))

    text: dict[str, pl.Expr] = {}
    for column in schema.columns:
        if column.derived:
            continue
        expr = pl.col(mapping[column.name]) if column.name in mapping else pl.lit(None, pl.String())
        if column.name in config.defaults:
            expr = pl.coalesce(expr, pl.lit(str(config.defaults[column.name])))
        text[column.name] = expr
    if config.split_name:
        first, last = _split_name(pl.col(config.split_name.column), config.split_name.order)
        text["first_name"] = pl.coalesce(text["first_name"], first)
        text["last_name"] = pl.coalesce(text["last_name"], last)
    native_of = {c: mapping.get(c) for c in text}
    if config.split_name:
        for c in ("first_name", "last_name"):
            native_of[c] = native_of[c] or config.split_name.column

    text_frame = native.select([expr.alias(name) for name, expr in text.items()] + [pl.col(ROW_NUMBER)])
    if "source_record_id" not in mapping:
        text_frame = text_frame.with_columns(source_record_id=content_ids(native, native_columns))
    elif "source_record_id" not in schema.required:
        # Blank: null, or nothing but control characters and spaces (a NUL-only id is no id).
        blank = (
            pl.col("source_record_id")
            .str.replace_all(_CONTROL_CHARACTERS, "")
            .str.strip_chars()
            .fill_null("")
            == ""
        )
        if text_frame.select(blank.any()).item():
            issues.append(
                _issue_rows(
                    text_frame,
                    blank,
                    "source_record_id",
                    native_of["source_record_id"],
                    pl.lit(None, pl.String()),
                    "is missing; an id was derived from the row's content",
                    REPLACED,
                )
            )
            text_frame = text_frame.with_columns(
                source_record_id=pl.when(blank)
                .then(content_ids(native, native_columns))
                .otherwise("source_record_id")
            )

    # Control characters (NUL, escape, ...) never reach the warehouse: removed, recorded.
    text_columns = [c for c in text if schema.column(c).dtype == pl.String()]
    scan = (
        text_frame.select(
            [pl.col(c).str.contains(_CONTROL_CHARACTERS).any().alias(f"control:{c}") for c in text_columns]
            + [(pl.col(c).str.len_chars().max() > MAX_TEXT_LENGTH).alias(f"long:{c}") for c in text_columns]
        ).row(0, named=True)
        if text_columns
        else {}
    )
    for name in text_columns:
        if scan[f"control:{name}"]:
            has_control = pl.col(name).str.contains(_CONTROL_CHARACTERS)
            issues.append(
                _issue_rows(
                    text_frame,
                    has_control,
                    name,
                    native_of[name],
                    _clip(pl.col(name)).str.replace_all(_CONTROL_CHARACTERS, "\ufffd"),
                    "held control characters; they were removed",
                    REPLACED,
                )
            )
            removed = pl.col(name).str.replace_all(_CONTROL_CHARACTERS, "")
            # Nothing left but spaces: no value, as a blank cell is (a required column then misses it).
            text_frame = text_frame.with_columns(
                pl.when(removed.str.strip_chars() != "").then(removed).alias(name)
            )

    # Every conversion once, then its failures: a value as written that did not become a value.
    typed_exprs = []
    failures = {}
    for column in schema.columns:
        if column.derived:
            continue
        if column.kind in ("datetime", "date"):
            continue  # parsed below, format by format, only where the earlier formats failed
        typed, failure = _convert(column, pl.col(column.name), config)
        typed_exprs.append(typed.cast(column.dtype, strict=False).alias(column.name))
        if failure:
            failures[column.name] = failure
    converted = text_frame.with_columns(typed_exprs)
    for column in schema.columns:
        if column.kind in ("datetime", "date") and not column.derived:
            defaults = DEFAULT_DATETIME_FORMATS if column.kind == "datetime" else DEFAULT_DATE_FORMATS
            formats = config.date_formats.get(column.name) or list(defaults)
            parsed = _parse_temporal(text_frame[column.name], column, formats, config.timezone)
            converted = converted.with_columns(parsed.cast(column.dtype, strict=False).alias(column.name))
            failures[column.name] = f"matches none of the formats {formats}"
    failed = pl.DataFrame(
        {name: text_frame[name].is_not_null() & converted[name].is_null() for name in failures}
        | {
            f"long:{name}": text_frame[name].str.len_chars() > MAX_TEXT_LENGTH
            for name in text_columns
            if scan[f"long:{name}"]
        }
    )
    if failed.width:
        any_failed = failed.select(pl.all().any()).row(0, named=True)
        for key, hit in any_failed.items():
            if not hit:
                continue
            name = key.removeprefix("long:")
            reason = (
                f"is longer than {MAX_TEXT_LENGTH} characters" if key.startswith("long:") else failures[name]
            )
            issues.append(
                _issue_rows(
                    text_frame.with_columns(_failed=failed[key]),
                    pl.col("_failed"),
                    name,
                    native_of[name],
                    _clip(pl.col(name)),
                    reason,
                    NULLED,
                )
            )
    too_long = [c for c in text_columns if scan[f"long:{c}"]]
    if too_long:
        converted = converted.with_columns(
            pl.when(pl.col(c).str.len_chars() > MAX_TEXT_LENGTH).then(None).otherwise(pl.col(c)).alias(c)
            for c in too_long
        )

    if "phone" in schema.column_names:
        judged = normalize_phones(converted["phone"], config.phone_region)
        converted = converted.with_columns(
            phone=judged["e164"],
            phone_is_valid=pl.when(judged["e164"].is_not_null()).then(judged["verdict"] == "valid"),
        )
        region = config.phone_region
        for verdict, reason, action in (
            (
                UNUSABLE,
                f"is not a possible phone number (region {region}): too short, too long or no number",
                NULLED,
            ),
            (
                POSSIBLE,
                f"is not a valid number in any numbering plan (region {region}); kept as E.164 with "
                "phone_is_valid false",
                KEPT,
            ),
        ):
            part = _issue_rows(
                text_frame.with_columns(_verdict=judged["verdict"]),
                pl.col("_verdict") == verdict,
                "phone",
                native_of["phone"],
                pl.col("phone"),
                reason,
                action,
            )
            if part.height:
                issues.append(part)

    consumed = set(mapping.values()) | ({config.split_name.column} if config.split_name else set())
    unmapped = [c for c in native_columns if c not in consumed]
    attributes = (
        native.select(pl.struct(unmapped).struct.json_encode().alias(ATTRIBUTES))
        if unmapped
        else pl.DataFrame({ATTRIBUTES: pl.Series([None] * native.height, dtype=pl.String())})
    )
    frame = converted.with_columns(attributes[ATTRIBUTES])
    issue_frame = pl.concat([i.cast(ISSUE_SCHEMA) for i in issues]) if issues else empty_issues()
    return Canonical(frame, issue_frame, text_frame, native_of)


def raw_json(rows: pl.DataFrame, native_columns: list[str]) -> pl.Series:
    """The native row as a JSON object, for quarantine."""
    if not native_columns:
        return pl.Series([json.dumps({})] * rows.height, dtype=pl.String())
    return rows.select(pl.struct(native_columns).struct.json_encode()).to_series()
