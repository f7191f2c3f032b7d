"""The enrichment seeds: the area-code table is what phonenumbers says (one definition, the seed
derived), and the hand-kept tables are well-formed."""

from __future__ import annotations

import csv
import re

from leadhouse.settings import DBT_PROJECT_DIR
from scoring.area_codes import area_code_regions

SEEDS = DBT_PROJECT_DIR / "seeds" / "enrichment"


def read(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="") as file:
        return list(csv.DictReader(file))


def test_the_area_code_seed_is_what_phonenumbers_says():
    seed = {row["area_code"]: row["region"] for row in read("nanp_area_code_regions.csv")}
    assert seed == area_code_regions(), (
        "run .venv/bin/python -m scoring.area_codes > dbt_project/seeds/enrichment/nanp_area_code_regions.csv"
    )
    assert (seed["212"], seed["512"], seed["415"], seed["808"]) == ("NY", "TX", "CA", "HI")


def test_zip_prefix_ranges_do_not_overlap_and_name_states():
    ranges = sorted(
        (int(r["zip3_from"]), int(r["zip3_to"]), r["region"]) for r in read("us_zip3_regions.csv")
    )
    for (_, high, _), (low, _, _) in zip(ranges, ranges[1:], strict=False):
        assert high < low
    assert all(low <= high and len(region) == 2 for low, high, region in ranges)


def test_title_patterns_are_word_patterns_and_free_mail_domains_are_unique():
    for name in ("job_title_seniority.csv", "job_title_functions.csv"):
        for row in read(name):
            assert row["pattern"].startswith("% ") and row["pattern"].endswith(" %"), (name, row)
    domains = [row["domain"] for row in read("free_email_domains.csv")]
    assert len(domains) == len(set(domains)) and "gmail.com" in domains


def seniority(title: str) -> str | None:
    """The seniority macros/scoring/title_pattern_matches.sql gives a title: its words (lower
    case, punctuation as spaces, a space at each end) against each SQL `like` pattern, the lowest
    precedence first, then the pattern."""
    words = " " + title.lower().translate(str.maketrans(",.-/&()", "       ")) + " "
    rows = sorted(read("job_title_seniority.csv"), key=lambda r: (int(r["precedence"]), r["pattern"]))
    for row in rows:
        if re.fullmatch(".*".join(re.escape(part) for part in row["pattern"].split("%")), words):
            return row["seniority"]
    return None


def test_a_title_takes_the_seniority_of_its_most_specific_words():
    assert {
        title: seniority(title)
        for title in (
            "Vice President of Sales",
            "SVP, Marketing",
            "EVP Operations",
            "VP of Operations",
            "President",
            "CEO",
            "Owner",
            "Managing Partner",
            "Product Owner",
            "Principal Engineer",
            "Executive Assistant",
            "Director of Real Estate",
            "Sales Manager",
        )
    } == {
        "Vice President of Sales": "VP",
        "SVP, Marketing": "VP",
        "EVP Operations": "VP",
        "VP of Operations": "VP",
        "President": "C-level",
        "CEO": "C-level",
        "Owner": "C-level",
        "Managing Partner": "C-level",
        "Product Owner": "Individual contributor",
        "Principal Engineer": "Individual contributor",
        "Executive Assistant": "Individual contributor",
        "Director of Real Estate": "Director",
        "Sales Manager": "Manager",
    }
