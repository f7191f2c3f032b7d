"""Vectorized building blocks shared by the generator stages.

The generator never loops over people or records in Python: every stage draws whole arrays with
numpy and builds strings with polars expressions. These helpers are the few operations numpy
does not offer directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def normalized(weights: Sequence[float] | np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()


def choice_per_row(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Draw one category per row of an (n, k) matrix of non-negative weights."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def gather(values: Sequence[str] | pl.Series, idx: np.ndarray, name: str = "") -> pl.Series:
    """``values[idx]`` as a polars string Series (stays in Arrow memory, no Python objects)."""
    series = values if isinstance(values, pl.Series) else pl.Series(values, dtype=pl.String)
    return series.gather(np.asarray(idx, dtype=np.int64)).alias(name)


def base62_ids(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """Salesforce-style ids: ``prefix`` + ``numbers`` in base 62, zero-padded to ``width``."""
    n = np.asarray(numbers, dtype=np.int64)
    digits = np.empty((len(n), width), dtype=np.uint8)
    rest = n.copy()
    for pos in range(width - 1, -1, -1):  # over digit positions, not rows
        digits[:, pos] = _BASE62[rest % 62]
        rest //= 62
    body = pl.Series(digits.view(f"S{width}").ravel()).cast(pl.String)
    return (prefix + body) if prefix else body


def padded(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """``prefix`` + zero-padded decimal numbers, e.g. ``REF-000123``."""
    return prefix + pl.Series(np.asarray(numbers, dtype=np.int64)).cast(pl.String).str.zfill(width)


def nulls(n: int, dtype: pl.DataType = pl.String) -> pl.Series:
    """An all-null Series to ``scatter`` values into."""
    return pl.repeat(None, n, dtype=dtype, eager=True)


def group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Boolean mask marking the first element of each run of equal keys."""
    first = np.ones(len(sorted_keys), dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return first


def rank_in_group(sorted_keys: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal keys of an already sorted array."""
    idx = np.arange(len(sorted_keys))
    starts = np.maximum.accumulate(np.where(group_starts(sorted_keys), idx, 0))
    return idx - starts


def pick_from_table(rng: np.random.Generator, table: Sequence[Sequence[str]], rows: np.ndarray) -> pl.Series:
    """For each ``rows[i]``, a uniformly chosen entry of the ragged list ``table[rows[i]]``."""
    counts = np.array([len(t) for t in table])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    flat = [v for t in table for v in t]
    k = (rng.random(len(rows)) * counts[rows]).astype(np.int64)
    return gather(flat, offsets[rows] + k)
