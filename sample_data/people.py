"""The golden people: who they are, where they work and how to reach them.

One row per person (a "golden lead"). Source records are later rendered from these rows, with
noise, so every record traces back to exactly one person. Companies are drawn first and people
are attached to them with a skewed popularity, which gives the data colleagues (same company,
same email domain, different people), a hard case for de-duplication next to namesakes.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .config import PLANTED_NAMESAKE_RATE, GeneratorConfig
from .names import first_names, last_names
from .reference import (
    CITIES,
    COMPANY_PREFIXES,
    COMPANY_PREFIXES_2,
    COMPANY_SUFFIX_WEIGHTS,
    COMPANY_SUFFIXES,
    FREE_EMAIL_DOMAINS,
    INDUSTRIES,
    JOB_TITLES,
    TIMELINE_WEIGHTS,
    TIMELINES,
    VALID_EXCHANGES,
)
from .vectors import gather, normalized, padded, pick_from_table

FIRST_NAMES, FIRST_NAME_WEIGHTS = first_names()
LAST_NAMES, LAST_NAME_WEIGHTS = last_names()
CITY_WEIGHTS = normalized([c.weight for c in CITIES])
ALL_AREA_CODES = np.array(sorted({a for c in CITIES for a in c.area_codes}))

HAS_COMPANY_RATE = 0.93  # the rest are individuals / sole proprietors without a company name
SAME_CITY_AS_COMPANY = 0.80
LOCAL_AREA_CODE_RATE = 0.85  # others kept a number from another city
COMPANY_POPULARITY_EXPONENT = 0.3


def build_people(cfg: GeneratorConfig) -> pl.DataFrame:
    """Draw ``cfg.leads`` people with clean attributes, contact details and latent traits."""
    rng = cfg.rng("people")
    n = cfg.leads
    companies = _companies(rng, max(10, int(n / 2.2)))

    first_idx = rng.choice(len(FIRST_NAMES), n, p=FIRST_NAME_WEIGHTS)
    last_idx = rng.choice(len(LAST_NAMES), n, p=LAST_NAME_WEIGHTS)

    has_company = rng.random(n) < HAS_COMPANY_RATE
    popularity = normalized(np.arange(1, companies.height + 1) ** -COMPANY_POPULARITY_EXPONENT)
    company_idx = np.where(has_company, rng.choice(companies.height, n, p=popularity), -1)
    safe_company = np.maximum(company_idx, 0)
    company_city = companies["city_idx"].to_numpy()[safe_company]
    city_idx = np.where(
        has_company & (rng.random(n) < SAME_CITY_AS_COMPANY),
        company_city,
        rng.choice(len(CITIES), n, p=CITY_WEIGHTS),
    )
    first_idx, last_idx, city_idx, planted = _plant_namesakes(rng, first_idx, last_idx, city_idx)

    industry_idx = np.where(
        has_company,
        companies["industry_idx"].to_numpy()[safe_company],
        rng.choice(len(INDUSTRIES), n, p=normalized([i.weight for i in INDUSTRIES])),
    )
    size = np.where(has_company, companies["company_size"].to_numpy()[safe_company], 0)
    budget = _budgets(rng, np.maximum(size, 3))
    timeline_idx = rng.choice(len(TIMELINES), n, p=normalized(TIMELINE_WEIGHTS))

    people = pl.DataFrame(
        {
            "person_idx": np.arange(n, dtype=np.int64),
            "first_idx": first_idx,
            "last_idx": last_idx,
            "company_idx": company_idx,
            "city_idx": city_idx,
            "industry_idx": industry_idx,
            "company_size": pl.Series(size).replace(0, None),
            "budget": budget,
            "timeline_idx": timeline_idx,
            "engagement": rng.standard_normal(n),
            "do_not_email": rng.random(n) < 0.04,
            "do_not_call": rng.random(n) < 0.03,
        }
    ).with_columns(
        person_id=padded("P", np.arange(1, n + 1), 7),
        first_name=gather(FIRST_NAMES, first_idx),
        last_name=gather(LAST_NAMES, last_idx),
        industry=gather([i.name for i in INDUSTRIES], industry_idx),
        city=gather([c.name for c in CITIES], city_idx),
        region=gather([c.state for c in CITIES], city_idx),
        postal_code=_postal_codes(rng, city_idx),
        job_title=gather(
            [t for t, _ in JOB_TITLES],
            rng.choice(len(JOB_TITLES), n, p=normalized([w for _, w in JOB_TITLES])),
        ),
        timeline=gather(TIMELINES, timeline_idx),
    )
    people = people.join(
        companies.select("company_idx", "company_base", "suffix_type", "company", "domain"),
        on="company_idx",
        how="left",
        maintain_order="left",
    )
    people = people.with_columns(phone_digits=_phones(rng, city_idx))
    people = _emails(rng, people)
    return _namesake_groups(people).with_columns(planted_namesake=pl.Series(planted))


def _companies(rng: np.random.Generator, m: int) -> pl.DataFrame:
    """Companies with industry, size, home city, name, legal suffix and web domain (names may repeat, as in life)."""
    industry_idx = rng.choice(len(INDUSTRIES), m, p=normalized([i.weight for i in INDUSTRIES]))
    median = np.array([i.median_size for i in INDUSTRIES])[industry_idx]
    size = np.clip(np.rint(median * rng.lognormal(0.0, 1.2, m)), 1, 25_000).astype(np.int64)
    noun = pick_from_table(rng, [i.nouns for i in INDUSTRIES], industry_idx)
    pattern = rng.choice(4, m, p=[0.45, 0.20, 0.25, 0.10])
    sur = rng.choice(len(LAST_NAMES), (2, m), p=LAST_NAME_WEIGHTS)
    suffix_type = rng.choice(len(COMPANY_SUFFIXES), m, p=normalized(COMPANY_SUFFIX_WEIGHTS))
    tld = np.where(
        np.isin(industry_idx, [_industry("nonprofit"), _industry("education")]) & (rng.random(m) < 0.7),
        ".org",
        np.where(
            (industry_idx == _industry("technology")) & (rng.random(m) < 0.3),
            ".io",
            np.where(rng.random(m) < 0.08, ".net", ".com"),
        ),
    )
    frame = pl.DataFrame(
        {
            "company_idx": np.arange(m, dtype=np.int64),
            "industry_idx": industry_idx,
            "company_size": size,
            "city_idx": rng.choice(len(CITIES), m, p=CITY_WEIGHTS),
            "suffix_type": suffix_type,
            "pattern": pattern,
            "noun": noun,
            "prefix": gather(COMPANY_PREFIXES, rng.integers(0, len(COMPANY_PREFIXES), m)),
            "prefix2": gather(COMPANY_PREFIXES_2, rng.integers(0, len(COMPANY_PREFIXES_2), m)),
            "sur1": gather(LAST_NAMES, sur[0]),
            "sur2": gather(LAST_NAMES, sur[1]),
            "tld": tld,
        }
    )
    base = (
        pl.when(pl.col("pattern") == 0)
        .then(pl.concat_str("prefix", "noun", separator=" "))
        .when(pl.col("pattern") == 1)
        .then(pl.concat_str("prefix", "prefix2", "noun", separator=" "))
        .when(pl.col("pattern") == 2)
        .then(pl.concat_str("sur1", "noun", separator=" "))
        .otherwise(pl.concat_str("sur1", "sur2", separator=" & "))
    )
    canonical_suffix = gather([s[0] for s in COMPANY_SUFFIXES], suffix_type)
    return (
        frame.with_columns(company_base=base)
        .with_columns(
            company=pl.col("company_base") + canonical_suffix,
            domain=pl.col("company_base").str.to_lowercase().str.replace_all(r"[^a-z0-9]", "")
            + pl.col("tld"),
        )
        .select(
            "company_idx",
            "industry_idx",
            "company_size",
            "city_idx",
            "suffix_type",
            "company_base",
            "company",
            "domain",
        )
    )


def _industry(name: str) -> int:
    return next(i for i, ind in enumerate(INDUSTRIES) if ind.name == name)


def _plant_namesakes(
    rng: np.random.Generator, first_idx: np.ndarray, last_idx: np.ndarray, city_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Give ~0.5 % of people the full name of another person, half of them in the same city.

    Frequency-weighted names already produce namesakes by chance; planting guarantees the
    hardest case (same name, same city, different person) exists at every scale.
    """
    n = len(first_idx)
    k = int(round(n * PLANTED_NAMESAKE_RATE))
    planted = np.zeros(n, dtype=bool)
    if n < 2 or k == 0:
        return first_idx, last_idx, city_idx, planted
    copier = rng.choice(n, k, replace=False)
    original = rng.integers(0, n, k)
    original = np.where(original == copier, (original + 1) % n, original)
    first_idx, last_idx, city_idx = first_idx.copy(), last_idx.copy(), city_idx.copy()
    first_idx[copier] = first_idx[original]
    last_idx[copier] = last_idx[original]
    same_city = rng.random(k) < 0.5
    city_idx[copier[same_city]] = city_idx[original[same_city]]
    planted[copier] = True
    return first_idx, last_idx, city_idx, planted


def _budgets(rng: np.random.Generator, size: np.ndarray) -> np.ndarray:
    """Annual rent budget in USD, growing with head-count."""
    return round_budget(np.exp(np.log(9_000) + 0.5 * np.log(size) + rng.normal(0.0, 0.55, len(size))))


def round_budget(raw: np.ndarray) -> np.ndarray:
    """Round to the figures people actually state: $500 steps when small, $25,000 when large."""
    raw = np.clip(raw, 3_000, 3_000_000)
    step = np.where(raw < 20_000, 500, np.where(raw < 200_000, 5_000, 25_000))
    return (np.maximum(np.rint(raw / step), 1) * step).astype(np.int64)


def _postal_codes(rng: np.random.Generator, city_idx: np.ndarray) -> pl.Series:
    lo = np.array([c.zip_lo for c in CITIES])[city_idx]
    hi = np.array([c.zip_hi for c in CITIES])[city_idx]
    return pl.Series(rng.integers(lo, hi + 1)).cast(pl.String).str.zfill(5)


def _phones(rng: np.random.Generator, city_idx: np.ndarray) -> pl.Series:
    """Unique, valid 10-digit US numbers: local area code, real exchange, random line."""
    n = len(city_idx)
    codes = [c.area_codes for c in CITIES]
    counts = np.array([len(c) for c in codes])
    flat = np.array([a for c in codes for a in c])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    local = flat[offsets[city_idx] + (rng.random(n) * counts[city_idx]).astype(np.int64)]
    area = np.where(rng.random(n) < LOCAL_AREA_CODE_RATE, local, rng.choice(ALL_AREA_CODES, n))
    exchange = rng.choice(np.array(VALID_EXCHANGES), n)
    number = area * 10_000_000 + exchange * 10_000 + rng.integers(0, 10_000, n)
    while True:  # redraw the line number of later duplicates; converges in a few rounds
        _, first = np.unique(number, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        if not dup.any():
            return pl.Series(number).cast(pl.String)
        number[dup] = number[dup] // 10_000 * 10_000 + rng.integers(0, 10_000, int(dup.sum()))


def _emails(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """A unique personal (free-mail) address for everyone, a work address for people with a company."""
    n = people.height
    people = people.with_columns(
        _first=pl.col("first_name").str.to_lowercase().str.replace_all(r"[^a-z]", ""),
        _last=pl.col("last_name").str.to_lowercase().str.replace_all(r"[^a-z]", ""),
    )
    first, last = pl.col("_first"), pl.col("_last")
    f = first.str.slice(0, 1)
    digits2 = pl.Series(rng.integers(1, 100, n)).cast(pl.String)
    digits4 = pl.Series(rng.integers(1950, 2010, n)).cast(pl.String)
    personal_pattern = pl.Series(rng.choice(8, n, p=[0.30, 0.15, 0.15, 0.08, 0.12, 0.08, 0.06, 0.06]))
    work_pattern = pl.Series(rng.choice(5, n, p=[0.55, 0.25, 0.10, 0.05, 0.05]))
    free = gather(
        [d for d, _ in FREE_EMAIL_DOMAINS],
        rng.choice(len(FREE_EMAIL_DOMAINS), n, p=normalized([w for _, w in FREE_EMAIL_DOMAINS])),
    )
    people = people.with_columns(
        _pp=personal_pattern,
        _wp=work_pattern,
        _d2=digits2,
        _d4=digits4,
        _free=free,
    ).with_columns(
        _personal_local=pl.when(pl.col("_pp") == 0)
        .then(pl.concat_str(first, last, separator="."))
        .when(pl.col("_pp") == 1)
        .then(first + last)
        .when(pl.col("_pp") == 2)
        .then(f + last)
        .when(pl.col("_pp") == 3)
        .then(pl.concat_str(first, last, separator="_"))
        .when(pl.col("_pp") == 4)
        .then(pl.concat_str(first, last, separator=".") + pl.col("_d2"))
        .when(pl.col("_pp") == 5)
        .then(first + last.str.slice(0, 1) + pl.col("_d2"))
        .when(pl.col("_pp") == 6)
        .then(pl.concat_str(last, first, separator="."))
        .otherwise(first + pl.col("_d4")),
        _work_local=pl.when(pl.col("_wp") == 0)
        .then(pl.concat_str(first, last, separator="."))
        .when(pl.col("_wp") == 1)
        .then(f + last)
        .when(pl.col("_wp") == 2)
        .then(first)
        .when(pl.col("_wp") == 3)
        .then(first + last.str.slice(0, 1))
        .otherwise(pl.concat_str(first, last, separator="_")),
    )
    personal_local = _unique_locals(rng, people["_personal_local"], people["_free"])
    work_local = _unique_locals(rng, people["_work_local"], people["domain"])
    return people.with_columns(
        personal_email=personal_local + "@" + people["_free"],
        work_email=pl.when(pl.col("domain").is_not_null()).then(work_local + "@" + pl.col("domain")),
    ).drop("_first", "_last", "_pp", "_wp", "_d2", "_d4", "_free", "_personal_local", "_work_local")


def _unique_locals(rng: np.random.Generator, local: pl.Series, domain: pl.Series) -> pl.Series:
    """Append digits to later holders of an address until every mailbox is unique.

    Gmail ignores dots in the local part, so uniqueness is checked on the dot-less form there:
    otherwise two people could own jane.doe@gmail.com and janedoe@gmail.com, which is one inbox.
    """
    local = local.clone()
    while True:
        key = (
            pl.DataFrame({"l": local, "d": domain})
            .select(
                k=pl.when(pl.col("d") == "gmail.com")
                .then(pl.col("l").str.replace_all(".", "", literal=True))
                .otherwise(pl.col("l"))
                + "@"
                + pl.col("d"),
            )
            .select(later=~pl.col("k").is_first_distinct() & pl.col("k").is_not_null())["later"]
        )
        later = key.to_numpy()
        if not later.any():
            return local
        extra = pl.Series(rng.integers(2, 1000, int(later.sum()))).cast(pl.String)
        local = local.scatter(np.flatnonzero(later), local.filter(key) + extra)


def _namesake_groups(people: pl.DataFrame) -> pl.DataFrame:
    """Label every set of different people sharing a clean first + last name."""
    groups = (
        people.group_by("first_idx", "last_idx")
        .agg(pl.len().alias("n"), pl.col("person_idx").min().alias("first_person"))
        .filter(pl.col("n") > 1)
        .sort("first_person")
    )
    groups = groups.select("first_idx", "last_idx").with_columns(
        namesake_group=padded("NS-", np.arange(1, groups.height + 1), 5)
    )
    return people.join(groups, on=["first_idx", "last_idx"], how="left", maintain_order="left")
