"""Leadhouse sample-data generator: realistic, messy lead sources with a known ground truth.

It simulates a commercial real-estate brokerage's lead flow: people captured by eight lead
sources (each in its own native file format, with duplicates, typos and a few invalid rows),
their activity log, status history, sales team and ad spend, plus the ground truth (which
record is which person, who converted) that the warehouse's de-duplication and scoring are
tested against. See docs/sample_data.md.
"""

from .config import GeneratorConfig
from .generator import Result, generate

__all__ = ["GeneratorConfig", "Result", "generate"]
