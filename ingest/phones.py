"""Phone numbers to E.164 with a verdict per value: valid, possible but not valid, or unusable.

``phonenumbers`` (Google's libphonenumber metadata) decides; nothing here is a hand-written
numbering plan. It costs about 30 µs per distinct number, a minute at a million distinct numbers,
so the most common shape, a ten-digit North American number written with or without ``+1``/``1``
and punctuation, takes a vectorized path: the same metadata patterns (fixed line, mobile, toll
free, ... of every region sharing country code 1), applied as regular expressions in polars, in
the order phonenumbers applies them. Every other shape goes through ``phonenumbers.parse`` once per
distinct value. ``tests/ingest/test_phones.py`` holds the fast path to phonenumbers' own answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import phonenumbers
import polars as pl
from phonenumbers import PhoneMetadata, PhoneNumberFormat, ValidationResult
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

VALID = "valid"
POSSIBLE = "possible"  # a whole number (right length) that no numbering plan of its region knows
UNUSABLE = "unusable"  # not a phone number, or too short or long to be one

NANP_REGIONS = COUNTRY_CODE_TO_REGION_CODE[1]
# What phonenumbers ignores between digits; a value holding anything else takes the slow path.
_PUNCTUATION = r"[\s().\-/]"
_NUMBER_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


@dataclass(frozen=True)
class _RegionPlan:
    region: str
    leading_digits: str | None  # claims the number for this region when its start matches
    number_pattern: str | None  # the national number is of some known type (full match)


@cache
def _nanp_plans(national_length: int = 10) -> tuple[_RegionPlan, ...]:
    plans = []
    for region in NANP_REGIONS:
        metadata = PhoneMetadata.metadata_for_region(region)
        general = metadata.general_desc
        types = []
        for name in _NUMBER_TYPES:
            desc = getattr(metadata, name)
            if desc is None or not desc.national_number_pattern:
                continue
            lengths = desc.possible_length or general.possible_length
            if national_length in lengths and lengths != (-1,):
                types.append(desc.national_number_pattern)
        pattern = None
        if types and general.national_number_pattern:
            alternatives = "|".join(f"(?:{t})" for t in types)
            pattern = f"^(?:{general.national_number_pattern})$&^(?:{alternatives})$"
        plans.append(_RegionPlan(region, metadata.leading_digits, pattern))
    return tuple(plans)


def _type_known(national: pl.Expr, plan: _RegionPlan) -> pl.Expr:
    if plan.number_pattern is None:
        return pl.lit(False)
    general, types = plan.number_pattern.split("&")
    return national.str.contains(general) & national.str.contains(types)


def _nanp_validity(national: pl.Series) -> pl.Series:
    """phonenumbers' is_valid_number for ten-digit national numbers of country code 1: the first
    region that claims a number (by its leading digits, or else by knowing its type) decides.
    Regions are tried in phonenumbers' order, each only on the numbers no earlier one claimed."""
    frame = pl.DataFrame({"national": national}).with_row_index("position")
    verdicts = []
    for plan in _nanp_plans():
        if frame.height == 0:
            break
        known = _type_known(pl.col("national"), plan)
        claims = (
            pl.col("national").str.contains(f"^(?:{plan.leading_digits})") if plan.leading_digits else known
        )
        judged = frame.with_columns(_claims=claims, _known=known)
        verdicts.append(judged.filter(pl.col("_claims")).select("position", pl.col("_known").alias("valid")))
        frame = judged.filter(~pl.col("_claims")).select("position", "national")
    verdicts.append(frame.select("position", pl.lit(False).alias("valid")))
    return pl.concat(verdicts).sort("position")["valid"]


def _parse_one(raw: str, region: str) -> tuple[str | None, str]:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None, UNUSABLE
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None, UNUSABLE  # includes numbers only dialable locally (no area code)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return e164, VALID if phonenumbers.is_valid_number(number) else POSSIBLE


def normalize_phones(values: pl.Series, region: str) -> pl.DataFrame:
    """``e164`` and ``verdict`` (valid | possible | unusable; null for a null value) per value,
    in the order given. Each distinct value is judged once."""
    distinct = pl.DataFrame({"raw": values.drop_nulls().unique()})
    compact = pl.col("raw").str.replace_all(_PUNCTUATION, "")
    national = compact.str.extract(r"^(?:\+1|1)?([2-9][0-9]{9})$", 1)
    if region not in NANP_REGIONS:  # only +1 numbers are surely North American there
        national = pl.when(compact.str.starts_with("+1")).then(national)
    distinct = distinct.with_columns(national=national)
    fast = distinct.filter(pl.col("national").is_not_null())
    fast = fast.with_columns(fast_valid=_nanp_validity(fast["national"])).select(
        "raw",
        e164=pl.lit("+1") + pl.col("national"),
        verdict=pl.when(pl.col("fast_valid")).then(pl.lit(VALID)).otherwise(pl.lit(POSSIBLE)),
    )
    slow_raw = distinct.filter(pl.col("national").is_null())["raw"].to_list()
    slow_results = [_parse_one(raw, region) for raw in slow_raw]
    slow = pl.DataFrame(
        {
            "raw": slow_raw,
            "e164": [r[0] for r in slow_results],
            "verdict": [r[1] for r in slow_results],
        },
        schema={"raw": pl.String(), "e164": pl.String(), "verdict": pl.String()},
    )
    judged = pl.concat([fast, slow])
    return (
        pl.DataFrame({"raw": values})
        .join(judged, on="raw", how="left", maintain_order="left")
        .select("e164", "verdict")
    )
