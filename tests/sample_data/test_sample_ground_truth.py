"""Ground truth: complete, consistent with the landing files, and as messy as promised."""

from __future__ import annotations

import json

import polars as pl

from sample_data.config import SOURCE_NAMES


def _landing_ids(dataset, configs) -> pl.DataFrame:
    frames = []
    for source in SOURCE_NAMES:
        frame = dataset.read(source)
        frames.append(
            frame.select(
                pl.lit(source).alias("source"),
                pl.col(dataset.id_column(source)).alias("source_record_id"),
            )
        )
    return pl.concat(frames)


def test_every_landing_record_is_in_ground_truth_exactly_once(dataset, configs) -> None:
    landing = _landing_ids(dataset, configs)
    truth = dataset.source_records.select("source", "source_record_id")
    assert landing.filter(pl.struct(pl.all()).is_duplicated()).is_empty()
    assert truth.filter(pl.struct(pl.all()).is_duplicated()).is_empty()
    assert landing.sort(pl.all()).equals(truth.sort(pl.all()))


def test_ground_truth_files_agree(dataset) -> None:
    people, recs = dataset.people, dataset.source_records
    summary = json.loads((dataset.out / "ground_truth" / "summary.json").read_text())
    assert people.height == dataset.cfg.leads == summary["people"]
    assert people["person_id"].n_unique() == dataset.cfg.leads
    assert set(recs["person_id"]) == set(people["person_id"])
    assert summary["records"] == recs.height
    assert summary["records_per_source"] == {s: int((recs["source"] == s).sum()) for s in SOURCE_NAMES}
    assert summary["seed"] == 42 and summary["as_of"] == "2026-11-01"
    assert (
        recs.group_by("person_id").agg(pl.col("is_first").sum())["is_first"].to_list()
        == [1] * dataset.cfg.leads
    )


def test_volumes_and_duplicates(dataset) -> None:
    recs = dataset.source_records
    per_person = recs.group_by("person_id").agg(pl.len(), pl.col("source").n_unique().alias("sources"))
    duplicated = per_person.filter(pl.col("len") > 1)
    assert 0.15 <= duplicated.height / dataset.cfg.leads <= 0.25
    assert 1.2 <= recs.height / dataset.cfg.leads <= 1.35
    assert (duplicated["sources"] > 1).any() and (
        duplicated["sources"] < duplicated["len"]
    ).any()  # across and within
    volume = dict(recs.group_by("source").len().iter_rows())
    biggest = sorted(volume, key=volume.get)[-2:]
    assert set(biggest) == {"web_forms", "ad_leads"}
    small = ("walk_ins", "referrals")
    assert max(volume[s] for s in small) < min(volume[s] for s in volume if s not in small)
    created = recs["created_at"]
    assert created.min().isoformat() >= "2025-05-01" and created.max().isoformat() < "2026-11-01"


def test_every_noise_type_occurs_mostly_on_duplicates(dataset) -> None:
    recs = dataset.source_records.explode("noise")
    counts = dict(recs.group_by("noise").len().drop_nulls().iter_rows())
    for kind in (
        "typo",
        "transposition",
        "nickname",
        "swapped_names",
        "email_case",
        "gmail_dots",
        "gmail_plus",
        "alt_email",
        "phone_format",
        "company_suffix",
        "missing_email",
        "missing_phone",
        "name_case",
    ):
        assert counts.get(kind, 0) > 0, kind
    typos = recs.filter(pl.col("noise") == "typo")
    assert typos["is_first"].mean() < 0.5


def test_namesakes_are_different_people_with_the_same_name(dataset) -> None:
    people = dataset.people.filter(pl.col("namesake_group").is_not_null())
    groups = people.group_by("namesake_group").agg(
        pl.len(),
        pl.col("person_id").n_unique().alias("ids"),
        pl.struct("first_name", "last_name").n_unique().alias("names"),
        pl.col("city").n_unique().alias("cities"),
    )
    assert groups.height > 0
    assert (
        (groups["len"] >= 2).all() and (groups["ids"] == groups["len"]).all() and (groups["names"] == 1).all()
    )
    assert (groups["cities"] < groups["len"]).any()  # some namesakes live in the same city
    assert 0.005 <= people.height / dataset.cfg.leads <= 0.06
    all_people = dataset.people
    shared = all_people.group_by("first_name", "last_name").len().filter(pl.col("len") > 1)
    assert shared["len"].sum() == people.height  # every shared name is labelled


def test_injected_errors_match_ground_truth(dataset, configs) -> None:
    recs = dataset.source_records
    summary = json.loads((dataset.out / "ground_truth" / "summary.json").read_text())
    errors = recs.filter(pl.col("injected_error").is_not_null())
    assert summary["injected_errors"]["total"] == errors.height
    kinds = errors["injected_error"].str.extract(r"^([a-z_]+):", 1)
    for kind in ("invalid_email", "unparseable_date", "invalid_phone", "missing_contact", "truncated_line"):
        assert summary["injected_errors"][kind] == int((kinds == kind).sum()) > 0, kind
    assert 0.003 <= errors.height / recs.height <= 0.008
    assert not errors["is_first"].any()  # every person keeps a valid first record


def test_noise_labels_match_the_landing_values(dataset, configs) -> None:
    for source in ("web_forms", "ad_leads", "crm_export", "events", "referrals", "walk_ins"):
        cols = configs[source].get("columns", {"email": "email", "phone": "phone"})
        rows = (
            dataset.read(source)
            .join(
                dataset.source_records.filter(pl.col("source") == source).select(
                    pl.col("source_record_id").alias(dataset.id_column(source)), "noise", "injected_error"
                ),
                on=dataset.id_column(source),
            )
            .filter(pl.col("injected_error").is_null())
        )
        email, phone = pl.col(cols["email"]), pl.col(cols["phone"])

        def labelled(kind: str, rows: pl.DataFrame = rows) -> pl.DataFrame:
            return rows.filter(pl.col("noise").list.contains(kind))

        assert labelled("missing_email").select(email.is_null().all()).item()
        assert labelled("missing_phone").select(phone.is_null().all()).item()
        assert labelled("email_case").select((email != email.str.to_lowercase()).all()).item()
        assert labelled("gmail_plus").select(email.str.contains("+", literal=True).all()).item()
        assert (
            rows.filter(~pl.col("noise").list.contains("email_case"))
            .select((email == email.str.to_lowercase()).all())
            .item()
        )
        # everybody has a phone: a blank one is always labelled
        assert (
            rows.filter(phone.is_null()).select(pl.col("noise").list.contains("missing_phone").all()).item()
        )
