"""The enrichment seeds: the area-code table is what phonenumbers says (one definition, the seed
derived), and the hand-kept tables are well-formed."""

from __future__ import annotations

import csv

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
