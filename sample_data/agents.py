"""The sales team (crm_agents) and who owns which lead.

About one agent per 400 people (at least 8). Each covers one or more states and specializes in
a few industries; every (state, industry) pair is covered by at least one agent who is active
and was hired before the simulated period, so every lead can be routed to an agent whose
territory and specialization fit. Some agents left during the period (active = false): they
own older leads only. Price bands are a routing preference, not a hard rule, as in real teams.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .config import AGENTS_PER_LEAD, MIN_AGENTS, GeneratorConfig
from .people import FIRST_NAME_WEIGHTS, FIRST_NAMES, LAST_NAME_WEIGHTS, LAST_NAMES
from .reference import CITIES, INDUSTRIES, SELLER_DOMAIN
from .vectors import base62_ids, gather, normalized

DAY = 86_400
STATES: tuple[str, ...] = tuple(dict.fromkeys(c.state for c in CITIES))
STATE_WEIGHTS = normalized([sum(c.weight for c in CITIES if c.state == s) for s in STATES])
# Price tiers: (price_min, price_max, capacity range, share of agents).
TIERS = (
    (0, 75_000, (60, 100), 0.45),
    (25_000, 400_000, (40, 70), 0.40),
    (150_000, 5_000_000, (20, 40), 0.15),
)


@dataclass(frozen=True)
class Team:
    roster: pl.DataFrame  # one row per agent, the crm_agents columns plus hire/leave times
    territory: np.ndarray  # (agents, states) bool
    specialization: np.ndarray  # (agents, industries) bool
    hired: np.ndarray  # unix seconds
    left: np.ndarray  # unix seconds; far future for active agents


def build_team(cfg: GeneratorConfig) -> Team:
    rng = cfg.rng("agents")
    a = max(MIN_AGENTS, round(cfg.leads * AGENTS_PER_LEAD))
    s, k = len(STATES), len(INDUSTRIES)

    territory = np.zeros((a, s), dtype=bool)
    if a >= s:  # one agent per state first, the rest where the leads are
        home = np.concatenate([rng.permutation(s), rng.choice(s, a - s, p=STATE_WEIGHTS)])
        territory[np.arange(a), home] = True
    else:  # a small team: every agent covers several states, every state has two agents
        territory[np.arange(s) % a, rng.permutation(s)] = True
        territory[(np.arange(s) + a // 2) % a, rng.permutation(s)] = True
    extra = rng.random(a) < 0.25
    territory[np.flatnonzero(extra), rng.choice(s, int(extra.sum()), p=STATE_WEIGHTS)] = True

    # 3-5 industries each, weighted by how common they are (Gumbel top-k, no loop over agents).
    keys = np.log(normalized([i.weight for i in INDUSTRIES])) + rng.gumbel(size=(a, k))
    n_spec = rng.integers(3, 6, a)
    specialization = np.argsort(np.argsort(-keys, axis=1), axis=1) < n_spec[:, None]

    active = rng.random(a) < 0.92
    late_hire = active & (rng.random(a) < 0.15)
    span = cfg.end_ts - cfg.start_ts
    hired = np.where(
        late_hire,
        cfg.start_ts + (rng.random(a) * 0.8 * span).astype(np.int64),
        cfg.start_ts - rng.integers(30, 6 * 365, a) * DAY,
    )
    left_at = cfg.start_ts + ((0.2 + 0.7 * rng.random(a)) * span).astype(np.int64)
    left = np.where(active, np.iinfo(np.int64).max, left_at)
    core = active & ~late_hire
    _cover(rng, territory, specialization, core)

    tier = rng.choice(len(TIERS), a, p=[t[3] for t in TIERS])
    low = np.array([t[2][0] for t in TIERS])[tier]
    high = np.array([t[2][1] for t in TIERS])[tier]
    first = gather(FIRST_NAMES, rng.choice(len(FIRST_NAMES), a, p=FIRST_NAME_WEIGHTS))
    last = gather(LAST_NAMES, rng.choice(len(LAST_NAMES), a, p=LAST_NAME_WEIGHTS))
    local = (first + "." + last).str.to_lowercase().str.replace_all(r"[^a-z.]", "")
    local = pl.select(
        pl.when(local.is_first_distinct())
        .then(local)
        .otherwise(local + pl.Series(np.arange(a)).cast(pl.String))
    )[:, 0]
    roster = pl.DataFrame(
        {
            "agent_id": base62_ids("0058c0000", 4_100_000 + np.arange(a), 6),
            "name": first + " " + last,
            "email": local + "@" + SELLER_DOMAIN,
            "territory": _join_labels(territory, STATES),
            "specializations": _join_labels(specialization, [i.name for i in INDUSTRIES]),
            "price_min": np.array([t[0] for t in TIERS])[tier],
            "price_max": np.array([t[1] for t in TIERS])[tier],
            "capacity": rng.integers(low, high + 1),
            "active": active,
            "hired_on": pl.from_epoch(pl.Series(hired), "s").dt.date(),
        }
    )
    return Team(roster, territory, specialization, hired, left)


def _cover(
    rng: np.random.Generator, territory: np.ndarray, specialization: np.ndarray, core: np.ndarray
) -> None:
    """Make every (state, industry) pair routable to a core agent, adding specializations in place."""
    for state in range(territory.shape[1]):  # ~30 states x ~14 industries, not rows
        local = np.flatnonzero(territory[:, state] & core)
        if len(local) == 0:  # no core agent here: extend a core agent's territory
            local = rng.choice(np.flatnonzero(core), 1)
            territory[local, state] = True
        missing = ~specialization[local].any(axis=0)
        for industry in np.flatnonzero(missing):
            specialization[rng.choice(local), industry] = True


def _join_labels(mask: np.ndarray, labels: list[str] | tuple[str, ...]) -> pl.Series:
    rows, cols = np.nonzero(mask)
    return (
        pl.DataFrame({"row": rows, "label": gather(labels, cols)})
        .group_by("row", maintain_order=True)
        .agg(pl.col("label").str.join(","))
        .sort("row")["label"]
    )


def assign(
    rng: np.random.Generator,
    team: Team,
    state_idx: np.ndarray,
    industry_idx: np.ndarray,
    budget: np.ndarray,
    t: np.ndarray,
) -> np.ndarray:
    """Route each lead (created at ``t``) to an agent index.

    Candidates cover the lead's state and industry and were on the team at ``t``; among them a
    price band containing the budget is preferred, then the pick is random.
    """
    owner = np.empty(len(state_idx), dtype=np.int64)
    k = team.specialization.shape[1]
    key = state_idx * k + industry_idx
    order = np.argsort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    price_min = team.roster["price_min"].to_numpy()
    price_max = team.roster["price_max"].to_numpy()
    for rows in np.split(order, bounds):  # one vectorized step per (state, industry) pair
        s, i = divmod(int(key[rows[0]]), k)
        cand = np.flatnonzero(team.territory[:, s] & team.specialization[:, i])
        on_team = (team.hired[cand] <= t[rows, None]) & (t[rows, None] < team.left[cand])
        fits = (price_min[cand] <= budget[rows, None]) & (budget[rows, None] <= price_max[cand])
        score = 4.0 * on_team + 2.0 * fits + rng.random((len(rows), len(cand)))
        owner[rows] = cand[np.argmax(score, axis=1)]
    return owner


def state_index(region: pl.Series) -> np.ndarray:
    return region.replace_strict({s: i for i, s in enumerate(STATES)}, return_dtype=pl.Int64).to_numpy()
