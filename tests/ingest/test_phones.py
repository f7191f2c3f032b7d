"""The vectorized North American path of ingest.phones gives phonenumbers' own answers."""

import random

import polars as pl
import pytest

from ingest.phones import POSSIBLE, UNUSABLE, VALID, _parse_one, normalize_phones

FORMATS = (
    "{n}",
    "({a}) {b}-{c}",
    "+1 {a} {b} {c}",
    "1-{a}-{b}-{c}",
    "{a}.{b}.{c}",
    "+1{n}",
    "1{n}",
    "{a}/{b}-{c}",
)


def random_numbers(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    values = []
    for _ in range(count):
        n = str(rng.randint(2_000_000_000, 9_999_999_999))
        values.append(rng.choice(FORMATS).format(n=n, a=n[:3], b=n[3:6], c=n[6:]))
    return values


@pytest.mark.parametrize("region", ["US", "CA", "GB"])
def test_fast_path_matches_phonenumbers(region):
    values = random_numbers(4000, seed=len(region))
    judged = normalize_phones(pl.Series(values), region)
    expected = [_parse_one(v, region) for v in values]
    assert list(judged.iter_rows()) == expected
    assert {VALID, POSSIBLE} <= set(judged["verdict"])


def test_other_shapes_go_through_phonenumbers():
    values = [
        "+44 20 7946 0958",
        "555-0100",
        "12345",
        "1-800-FLOWERS",
        "2125550100 x12",
        "011 44 20 7946 0958",
        "not a phone",
        None,
        "(212) 555-0143",
        "(212) 555-0143",
    ]
    judged = normalize_phones(pl.Series(values, dtype=pl.String()), "US")
    assert judged.rows() == [
        ("+442079460958", VALID),
        (None, UNUSABLE),  # a local number without its area code
        (None, UNUSABLE),
        ("+18003569377", VALID),
        ("+12125550100", VALID),
        ("+442079460958", VALID),
        (None, UNUSABLE),
        (None, None),
        ("+12125550143", VALID),
        ("+12125550143", VALID),
    ]
