"""Run all stages: people -> records -> noise -> funnel -> activities -> spend -> files.

``generate`` is deterministic for a given :class:`GeneratorConfig`: every stage draws from its
own seeded stream and nothing reads the clock or the environment, so the same arguments give
byte-identical files. Timing is reported to the caller, never written to disk.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import numpy as np
import polars as pl
from tqdm import tqdm

from . import activities, lifecycle, qualification
from .ad_spend import build_ad_spend
from .agents import build_team
from .config import LEAD_SOURCES, SOURCE_BY_NAME, SOURCE_NAMES, GeneratorConfig
from .noise import ERROR_KINDS, perturb
from .people import build_people
from .propensity import propensity
from .records import build_records
from .sources import render_activities, render_leads, render_status_changes
from .writers import LandingTable, Written, write_ground_truth, write_table

STAGES = (
    "people",
    "records",
    "noise",
    "qualification",
    "funnel",
    "activities",
    "ad spend",
    "landing files",
    "ground truth",
)


@dataclass(frozen=True)
class Result:
    summary: dict  # what summary.json holds
    files: dict[str, int]  # landing file -> data rows
    seconds: float


def generate(cfg: GeneratorConfig) -> Result:
    started = time.perf_counter()
    bar = tqdm(total=len(STAGES), desc="sample data", unit="stage", file=sys.stderr, disable=not cfg.progress)

    def stage(name: str) -> None:
        bar.set_postfix_str(name)

    stage("people")
    people = build_people(cfg)
    bar.update()

    stage("records")
    records = build_records(cfg, people)
    bar.update()

    stage("noise")
    records = perturb(cfg, people, records)
    first = records.filter("is_first")  # one per person, in person order
    channel = first["source"].replace_strict({s.name: s.channel for s in LEAD_SOURCES})
    bar.update()

    stage("qualification")
    qual = qualification.build_qualification(cfg, people)
    records = qualification.add_to_records(cfg, qual, records)
    bar.update()

    stage("funnel")
    p = propensity(people, channel, first["campaign"])
    team = build_team(cfg)
    life = lifecycle.simulate(cfg, people, first, p, team)
    bar.update()

    stage("activities")
    owners = team.roster["agent_id"].gather(life.outcome["agent_idx"].to_numpy())
    acts = activities.simulate(cfg, people, records, life.changes, owners, qual, channel)
    bar.update()

    stage("ad spend")
    spend = build_ad_spend(cfg, records)
    bar.update()

    stage("landing files")
    files, placement = _write_landing(cfg, records, life.changes, acts, team.roster, spend)
    bar.update()

    stage("ground truth")
    truth_people = _people_truth(people, qual, first, channel, p, life, owners)
    truth_records = _records_truth(records, people, placement)
    summary = _summary(cfg, truth_people, truth_records, team, life, acts)
    write_ground_truth(cfg.out, truth_people, truth_records, summary)
    bar.update()
    bar.close()
    return Result(summary, files, time.perf_counter() - started)


def _write_landing(cfg, records, changes, acts, roster, spend) -> tuple[dict[str, int], pl.DataFrame]:
    files: dict[str, int] = {}
    placement = []
    for name in SOURCE_NAMES:  # over sources, not rows
        rec = records.filter(pl.col("source") == name).sort("t", "person_idx")  # the order ids were issued in
        src = SOURCE_BY_NAME[name]
        table = LandingTable(
            name,
            src.ext,
            render_leads(cfg, name, rec),
            rec["batch"].to_numpy(),
            separator=src.separator,
            truncate=rec["truncate"].to_numpy(),
            truncate_keep=rec["truncate_keep"].to_numpy(),
        )
        written = write_table(table, cfg.out, cfg.batches, track_rows=True)
        files |= written.files
        placement.append(_placement(rec, written))

    spend_t = spend["date"].cast(pl.Datetime("us")).dt.epoch("s").to_numpy()
    others = (
        LandingTable(
            "crm_status_changes", "csv", render_status_changes(changes), cfg.batch_of(changes["t"].to_numpy())
        ),
        LandingTable("crm_activities", "jsonl", render_activities(acts), cfg.batch_of(acts["t"].to_numpy())),
        LandingTable("ad_spend", "csv", spend, cfg.batch_of(spend_t)),
    )
    for table in others:
        files |= write_table(table, cfg.out, cfg.batches).files
    agents = roster.select(
        "agent_id",
        "name",
        "email",
        "territory",
        "specializations",
        "price_min",
        "price_max",
        "capacity",
        "active",
        "hired_on",
    )
    files |= write_table(
        LandingTable("crm_agents", "csv", agents, np.zeros(agents.height, np.int64)), cfg.out, 1
    ).files
    return files, pl.concat(placement)


def _placement(rec: pl.DataFrame, written: Written) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source": rec["source"],
            "source_record_id": rec["source_record_id"],
            "file": written.row_file,
            "row_number": written.row_number,
        }
    )


def _people_truth(people, qual, first, channel, p, life, owners) -> pl.DataFrame:
    work_first = (first["email_kind"] == "work").to_numpy()
    return (
        pl.concat([people, qual.drop("interest_idx", "preferred_channel_idx")], how="horizontal")
        .with_columns(
            email=pl.when(pl.Series(work_first)).then("work_email").otherwise("personal_email"),
            alt_email=pl.when(pl.Series(work_first)).then("personal_email").otherwise("work_email"),
            phone="+1" + pl.col("phone_digits"),
            channel=channel,
            first_seen_at=pl.from_epoch(first["t"], "s").dt.replace_time_zone("UTC"),
            propensity=pl.Series(p),
            final_status=life.outcome["final_status"],
            is_open=life.outcome["is_open"],
            converted=life.outcome["converted"],
            won_amount=life.outcome["won_amount"],
            agent_id=owners,
        )
        .select(
            "person_id",
            "first_name",
            "last_name",
            "email",
            "alt_email",
            "phone",
            "company",
            "job_title",
            "industry",
            "company_size",
            "annual_revenue",
            "budget",
            "timeline",
            "product_interest",
            "budget_confirmed",
            "is_decision_maker",
            "pain_points",
            "purchase_timeline",
            "lead_rating",
            "preferred_channel",
            "city",
            "region",
            "postal_code",
            "channel",
            "first_seen_at",
            "namesake_group",
            "planted_namesake",
            "engagement",
            "propensity",
            "converted",
            "won_amount",
            "final_status",
            "is_open",
            "agent_id",
        )
    )


def _records_truth(records: pl.DataFrame, people: pl.DataFrame, placement: pl.DataFrame) -> pl.DataFrame:
    return records.select(
        "source",
        "source_record_id",
        person_id=people["person_id"].gather(records["person_idx"].to_numpy()),
        created_at=pl.from_epoch("t", "s").dt.replace_time_zone("UTC"),
        is_first="is_first",
        noise="noise",
        injected_error="injected_error",
    ).join(placement, on=["source", "source_record_id"], how="left", maintain_order="left")


def _summary(cfg, people: pl.DataFrame, recs: pl.DataFrame, team, life, acts) -> dict:
    per_person = recs.group_by("person_id").len()["len"]
    error_kind = recs["injected_error"].str.extract(r"^([a-z_]+):", 1)
    namesakes = people.group_by("namesake_group").len().filter(pl.col("namesake_group").is_not_null())["len"]
    closed = people.filter(~pl.col("is_open"))
    return {
        "seed": cfg.seed,
        "as_of": cfg.as_of.isoformat(),
        "batches": cfg.batches,
        "people": people.height,
        "records": recs.height,
        "records_per_source": {s: int((recs["source"] == s).sum()) for s in SOURCE_NAMES},
        "duplicate_rate": round(float((per_person > 1).mean()), 4),
        "records_per_person": round(recs.height / people.height, 4),
        "namesake_people": int(namesakes.sum()),
        "namesake_pairs": int((namesakes * (namesakes - 1) // 2).sum()),
        "planted_namesakes": int(people["planted_namesake"].sum()),
        "injected_errors": {
            "total": int(error_kind.is_not_null().sum()),
            **{kind: int((error_kind == kind).sum()) for kind in ERROR_KINDS},
        },
        "agents": team.roster.height,
        "status_changes": life.changes.height,
        "activities": acts.height,
        "activities_per_person": round(acts.height / people.height, 3),
        "closed_people": closed.height,
        "win_rate_closed": round(float(closed["converted"].mean() or 0.0), 4),
    }
