"""Map a source's native string columns onto its canonical schema and normalize the values.

Everything here is vectorized polars, except phone parsing, which uses the ``phonenumbers``
library (Google's libphonenumber metadata: numbering plans change and hand-written regexes get
them wrong) on each distinct value once. A value that cannot be converted becomes null and adds a
reason to the row's ``_reasons`` list, so the row is quarantined, never silently altered.
"""

from __future__ import annotations

import hashlib
import json

import phonenumbers
import polars as pl

from ingest.config import SourceConfig
from ingest.readers import ROW_NUMBER
from ingest.schemas import Column

REASONS = "_reasons"
ATTRIBUTES = "attributes"

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
    return expr.str.replace_all(r"\s+", " ").str.strip_chars()


def _name(expr: pl.Expr) -> pl.Expr:
    # Title-case only names typed in one case ("JANE", "jane"); keep "McDonald" as written.
    text = _collapse_spaces(expr)
    one_case = (text == text.str.to_uppercase()) | (text == text.str.to_lowercase())
    return pl.when(one_case).then(text.str.to_titlecase()).otherwise(text)


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


def _phones(values: pl.Series, region: str) -> pl.Series:
    """E.164 for each value; null where phonenumbers says it is not a valid number."""
    distinct = values.drop_nulls().unique()
    parsed = []
    for raw in distinct.to_list():
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            parsed.append(None)
            continue
        valid = phonenumbers.is_valid_number(number)
        parsed.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if valid else None)
    return values.replace_strict(distinct, pl.Series(parsed, dtype=pl.String()), default=None, return_dtype=pl.String())


def _convert(column: Column, text: pl.Expr, config: SourceConfig) -> tuple[pl.Expr, str]:
    """The typed expression for a canonical column and the reason used when conversion fails."""
    kind = column.kind
    if kind == "email":
        return _email(text), ""
    if kind == "name":
        return _name(text), ""
    if kind == "company":
        return _collapse_spaces(text), ""
    if kind == "datetime":
        formats = config.date_formats.get(column.name) or list(DEFAULT_DATETIME_FORMATS)
        return _parse_datetime(text, formats, config.timezone), f"matches none of the formats {formats}"
    if kind == "date":
        formats = config.date_formats.get(column.name) or list(DEFAULT_DATE_FORMATS)
        return _parse_date(text, formats), f"matches none of the formats {formats}"
    if kind == "int":
        number = _number_text(text).cast(pl.Float64, strict=False)
        whole = number.is_not_null() & (number == number.round(0))
        return pl.when(whole).then(number.cast(pl.Int64)), "is not a whole number"
    if kind == "float":
        return _number_text(text).cast(pl.Float64, strict=False), "is not a number"
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


def _content_ids(frame: pl.DataFrame, columns: list[str]) -> pl.Series:
    """A stable id from a row's content (for sources without ids): md5 of the values, numbered
    when identical rows repeat, so re-delivered rows keep their id."""
    content = frame.select(pl.concat_str([pl.col(c).fill_null("\u2400") for c in columns], separator="\x1f"))
    digests = pl.Series([hashlib.md5(v.encode("utf-8", "surrogateescape")).hexdigest()[:20] for v in content.to_series()])
    occurrence = pl.int_range(pl.len()).over(digests) + 1
    return pl.DataFrame({"d": digests}).select(pl.col("d") + "-" + occurrence.cast(pl.String)).to_series()


def to_canonical(rows: pl.DataFrame, native_columns: list[str], config: SourceConfig) -> pl.DataFrame:
    """Canonical, typed columns + ``attributes`` + ``_row_number`` + ``_reasons`` (list of str)."""
    schema = config.schema
    mapping = config.mapping(native_columns)
    missing = [native for native in mapping.values() if native not in native_columns]
    if missing and config.format == "csv":
        raise MissingColumns(missing, native_columns)

    nulls = [v for v in config.null_values]
    native = rows.with_columns(
        pl.when(pl.col(c).str.strip_chars().is_in(nulls)).then(None).otherwise(pl.col(c).str.strip_chars()).alias(c)
        for c in native_columns
    )
    # Missing JSON keys are just absent values.
    native = native.with_columns(pl.lit(None, pl.String()).alias(m) for m in missing)

    text: dict[str, pl.Expr] = {}
    for column in schema.columns:
        expr = pl.col(mapping[column.name]) if column.name in mapping else pl.lit(None, pl.String())
        if column.name in config.defaults:
            expr = pl.coalesce(expr, pl.lit(str(config.defaults[column.name])))
        text[column.name] = expr
    if config.split_name:
        if config.split_name.column not in native_columns and config.format == "csv":
            raise MissingColumns([config.split_name.column], native_columns)
        if config.split_name.column not in native.columns:
            native = native.with_columns(pl.lit(None, pl.String()).alias(config.split_name.column))
        first, last = _split_name(pl.col(config.split_name.column), config.split_name.order)
        text["first_name"] = pl.coalesce(text["first_name"], first)
        text["last_name"] = pl.coalesce(text["last_name"], last)

    derive_id = "source_record_id" not in mapping
    text_frame = native.select(
        [expr.alias(name) for name, expr in text.items()] + [pl.col(ROW_NUMBER)]
    )
    if derive_id:
        text_frame = text_frame.with_columns(source_record_id=_content_ids(native, native_columns))

    typed_exprs = []
    reason_exprs = []
    for column in schema.columns:
        source_text = pl.col(column.name)
        typed, failure = _convert(column, source_text, config)
        typed_exprs.append(typed.cast(column.dtype, strict=False).alias(column.name))
        if failure:
            failed = source_text.is_not_null() & typed.is_null()
            reason_exprs.append(
                pl.when(failed).then(pl.format(f"{column.name}: '{{}}' {failure}", source_text))
            )
    converted = text_frame.with_columns(*typed_exprs, pl.concat_list(reason_exprs).alias(REASONS) if reason_exprs else pl.lit([], pl.List(pl.String)).alias(REASONS))

    if "phone" in schema.column_names:
        phones = _phones(converted["phone"], config.phone_region)
        bad_phone = converted["phone"].is_not_null() & phones.is_null()
        converted = converted.with_columns(
            phone=phones,
            _phone_reason=pl.when(bad_phone).then(
                pl.format(f"phone: '{{}}' is not a valid phone number (region {config.phone_region})", converted["phone"])
            ),
        ).with_columns(pl.concat_list(REASONS, "_phone_reason").alias(REASONS)).drop("_phone_reason")

    consumed = set(mapping.values()) | ({config.split_name.column} if config.split_name else set())
    unmapped = [c for c in native_columns if c not in consumed]
    attributes = (
        native.select(pl.struct(unmapped).struct.json_encode().alias(ATTRIBUTES))
        if unmapped
        else pl.DataFrame({ATTRIBUTES: pl.Series([None] * native.height, dtype=pl.String())})
    )
    return converted.with_columns(attributes[ATTRIBUTES], pl.col(REASONS).list.drop_nulls())


def raw_json(rows: pl.DataFrame, native_columns: list[str]) -> pl.Series:
    """The native row as a JSON object, for quarantine."""
    if not native_columns:
        return pl.Series([json.dumps({})] * rows.height, dtype=pl.String())
    return rows.select(pl.struct(native_columns).struct.json_encode()).to_series()
