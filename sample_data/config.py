"""Generator settings and the catalog of simulated sources.

Everything that decides *how much* of what is generated lives here, so the rates quoted in
docs/sample_data.md can be checked against one file.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

HISTORY_MONTHS = 18  # leads are created over this many months before the as-of date


@dataclass(frozen=True)
class GeneratorConfig:
    """One generator run. ``leads`` counts distinct people, not source records."""

    leads: int = 10_000
    seed: int = 42
    out: Path = Path("data")  # Leadhouse reads DIR/landing by default (LEADHOUSE_DATA_DIR)
    as_of: date = date(2026, 11, 1)
    batches: int = 1
    progress: bool = True

    def __post_init__(self) -> None:
        if self.leads < 1:
            raise ValueError("leads must be at least 1")
        if self.batches < 1:
            raise ValueError("batches must be at least 1")

    @property
    def end_ts(self) -> int:
        """The as-of instant (midnight UTC) in unix seconds; nothing happens at or after it."""
        return int(datetime(self.as_of.year, self.as_of.month, self.as_of.day, tzinfo=UTC).timestamp())

    @property
    def start_ts(self) -> int:
        """Midnight UTC ``HISTORY_MONTHS`` months before the as-of date."""
        months = self.as_of.year * 12 + self.as_of.month - 1 - HISTORY_MONTHS
        start = datetime(months // 12, months % 12 + 1, min(self.as_of.day, 28), tzinfo=UTC)
        return int(start.timestamp())

    def batch_of(self, t: np.ndarray) -> np.ndarray:
        """Batch index of unix times: ``batches`` equal windows over the period, shared by all tables."""
        return np.clip(
            (t - self.start_ts) * self.batches // (self.end_ts - self.start_ts), 0, self.batches - 1
        )

    def rng(self, stage: str) -> np.random.Generator:
        """An independent random stream per stage, so changing one stage leaves the others' draws alone."""
        seq = np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(stage.encode()),))
        return np.random.Generator(np.random.PCG64(seq))


@dataclass(frozen=True)
class LeadSource:
    name: str
    channel: str  # canonical channel (the source config's default)
    share: float  # share of first-touch records
    dup_share: float  # share of cross-source duplicate records
    ext: str
    # Canonical lead fields the source captures (name = first/last, however rendered).
    fields: frozenset[str]
    separator: str = ","  # CSV field delimiter


_CONTACT = frozenset({"name", "email", "phone"})

LEAD_SOURCES: tuple[LeadSource, ...] = (
    LeadSource(
        "web_forms",
        "web_form",
        0.30,
        0.26,
        "csv",
        _CONTACT
        | {
            "company",
            "job_title",
            "industry",
            "company_size",
            "budget",
            "timeline",
            "city",
            "region",
            "country",
            "postal_code",
            "campaign",
            "do_not_email",
        },
    ),
    LeadSource(
        "ad_leads",
        "ad_form",
        0.26,
        0.20,
        "jsonl",
        _CONTACT
        | {
            "company",
            "job_title",
            "industry",
            "company_size",
            "budget",
            "timeline",
            "city",
            "region",
            "country",
            "campaign",
        },
    ),
    LeadSource(
        "call_center",
        "call_center",
        0.12,
        0.14,
        "txt",
        frozenset(
            {"name", "phone", "company", "city", "region", "budget", "timeline", "campaign", "do_not_call"}
        ),
        separator="|",
    ),
    LeadSource(
        "crm_export",
        "crm",
        0.10,
        0.18,
        "csv",
        _CONTACT
        | {
            "company",
            "job_title",
            "industry",
            "company_size",
            "budget",
            "timeline",
            "city",
            "region",
            "country",
            "postal_code",
            "campaign",
            "referrer",
            "do_not_email",
            "do_not_call",
        },
    ),
    LeadSource(
        "events",
        "event",
        0.08,
        0.08,
        "csv",
        _CONTACT | {"company", "job_title", "campaign", "postal_code", "city"},
        separator=";",
    ),
    LeadSource("chat", "chat", 0.07, 0.08, "jsonl", _CONTACT | {"company", "city", "campaign"}),
    LeadSource(
        "referrals",
        "referral",
        0.04,
        0.03,
        "csv",
        _CONTACT | {"referrer", "company", "industry", "budget", "city", "region"},
    ),
    LeadSource("walk_ins", "walk_in", 0.03, 0.03, "csv", _CONTACT | {"budget", "timeline", "city"}),
)
SOURCE_NAMES: tuple[str, ...] = tuple(s.name for s in LEAD_SOURCES)
SOURCE_BY_NAME: dict[str, LeadSource] = {s.name: s for s in LEAD_SOURCES}

# Non-lead landing tables and their file extensions.
OTHER_TABLES: dict[str, str] = {
    "crm_activities": "jsonl",
    "crm_status_changes": "csv",
    "crm_agents": "csv",
    "ad_spend": "csv",
}

# Duplicates: share of people captured more than once, and how many extra records they get.
DUPLICATE_PERSON_RATE = 0.20
EXTRA_RECORDS_PMF = (0.68, 0.20, 0.08, 0.04)  # P(1, 2, 3, 4 extra records | duplicated)
SAME_SOURCE_DUPLICATE_RATE = 0.35  # a duplicate re-uses the first record's source

PLANTED_NAMESAKE_RATE = 0.005  # people given the name of another person (half in the same city)
INJECTED_ERROR_RATE = 0.005  # share of lead records made invalid on purpose
TRUNCATED_FILES = 3  # CSV lead files whose last line is cut short
AGENTS_PER_LEAD = 1 / 400
MIN_AGENTS = 8
