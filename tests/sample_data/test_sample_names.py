"""The embedded name data is big enough, weighted and self-consistent."""

from __future__ import annotations

import phonenumbers

from sample_data.names import (
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    NICKNAMES,
    first_names,
    last_names,
)
from sample_data.reference import CITIES, VALID_EXCHANGES


def test_lists_are_large_and_unique() -> None:
    firsts, first_w = first_names()
    lasts, last_w = last_names()
    assert len(MALE_FIRST_NAMES) + len(FEMALE_FIRST_NAMES) >= 150 and len(LAST_NAMES) >= 300
    assert len(set(firsts)) == len(firsts) and len(set(lasts)) == len(lasts)
    assert abs(first_w.sum() - 1) < 1e-9 and abs(last_w.sum() - 1) < 1e-9
    assert all(name.isascii() and " " not in name for name in firsts + lasts)


def test_common_names_are_far_more_frequent() -> None:
    lasts, weights = last_names()
    w = dict(zip(lasts, weights, strict=True))
    assert w["Smith"] > 10 * w[LAST_NAMES[-1]]


def test_nickname_table() -> None:
    firsts, _ = first_names()
    assert len(NICKNAMES) >= 30
    assert set(NICKNAMES) <= set(firsts)
    for formal, nicks in {
        "Robert": "Bob",
        "William": "Bill",
        "Elizabeth": "Liz",
        "Katherine": "Kate",
        "Michael": "Mike",
        "James": "Jim",
        "Jennifer": "Jen",
    }.items():
        assert nicks in NICKNAMES[formal]


def test_every_area_code_and_exchange_is_valid() -> None:
    for city in CITIES:
        for area in city.area_codes:
            for exchange in VALID_EXCHANGES[::37]:
                assert phonenumbers.is_valid_number(phonenumbers.parse(f"{area}{exchange}0143", "US")), (
                    area,
                    exchange,
                )
