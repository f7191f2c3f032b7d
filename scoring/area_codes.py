"""The seed ``dbt_project/seeds/enrichment/nanp_area_code_regions.csv``: the US state (or
territory, or Canadian province) of each North American area code, read from phonenumbers'
geocoding data rather than typed by hand (it is kept up to date with the numbering plan).

``python -m scoring.area_codes > dbt_project/seeds/enrichment/nanp_area_code_regions.csv``;
tests/scoring/test_enrichment_seeds.py fails while the file differs from what this prints.
"""

from __future__ import annotations

import sys

import phonenumbers
from phonenumbers import geocoder

# Names the geocoder gives for a whole area code -> the code the warehouse keeps in `region`.
REGION_CODES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
    "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA",
    "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT",
    "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM",
    "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
    "Virginia": "VA", "Washington": "WA", "Washington D.C.": "DC", "Washington DC": "DC",
    "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY", "Puerto Rico": "PR",
}  # fmt: skip
# Exchanges tried per area code: the geocoder describes some codes per exchange only.
EXCHANGES = ("234", "345", "456", "567", "678", "789", "890")


def area_code_regions() -> dict[str, str]:
    """Area code -> US region code, for every US area code the geocoder places in one region."""
    regions: dict[str, str] = {}
    for area_code in range(200, 1000):
        found = set()
        for exchange in EXCHANGES:
            number = phonenumbers.parse(f"+1{area_code}{exchange}1234")
            if phonenumbers.region_code_for_number(number) not in ("US", "PR"):
                continue
            description = geocoder.description_for_number(number, "en")
            name, _, state = description.rpartition(", ")
            code = state if name and len(state) == 2 else REGION_CODES.get(description)
            if code:
                found.add(code)
        if len(found) == 1:
            regions[str(area_code)] = found.pop()
    return regions


def main() -> int:
    sys.stdout.write("area_code,region\n")
    sys.stdout.writelines(f"{code},{region}\n" for code, region in area_code_regions().items())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
