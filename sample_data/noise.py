"""Noise: how sources garble a person's details, plus the few records made invalid on purpose.

A record's field values start as the person's clean values. Perturbations are then applied with
rates that are low on a person's first record and higher on duplicates (a second form filled in
a hurry, a call-center agent typing a name heard on the phone). Every perturbation applied is
listed in the record's ``noise`` ground-truth column, so a de-duplication result can be judged
per noise type. Injected errors (~0.5 % of records) are the only values ingestion should reject.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .config import INJECTED_ERROR_RATE, LEAD_SOURCES, SOURCE_NAMES, TRUNCATED_FILES, GeneratorConfig
from .names import NICKNAMES
from .people import FIRST_NAMES, round_budget
from .records import SRC
from .reference import COMPANY_SUFFIXES
from .vectors import choice_per_row, gather, pick_from_table

# (first record, duplicate record) probabilities of each perturbation.
RATES: dict[str, tuple[float, float]] = {
    "nickname": (0.06, 0.20),  # of people whose first name has nicknames
    "typo": (0.01, 0.10),  # substitution, deletion or insertion in first or last name
    "transposition": (0.005, 0.04),  # two adjacent letters swapped
    "swapped_names": (0.005, 0.03),  # first and last name in each other's place
    "name_case": (0.02, 0.05),  # all lower or all upper case
    "email_case": (0.02, 0.12),
    "gmail_dots": (0.03, 0.25),  # dots removed or added (same Gmail inbox)
    "gmail_plus": (0.02, 0.10),  # +tag sub-address (same Gmail inbox)
    "company_suffix": (0.15, 0.40),  # Inc. -> Inc / , Inc. / missing ...
    "budget_changed": (0.0, 0.15),  # the person named a different budget this time
}
KEEP_EMAIL_KIND_ON_DUPLICATE = 0.80  # otherwise the record uses the person's other address
EXTRA_MISSING_ON_DUPLICATE = 0.10  # duplicates leave email / phone blank more often

# Share of records where a source captured the work (company) address rather than a personal one.
WORK_EMAIL_SHARE = {
    "web_forms": 0.6,
    "ad_leads": 0.35,
    "crm_export": 0.7,
    "events": 0.8,
    "chat": 0.4,
    "referrals": 0.5,
    "walk_ins": 0.3,
    "call_center": 0.0,
}
# Probability that a field the source has is left blank (first records).
MISSING: dict[str, dict[str, float]] = {
    "email": {
        "web_forms": 0.02,
        "crm_export": 0.08,
        "events": 0.05,
        "chat": 0.30,
        "referrals": 0.15,
        "walk_ins": 0.35,
    },
    "phone": {
        "web_forms": 0.25,
        "ad_leads": 0.03,
        "crm_export": 0.15,
        "events": 0.35,
        "chat": 0.55,
        "referrals": 0.25,
        "walk_ins": 0.05,
    },
    "name": {"chat": 0.15},
    "company": {
        "web_forms": 0.10,
        "ad_leads": 0.05,
        "call_center": 0.30,
        "crm_export": 0.05,
        "events": 0.05,
        "chat": 0.50,
        "referrals": 0.10,
    },
    "job_title": {"web_forms": 0.25, "ad_leads": 0.10, "crm_export": 0.20, "events": 0.10},
    "industry": {"web_forms": 0.20, "ad_leads": 0.15, "crm_export": 0.10, "referrals": 0.30},
    "company_size": {"web_forms": 0.35, "ad_leads": 0.30, "crm_export": 0.25},
    "budget": {
        "web_forms": 0.30,
        "ad_leads": 0.35,
        "call_center": 0.40,
        "crm_export": 0.30,
        "referrals": 0.40,
        "walk_ins": 0.30,
    },
    "timeline": {
        "web_forms": 0.20,
        "ad_leads": 0.25,
        "call_center": 0.35,
        "crm_export": 0.30,
        "walk_ins": 0.25,
    },
    "postal_code": {"web_forms": 0.15, "crm_export": 0.20, "events": 0.30},
    "city": {
        "web_forms": 0.05,
        "ad_leads": 0.05,
        "call_center": 0.10,
        "crm_export": 0.05,
        "events": 0.10,
        "chat": 0.50,
        "referrals": 0.15,
    },
    "region": {
        "web_forms": 0.05,
        "ad_leads": 0.05,
        "call_center": 0.10,
        "crm_export": 0.05,
        "referrals": 0.15,
    },
    "country": {"web_forms": 0.10, "crm_export": 0.30},
}
# Phone renderings: "(212) 555-0143", "212.555.0143", "+1 212 555 0143", "2125550143",
# "1-212-555-0143", "212-555-0143", "+12125550143"; weights per source.
PHONE_FORMAT_WEIGHTS = {
    "web_forms": (0.30, 0.10, 0.05, 0.20, 0.05, 0.30, 0.0),
    "ad_leads": (0.0, 0.0, 0.0, 0.10, 0.0, 0.0, 0.90),
    "call_center": (0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0),
    "crm_export": (0.80, 0.0, 0.0, 0.0, 0.0, 0.20, 0.0),
    "events": (0.20, 0.20, 0.20, 0.20, 0.10, 0.10, 0.0),
    "chat": (0.20, 0.10, 0.10, 0.30, 0.05, 0.25, 0.0),
    "referrals": (0.40, 0.10, 0.0, 0.10, 0.10, 0.30, 0.0),
    "walk_ins": (0.30, 0.20, 0.0, 0.10, 0.10, 0.30, 0.0),
}
# Perturbations that live in a field: they are no longer visible once the field is blank or replaced.
FIELD_NOISE = {
    "name": ("nickname", "typo", "transposition", "swapped_names", "name_case"),
    "email": ("email_case", "gmail_dots", "gmail_plus", "alt_email"),
    "phone": ("phone_format",),
    "company": ("company_suffix",),
    "budget": ("budget_changed",),
}
GMAIL_TAGS = ("promo", "news", "leads", "work", "re", "2025", "offers")
KEYBOARD = {
    "q": "wa",
    "w": "qeas",
    "e": "wrsd",
    "r": "etdf",
    "t": "ryfg",
    "y": "tugh",
    "u": "yihj",
    "i": "uojk",
    "o": "ipkl",
    "p": "ol",
    "a": "qwsz",
    "s": "awedxz",
    "d": "serfcx",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "z": "asx",
    "x": "zsdc",
    "c": "xdfv",
    "v": "cfgb",
    "b": "vghn",
    "n": "bhjm",
    "m": "njk",
}

# Injected errors. Every value below fails ingestion's parsing for its column.
BAD_DATES = ("N/A", "TBD", "#VALUE!", "0000-00-00 00:00:00", "99/99/9999 99:99", "yesterday", "31/31/2025")
BAD_PHONES = ("12345", "000-000-0000", "1234567", "call me")
ERROR_TYPES = ("invalid_email", "unparseable_date", "invalid_phone", "missing_contact")
TRUNCATED_LINE = "truncated_line"
ERROR_KINDS = (*ERROR_TYPES, TRUNCATED_LINE)

_SOURCE_FIELDS = np.array([[f in s.fields for f in MISSING] for s in LEAD_SOURCES])  # (source, field)
_FIELD = {f: i for i, f in enumerate(MISSING)}
_NICK_TABLE = [NICKNAMES.get(name, ()) for name in FIRST_NAMES]
_HAS_NICK = np.array([len(t) > 0 for t in _NICK_TABLE])


def perturb(cfg: GeneratorConfig, people: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """Fill each record's canonical field values from its person, with noise and injected errors."""
    rng = cfg.rng("noise")
    person = records["person_idx"].to_numpy()
    is_first = records["is_first"].to_numpy()
    source = records["source_code"].to_numpy()
    first_pos = np.maximum.accumulate(np.where(is_first, np.arange(len(person)), 0))
    flags: dict[str, np.ndarray] = {}

    def draw(name: str, eligible: np.ndarray | bool = True) -> np.ndarray:
        seed_p, dup_p = RATES[name]
        flags[name] = eligible & (rng.random(len(person)) < np.where(is_first, seed_p, dup_p))
        return flags[name]

    take = [
        "first_name",
        "last_name",
        "personal_email",
        "work_email",
        "phone_digits",
        "company_base",
        "suffix_type",
        "job_title",
        "industry",
        "company_size",
        "budget",
        "timeline",
        "city",
        "region",
        "postal_code",
        "do_not_email",
        "do_not_call",
        "first_idx",
    ]
    df = pl.concat([records, people.select(take)[person]], how="horizontal").with_columns(
        country=pl.lit("US")
    )

    df = _names(rng, df, draw)
    df = _emails(rng, df, draw, flags, is_first, first_pos, source)
    df = _phones(rng, df, flags, is_first, first_pos, source)
    df = _companies(rng, df, draw)
    changed = draw("budget_changed")
    budget = df["budget"].to_numpy()
    restated = round_budget(budget * rng.uniform(0.7, 1.3, len(budget)))
    df = df.with_columns(budget=pl.Series(np.where(changed, restated, budget)))
    df = _blank_fields(rng, df, flags, is_first, source)
    df = _inject_errors(rng, df, flags, is_first, source)

    helpers = ("personal_email", "work_email", "phone_digits", "company_base", "suffix_type", "first_idx")
    return df.with_columns(noise=_flag_lists(flags)).drop(helpers)


def _flag_lists(flags: dict[str, np.ndarray]) -> pl.Series:
    """Per row, the names of the flags set on it.

    Rows are encoded as bit masks and each distinct combination (a few thousand at most) is
    built once, which is much faster than assembling a list per row from 25 columns.
    """
    names = list(flags)
    mask = np.zeros(len(next(iter(flags.values()))), dtype=np.int64)
    for bit, name in enumerate(names):  # over flag types, not rows
        mask |= flags[name].astype(np.int64) << bit
    combos, row_combo = np.unique(mask, return_inverse=True)
    lists = pl.Series(
        [[n for bit, n in enumerate(names) if c >> bit & 1] for c in combos.tolist()],
        dtype=pl.List(pl.String),
    )
    return lists.gather(row_combo)


def _names(rng: np.random.Generator, df: pl.DataFrame, draw) -> pl.DataFrame:
    m = df.height
    first_idx = df["first_idx"].to_numpy()
    nick = draw("nickname", _HAS_NICK[first_idx])
    rows = np.flatnonzero(nick)
    first = df["first_name"].scatter(
        rows, pick_from_table(rng, [t or ("",) for t in _NICK_TABLE], first_idx[rows])
    )
    df = df.with_columns(first_name=first)

    on_first = rng.random(m) < 0.5
    for name, ops in (("typo", (0.45, 0.30, 0.25, 0.0)), ("transposition", (0.0, 0.0, 0.0, 1.0))):
        length = np.where(on_first, df["first_name"].str.len_chars(), df["last_name"].str.len_chars()).astype(
            np.int64
        )
        hit = draw(name, length >= 3)
        for column, side in (("first_name", on_first), ("last_name", ~on_first)):
            rows = np.flatnonzero(hit & side)
            before = df[column].gather(rows)
            pos = 1 + (rng.random(len(rows)) * (length[rows] - 2)).astype(np.int64)
            after = _typo(
                before, choice_per_row(rng, np.tile(ops, (len(rows), 1))), pos, rng.random(len(rows))
            )
            hit[rows[(after == before).to_numpy()]] = False  # e.g. swapping the two n's of "Anna"
            df = df.with_columns(df[column].scatter(rows, after))

    swap = pl.Series(draw("swapped_names"))
    df = df.with_columns(
        first_name=pl.when(swap).then("last_name").otherwise("first_name"),
        last_name=pl.when(swap).then("first_name").otherwise("last_name"),
    )
    case = pl.Series(draw("name_case"))
    upper = pl.Series(rng.random(m) < 0.5)
    return df.with_columns(
        pl.when(case & upper)
        .then(pl.col(c).str.to_uppercase())
        .when(case)
        .then(pl.col(c).str.to_lowercase())
        .otherwise(pl.col(c))
        for c in ("first_name", "last_name")
    )


def _typo(names: pl.Series, op: np.ndarray, pos: np.ndarray, u: np.ndarray) -> pl.Series:
    """One keyboard slip per name at ``pos``: 0 substitute, 1 delete, 2 insert, 3 swap with the next letter.

    Substituted and inserted letters are keyboard neighbours of the letter at ``pos``.
    """
    s, p, o = pl.col("s"), pl.col("p"), pl.col("o")
    c = s.str.slice(p, 1)
    neighbours = c.str.to_lowercase().replace_strict(KEYBOARD, default="e", return_dtype=pl.String)
    ch = neighbours.str.slice((pl.col("u") * neighbours.str.len_chars()).cast(pl.Int64), 1)
    left, right = s.str.slice(0, p), s.str.slice(p + 1)
    return (
        pl.DataFrame({"s": names, "p": pos, "o": op, "u": u})
        .select(
            pl.when(o == 0)
            .then(left + ch + right)
            .when(o == 1)
            .then(left + right)
            .when(o == 2)
            .then(left + c + ch + right)
            .otherwise(left + s.str.slice(p + 1, 1) + c + s.str.slice(p + 2))
        )[:, 0]
        .alias(names.name)
    )


def _emails(rng, df, draw, flags, is_first, first_pos, source) -> pl.DataFrame:
    m = df.height
    has_email = _SOURCE_FIELDS[source, _FIELD["email"]]
    has_work = df["work_email"].is_not_null().to_numpy()
    work_share = np.array([WORK_EMAIL_SHARE[s] for s in SOURCE_NAMES])[source]
    seed_kind = has_work & (rng.random(m) < work_share)
    first_kind = seed_kind[first_pos]
    keep = rng.random(m) < KEEP_EMAIL_KIND_ON_DUPLICATE
    kind = np.where(is_first, seed_kind, np.where(keep, first_kind, ~first_kind) & has_work)
    flags["alt_email"] = has_email & (kind != kind[first_pos])
    df = df.with_columns(
        email=pl.when(pl.Series(kind)).then("work_email").otherwise("personal_email"),
        email_kind=pl.Series(np.where(kind, "work", "personal")),
    )
    local = pl.col("email").str.extract(r"^([^@]*)@", 1)
    domain = pl.col("email").str.extract(r"@(.*)$", 1)
    gmail = (df["email"].str.ends_with("@gmail.com")).to_numpy() & has_email
    dots = pl.Series(draw("gmail_dots", gmail))
    local_len = df.select(local.str.len_chars())[:, 0].to_numpy().astype(np.int64)
    at = pl.Series(1 + (rng.random(m) * np.maximum(local_len - 1, 1)).astype(np.int64))
    df = df.with_columns(
        email=pl.when(~dots)
        .then("email")
        .otherwise(
            pl.when(local.str.contains(".", literal=True))
            .then(local.str.replace_all(".", "", literal=True))
            .otherwise(local.str.slice(0, at) + "." + local.str.slice(at))
            + "@"
            + domain
        )
    )
    plus = pl.Series(draw("gmail_plus", gmail))
    tag = gather(GMAIL_TAGS, rng.integers(0, len(GMAIL_TAGS), m))
    df = df.with_columns(email=pl.when(plus).then(local + "+" + tag + "@" + domain).otherwise("email"))
    case = pl.Series(draw("email_case", has_email))
    upper = pl.Series(rng.random(m) < 0.4)
    return df.with_columns(
        email=pl.when(case & upper)
        .then(pl.col("email").str.to_uppercase())
        .when(case)
        .then(pl.col("email").str.to_titlecase())
        .otherwise("email")
    )


def _phones(rng, df, flags, is_first, first_pos, source) -> pl.DataFrame:
    weights = np.array([PHONE_FORMAT_WEIGHTS[s] for s in SOURCE_NAMES])
    fmt = choice_per_row(rng, weights[source])
    flags["phone_format"] = ~is_first & (fmt != fmt[first_pos])
    d = pl.col("phone_digits")
    a, b, c = d.str.slice(0, 3), d.str.slice(3, 3), d.str.slice(6, 4)
    f = pl.lit(pl.Series(fmt))
    return df.with_columns(
        phone=(
            pl.when(f == 0)
            .then("(" + a + ") " + b + "-" + c)
            .when(f == 1)
            .then(pl.concat_str(a, b, c, separator="."))
            .when(f == 2)
            .then("+1 " + pl.concat_str(a, b, c, separator=" "))
            .when(f == 3)
            .then(d)
            .when(f == 4)
            .then("1-" + pl.concat_str(a, b, c, separator="-"))
            .when(f == 5)
            .then(pl.concat_str(a, b, c, separator="-"))
            .otherwise("+1" + d)
        )
    )


def _companies(rng, df, draw) -> pl.DataFrame:
    """Legal-suffix variants: 'Acme Inc.' becomes 'Acme Inc', 'Acme, Inc.', 'Acme Incorporated' or 'Acme'."""
    suffix_type = df["suffix_type"].fill_null(0).to_numpy()
    varied = draw("company_suffix", (suffix_type > 0) & df["company_base"].is_not_null().to_numpy())
    n_variants = np.array([len(v) for v in COMPANY_SUFFIXES])[suffix_type]
    variant = np.where(
        varied, 1 + (rng.random(df.height) * np.maximum(n_variants - 1, 1)).astype(np.int64), 0
    )
    flat = [v for variants in COMPANY_SUFFIXES for v in variants]
    offsets = np.concatenate([[0], np.cumsum([len(v) for v in COMPANY_SUFFIXES])[:-1]])
    return df.with_columns(company=pl.col("company_base") + gather(flat, offsets[suffix_type] + variant))


def _blank_fields(rng, df, flags, is_first, source) -> pl.DataFrame:
    """Leave fields blank at source-specific rates, keeping every record reachable.

    A blanked field is recorded as ``missing_<field>`` only when the source has that column and
    the person has a value for it: a column the source lacks is its shape, not noise.
    """
    m = df.height
    column = {"name": "last_name"}
    blank = {}
    for field, rates in MISSING.items():  # over fields, not rows
        p = np.array([rates.get(s, 0.0) for s in SOURCE_NAMES])[source]
        if field in ("email", "phone"):  # only where the source lets the field be blank at all
            p = np.where(is_first | (p == 0), p, p + EXTRA_MISSING_ON_DUPLICATE)
        present = df[column.get(field, field)].is_not_null().to_numpy()
        blank[field] = _SOURCE_FIELDS[source, _FIELD[field]] & present & (rng.random(m) < p)
    # Ingestion requires one of email, phone, last_name: give the email (else phone) back.
    unreachable = blank["name"] & (blank["email"] | ~_SOURCE_FIELDS[source, _FIELD["email"]]) & blank["phone"]
    blank["email"] &= ~(unreachable & _SOURCE_FIELDS[source, _FIELD["email"]])
    blank["phone"] &= ~(unreachable & ~_SOURCE_FIELDS[source, _FIELD["email"]])
    for field, mask in blank.items():
        flags[f"missing_{field}"] = mask
        _hide_noise(flags, field, mask)
    hide = {field: pl.Series(mask) for field, mask in blank.items()}
    return df.with_columns(
        [pl.when(hide[f]).then(None).otherwise(pl.col(f)).alias(f) for f in MISSING if f != "name"]
        + [
            pl.when(hide["name"]).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("first_name", "last_name")
        ]
    )


def _hide_noise(flags: dict[str, np.ndarray], field: str, gone: np.ndarray) -> None:
    """Unlist the perturbations of ``field`` on rows where its value was blanked or replaced."""
    for name in FIELD_NOISE.get(field, ()):
        flags[name] &= ~gone


def _inject_errors(rng: np.random.Generator, df: pl.DataFrame, flags, is_first, source) -> pl.DataFrame:
    """Make ~0.5 % of records invalid, and cut the last line of a few CSV files short.

    Only duplicate records are broken, so every person keeps a valid first record that status
    changes and activities can reference, and the number of people ingestion can recover
    equals the number generated.
    """
    m = df.height
    candidates = np.flatnonzero(~is_first)
    k = min(int(round(m * INJECTED_ERROR_RATE)), len(candidates))
    rows = np.sort(rng.choice(candidates, k, replace=False))
    kind = (np.arange(k) % len(ERROR_TYPES))[rng.permutation(k)]  # every type, in equal numbers
    kind[(kind == 0) & ~_SOURCE_FIELDS[source[rows], _FIELD["email"]]] = 2  # no email column: bad phone
    kind[(kind == 1) & (source[rows] == SRC["chat"])] = 3  # chat dates are epoch integers in JSON

    local = df["personal_email"].str.extract(r"^([^@]*)@", 1).gather(rows)
    domain_root = df["personal_email"].str.extract(r"@([^.]*)\.", 1).gather(rows)
    email_pattern = rng.integers(0, 4, k)
    bad_email = pl.select(
        pl.when(pl.lit(pl.Series(email_pattern)) == 0)
        .then(local + "@")
        .when(pl.lit(pl.Series(email_pattern)) == 1)
        .then(pl.lit("n/a at gmail"))
        .when(pl.lit(pl.Series(email_pattern)) == 2)
        .then(local + " at " + domain_root)
        .otherwise(local + "@@" + domain_root + ".com")
    )[:, 0]
    bad_phone = gather(BAD_PHONES, rng.integers(0, len(BAD_PHONES), k))
    bad_date = gather(BAD_DATES, rng.integers(0, len(BAD_DATES), k))
    value = pl.select(
        pl.when(pl.lit(pl.Series(kind)) == 0)
        .then(bad_email)
        .when(pl.lit(pl.Series(kind)) == 1)
        .then(bad_date)
        .when(pl.lit(pl.Series(kind)) == 2)
        .then(bad_phone)
        .otherwise(pl.lit(None, dtype=pl.String))
    )[:, 0]
    description = pl.select(
        pl.when(value.is_null())
        .then(pl.lit("missing_contact: no name, email or phone"))
        .otherwise(gather(ERROR_TYPES, kind) + ": '" + value + "'")
    )[:, 0]

    error = np.full(m, -1)
    error[rows] = kind
    _hide_noise(flags, "email", (error == 0) | (error == 3))
    _hide_noise(flags, "phone", (error == 2) | (error == 3))
    _hide_noise(flags, "name", error == 3)
    err = pl.Series(error)
    full_value = pl.repeat(None, m, dtype=pl.String, eager=True).scatter(rows, value)
    df = df.with_columns(
        injected_error=pl.repeat(None, m, dtype=pl.String, eager=True).scatter(rows, description),
        email=pl.when(err == 0).then(full_value).when(err == 3).then(None).otherwise("email"),
        bad_date=pl.when(err == 1).then(full_value),
        phone=pl.when(err == 2).then(full_value).when(err == 3).then(None).otherwise("phone"),
        first_name=pl.when(err == 3).then(None).otherwise("first_name"),
        last_name=pl.when(err == 3).then(None).otherwise("last_name"),
    )
    return _truncate_lines(rng, df, is_first, source)


def _truncate_lines(rng: np.random.Generator, df: pl.DataFrame, is_first, source) -> pl.DataFrame:
    """Pick a few CSV lead files; their latest error-free duplicate record becomes a cut-short last line."""
    csv_sources = [SRC[s.name] for s in LEAD_SOURCES if s.ext in ("csv", "txt")]
    pool = df.with_row_index("row").filter(
        pl.Series(~is_first & np.isin(source, csv_sources)) & pl.col("injected_error").is_null()
    )
    last = (
        pool.sort("t", "row").group_by("source_code", "batch", maintain_order=True).agg(pl.col("row").last())
    )
    last = last.sort("source_code", "batch")
    chosen = np.sort(rng.choice(last["row"].to_numpy(), min(TRUNCATED_FILES, last.height), replace=False))
    truncate = np.zeros(df.height, dtype=bool)
    truncate[chosen] = True
    keep = np.full(df.height, np.nan)
    keep[chosen] = rng.random(len(chosen))
    return df.with_columns(
        truncate=pl.Series(truncate),
        truncate_keep=pl.Series(keep).fill_nan(None),
        injected_error=pl.when(pl.Series(truncate))
        .then(pl.lit(f"{TRUNCATED_LINE}: the file's last line is cut short"))
        .otherwise("injected_error"),
    )
