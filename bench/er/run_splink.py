"""Splink 5 (DuckDB backend), set up the way its documentation sets it up, as the benchmark's rival.

    .venv-bench/bin/python bench/er/run_splink.py --dataset febrl3 --input X.parquet --output Y.parquet

Reads the dataset's parquet (record_id and fields), trains the model, predicts, clusters and
writes (record_id, cluster_id). Benchmark-only: Splink is never a Leadhouse runtime dependency.

Every choice below comes from Splink's own examples (docs/demos/examples/duckdb): febrl3.ipynb
(dedupe) and febrl4.ipynb (link only, "detailed model") for FEBRL, and the same recipe for the
lead data with the comparisons the comparison library offers for its fields (names, email,
phone, company, city). The steps are the documented ones, in order: estimate the probability
that two random records match from deterministic rules, u by random sampling, m by EM (one
session per training blocking rule), predict, connected-components clustering. The clustering
threshold is fixed per dataset up front and never tuned on the truth.
"""

from __future__ import annotations

import argparse
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator

BlockingRule = BlockingRuleCreator | str

# The docs recommend at least 1e7 sampled pairs for u ("We generally recommend setting max pairs
# higher (e.g. 1e7 or more)", febrl4.ipynb); a fixed seed makes a run repeatable.
U_MAX_PAIRS = 1e7
U_SEED = 42


@dataclass(frozen=True)
class Recipe:
    link_type: str  # dedupe_only | link_only
    comparisons: list
    blocking_rules: list[BlockingRule]
    deterministic_rules: list[BlockingRule]
    deterministic_recall: float
    em_blocking_rules: list[BlockingRule]
    em_without_term_frequencies: bool
    predict_threshold: float
    cluster_threshold: float
    # link_only: the column that splits the input into the tables to link
    split_by: str | None = None


def febrl3() -> Recipe:
    """febrl3.ipynb, unchanged; it stops at predict, so clustering uses 0.95 as the 50k dedupe demo does."""
    blocking_rules = [
        block_on("soc_sec_id"),
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    return Recipe(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        blocking_rules=blocking_rules,
        deterministic_rules=[
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
        ],
        deterministic_recall=0.9,
        em_blocking_rules=[block_on("date_of_birth"), block_on("postcode")],
        em_without_term_frequencies=False,
        predict_threshold=0.2,
        cluster_threshold=0.95,
    )


def febrl4() -> Recipe:
    """febrl4.ipynb's detailed model, clustered at 0.99 as that notebook does."""
    return Recipe(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        blocking_rules=[
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ],
        deterministic_rules=[block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
        deterministic_recall=0.8,
        em_blocking_rules=[block_on("date_of_birth"), block_on("postcode")],
        em_without_term_frequencies=True,
        predict_threshold=0.2,
        cluster_threshold=0.99,
        split_by="source_dataset",
    )


def generator() -> Recipe:
    """Leadhouse lead records: the FEBRL recipe applied to a lead's fields.

    Names: NameComparison with term frequencies (common names weigh less); email:
    EmailComparison; phone (E.164 after ingestion): exact; company: Jaro-Winkler at the
    library's default thresholds (suffixes vary: "Inc." / "Inc" / none). City is a small set of
    spelled-alike values, where Jaro-Winkler levels are never observed and stay untrained (Splink
    warns so); it gets what the demos give such columns (postcode, birth_place): an exact match
    with term frequencies. Location beyond city is left out, as febrl4.ipynb leaves out columns
    strongly correlated with one already compared; postal code serves in blocking. Clustered at
    0.95, the threshold of the docs' dedupe demo.
    """
    return Recipe(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.JaroWinklerAtThresholds("company"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        ],
        blocking_rules=[
            block_on("email"),
            block_on("phone"),
            block_on("first_name", "last_name"),
            "l.first_name = r.last_name and l.last_name = r.first_name",
            block_on("last_name", "postal_code"),
            block_on("last_name", "city"),
        ],
        deterministic_rules=[
            block_on("email"),
            block_on("phone"),
            block_on("first_name", "last_name", "city"),
        ],
        deterministic_recall=0.8,
        em_blocking_rules=[block_on("email"), block_on("first_name", "last_name")],
        em_without_term_frequencies=True,
        predict_threshold=0.2,
        cluster_threshold=0.95,
    )


class _PhaseTimer:
    """Where Splink's time goes, for the log (the driver measures the whole process)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - start


RECIPES = {"febrl3": febrl3, "febrl4": febrl4, "generator": generator}


def resolve(recipe: Recipe, input_path: Path, output_path: Path) -> int:
    """Run Splink on ``input_path``; write (record_id, cluster_id) to ``output_path`` and the trained
    model to ``<output_path stem>.model.json``. Returns the number of clusters."""
    con = duckdb.connect()
    records = con.read_parquet(str(input_path))
    db_api = DuckDBAPI(connection=con)
    if recipe.split_by:
        values = [v for (v,) in records.select(recipe.split_by).distinct().order(recipe.split_by).fetchall()]
        tables = [db_api.register(records.filter(f"{recipe.split_by} = '{v}'")) for v in values]
    else:
        tables = db_api.register(records)

    settings = SettingsCreator(
        unique_id_column_name="record_id",
        link_type=recipe.link_type,
        comparisons=recipe.comparisons,
        blocking_rules_to_generate_predictions=recipe.blocking_rules,
    )
    linker = Linker(tables, settings)
    timer = _PhaseTimer()
    with timer("probability_two_random_records_match"):
        linker.training.estimate_probability_two_random_records_match(
            recipe.deterministic_rules, recall=recipe.deterministic_recall
        )
    with timer("u (random sampling)"):
        linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=U_SEED)
    with timer("m (EM)"):
        for rule in recipe.em_blocking_rules:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=recipe.em_without_term_frequencies
            )
    with timer("predict"):
        predictions = linker.inference.predict(threshold_match_probability=recipe.predict_threshold)
    with timer("cluster"):
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=recipe.cluster_threshold
        )
    print("phase seconds: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in timer.seconds.items()))
    # The trained model (m, u, match weights) next to the output, so a result can be audited.
    linker.misc.save_model_to_json(str(output_path.with_suffix(".model.json")), overwrite=True)
    output = clusters.as_duckdbpyrelation().select("record_id, cast(cluster_id as varchar) as cluster_id")
    output.write_parquet(str(output_path))
    return output.aggregate("count(distinct cluster_id)").fetchone()[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", required=True, choices=sorted(RECIPES))
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    clusters = resolve(RECIPES[args.dataset](), args.input, args.output)
    print(f"splink {args.dataset}: {clusters} clusters -> {args.output}")


if __name__ == "__main__":
    main()
