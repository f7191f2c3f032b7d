"""Status history: each person's path through the sales funnel, right-censored at the as-of date.

Each person gets one owner (agent) and one path, drawn from a small set of plausible templates
(New -> Contacted -> Qualified -> Proposal -> Negotiation -> Closed Won, with detours through
Nurturing and Recycled, and exits to Closed Lost or Disqualified). The outcome is decided first:
a person who is worked to a close wins with probability = propensity; lost paths go deeper into
the funnel for higher-propensity people, as real near-misses do. Some people are never worked
to a close (stalled leads). Step delays are gamma-distributed; changes after the as-of date are
dropped, so recent leads are still open, as in any live CRM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .agents import Team, assign, state_index
from .config import GeneratorConfig
from .reference import DISQUALIFY_REASONS, LEAD_STATUSES, LOST_REASONS, NO_RESPONSE_REASON, RECYCLE_REASONS
from .vectors import base62_ids, choice_per_row, gather, rank_in_group

DAY = 86_400
TERMINAL = ("Closed Won", "Closed Lost", "Disqualified")
STALL_RATE = 0.12  # never worked to a close: left in New, Contacted, Nurturing or Recycled

_N, _C, _Q, _NU, _P, _NE = "New", "Contacted", "Qualified", "Nurturing", "Proposal", "Negotiation"
_W, _L, _D, _R = "Closed Won", "Closed Lost", "Disqualified", "Recycled"


@dataclass(frozen=True)
class Template:
    statuses: tuple[str, ...]
    weight: float
    depth_effect: float = 0.0  # lost paths: weight multiplier exp(depth_effect * centred logit)


WON = (
    Template((_N, _C, _Q, _P, _NE, _W), 0.50),
    Template((_N, _C, _Q, _P, _W), 0.20),
    Template((_N, _C, _NU, _Q, _P, _NE, _W), 0.20),
    Template((_N, _C, _NU, _R, _C, _Q, _P, _NE, _W), 0.10),
)
LOST = (
    Template((_N, _D), 0.10, -0.6),
    Template((_N, _C, _D), 0.12, -0.5),
    Template((_N, _C, _L), 0.22, -0.3),  # never answered
    Template((_N, _C, _NU, _L), 0.16),
    Template((_N, _C, _NU, _R, _C, _L), 0.06),
    Template((_N, _C, _Q, _L), 0.12, 0.3),
    Template((_N, _C, _Q, _D), 0.04),
    Template((_N, _C, _Q, _P, _L), 0.10, 0.6),
    Template((_N, _C, _Q, _P, _NE, _L), 0.08, 0.8),
)
STALLED = (
    Template((_N,), 0.35),
    Template((_N, _C), 0.25),
    Template((_N, _C, _NU), 0.30),
    Template((_N, _C, _NU, _R), 0.10),
)
TEMPLATES = WON + LOST + STALLED
CODE = {s: i for i, s in enumerate(LEAD_STATUSES)}
# Mean days from the previous change to entering a status (gamma, shape 1.5).
MEAN_DAYS = {_C: 1.5, _Q: 9, _NU: 12, _R: 40, _P: 12, _NE: 9, _W: 16, _L: 20, _D: 4}
RECONTACT_DAYS = 45  # Contacted again after Recycled
NO_RESPONSE_DAYS = 25  # Closed Lost straight after Contacted


@dataclass(frozen=True)
class Lifecycle:
    changes: pl.DataFrame  # one row per status change (uncensored rows already dropped)
    outcome: pl.DataFrame  # one row per person: final_status, is_open, converted, won_amount, agent


def simulate(
    cfg: GeneratorConfig, people: pl.DataFrame, first: pl.DataFrame, p: np.ndarray, team: Team
) -> Lifecycle:
    """Status changes for every person; ``first`` holds each person's earliest record (t, source, id)."""
    rng = cfg.rng("lifecycle")
    n = people.height
    t_first = first["t"].to_numpy()
    tpl = _choose_templates(rng, p)

    lengths = np.array([len(t.statuses) for t in TEMPLATES])
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    flat = np.array([CODE[s] for t in TEMPLATES for s in t.statuses])
    person = np.repeat(np.arange(n), lengths[tpl])
    step = rank_in_group(person)
    at = offsets[tpl][person] + step
    status = flat[at]
    prev = np.where(step > 0, flat[np.maximum(at - 1, 0)], -1)

    mean = np.array([MEAN_DAYS.get(s, 0.0) for s in LEAD_STATUSES])[status] * DAY
    mean = np.where((status == CODE[_C]) & (prev == CODE[_R]), RECONTACT_DAYS * DAY, mean)
    mean = np.where((status == CODE[_L]) & (prev == CODE[_C]), NO_RESPONSE_DAYS * DAY, mean)
    delay = np.maximum(rng.gamma(1.5, mean / 1.5), 120).astype(np.int64)
    delay = np.where(step == 0, rng.integers(60, 2_400, len(step)), delay)  # New: minutes after capture
    cum = np.cumsum(delay)
    start = np.flatnonzero(step == 0)
    t = t_first[person] + cum - np.repeat(cum[start] - delay[start], lengths[tpl])
    next_t = np.where(np.r_[step[1:] > 0, False], np.r_[t[1:], 0], -1)

    amount = _deal_amounts(rng, people["budget"].to_numpy(), person, at, status)
    reason = _reasons(rng, status, prev)
    owner = assign(
        rng,
        team,
        state_index(people["region"]),
        people["industry_idx"].to_numpy(),
        people["budget"].to_numpy(),
        t_first,
    )

    kept = t < cfg.end_ts
    changes = (
        pl.DataFrame(
            {
                "person_idx": person,
                "status_code": status,
                "t": t,
                "next_t": next_t,
                "deal_amount": amount,
                "reason": reason,
            }
        )
        .with_columns(
            status=gather(LEAD_STATUSES, status),
            agent_idx=pl.Series(owner[person]),
            lead_record_source=first["source"].gather(person),
            lead_record_id=first["source_record_id"].gather(person),
        )
        .filter(pl.Series(kept))
    )
    order = np.lexsort(
        (changes["status_code"].to_numpy(), changes["person_idx"].to_numpy(), changes["t"].to_numpy())
    )
    changes = changes[order].with_columns(
        source_record_id=base62_ids("0178c0000", 7_300_000 + np.arange(len(order)), 6),
        agent_id=team.roster["agent_id"].gather(changes["agent_idx"].to_numpy()[order]),
    )
    return Lifecycle(changes, _outcomes(changes, n, owner))


def _choose_templates(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """Won / lost / stalled first, then a path; lost paths go deeper when propensity is high."""
    n = len(p)
    z = np.log(p / (1 - p))
    z = (z - z.mean())[:, None]
    won = rng.random(n) < p
    stalled = rng.random(n) < STALL_RATE
    weights = np.zeros((n, len(TEMPLATES)))
    w, lo = len(WON), len(LOST)
    weights[:, :w] = np.array([t.weight for t in WON]) * (won & ~stalled)[:, None]
    lost_w = np.array([t.weight for t in LOST]) * np.exp(np.array([t.depth_effect for t in LOST]) * z)
    weights[:, w : w + lo] = lost_w * (~won & ~stalled)[:, None]
    weights[:, w + lo :] = np.array([t.weight for t in STALLED]) * stalled[:, None]
    return choice_per_row(rng, weights)


def _deal_amounts(rng, budget, person, at, status) -> pl.Series:
    """From Proposal on: the budget-based quote, discounted in Negotiation, final at the close."""
    proposal_seen = _seen_in_template(CODE[_P])
    negotiation_seen = _seen_in_template(CODE[_NE])
    n = len(budget)
    quote = np.round(budget * rng.lognormal(0.0, 0.25, n) / 500) * 500
    discount = rng.uniform(0.88, 1.0, n)
    final = rng.uniform(0.96, 1.0, n)
    amount = quote[person] * np.where(negotiation_seen[at], discount[person], 1.0)
    amount = np.where(status == CODE[_W], amount * final[person], amount)
    amount = np.round(amount / 100) * 100
    return pl.Series(np.where(proposal_seen[at], amount, np.nan)).fill_nan(None)


def _seen_in_template(code: int) -> np.ndarray:
    """Per flattened template position: has the path reached status ``code`` by this step?"""
    return np.array(
        [any(CODE[s] == code for s in t.statuses[: i + 1]) for t in TEMPLATES for i in range(len(t.statuses))]
    )


def _reasons(rng, status, prev) -> pl.Series:
    m = len(status)
    lost = gather(LOST_REASONS, rng.integers(0, len(LOST_REASONS), m))
    dq = gather(DISQUALIFY_REASONS, rng.integers(0, len(DISQUALIFY_REASONS), m))
    rec = gather(RECYCLE_REASONS, rng.integers(0, len(RECYCLE_REASONS), m))
    s, pv = pl.Series(status), pl.Series(prev)
    return pl.select(
        pl.when((s == CODE[_L]) & (pv == CODE[_C]))
        .then(pl.lit(NO_RESPONSE_REASON))
        .when(s == CODE[_L])
        .then(lost)
        .when(s == CODE[_D])
        .then(dq)
        .when(s == CODE[_R])
        .then(rec)
    )[:, 0]


def _outcomes(changes: pl.DataFrame, n: int, owner: np.ndarray) -> pl.DataFrame:
    last = (
        changes.sort("t")
        .group_by("person_idx")
        .agg(
            final_status=pl.col("status").last(),
            won_amount=pl.col("deal_amount").filter(pl.col("status") == _W).first(),
        )
    )
    return (
        pl.DataFrame({"person_idx": np.arange(n), "agent_idx": owner})
        .join(last, on="person_idx", how="left", maintain_order="left")
        .with_columns(
            is_open=~pl.col("final_status").is_in(TERMINAL),
            converted=pl.col("final_status") == _W,
        )
    )
