"""ml.encoding.StringCodes: text as ranks before scikit-learn's encoders, the same encoding as
those encoders give the text itself, and the same models."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from ml.config import load_model_config
from ml.encoding import UNSEEN, StringCodes
from ml.train import candidate_pipelines, model_frame
from tests.ml.synthetic import examples


def text_frame(rng: np.random.Generator, rows: int) -> pl.DataFrame:
    """Two text columns: frequent and rare values (some under min_frequency), missing values,
    non-ASCII and upper case (sorted by code point)."""
    values = ["web", "ad", "Zeta", "événement", "chat"] + [f"rare_{i}" for i in range(70)]
    weights = np.array([30, 20, 10, 5, 5] + [0.3] * 70)
    picks = rng.choice(len(values) + 1, size=rows, p=np.append(weights, 8) / (weights.sum() + 8))
    first = [values[i] if i < len(values) else None for i in picks]
    second = [v[::-1] if v else None for v in rng.permutation(np.array(first, dtype=object))]
    return pl.DataFrame({"first": first, "second": second}, schema={"first": pl.Utf8, "second": pl.Utf8})


def test_codes_are_the_sorted_rank_missing_last_and_unseen_apart():
    fitted = StringCodes().fit(pl.DataFrame({"a": ["x", None, "y", "x", "é", "Z"]}))
    assert fitted.categories_ == [["Z", "x", "y", "é"]] and fitted.missing_seen_ == [True]
    codes = fitted.transform(pl.DataFrame({"a": ["x", None, "Z", "never seen", "é"]}))
    assert codes.ravel().tolist() == [1.0, 4.0, 0.0, UNSEEN, 3.0]
    # Missing values never seen in fit are unseen too; numpy input reads the same.
    no_missing = StringCodes().fit(pl.DataFrame({"a": ["b", "a"]}))
    assert no_missing.transform(np.array([["a"], [None], ["b"]], dtype=object)).ravel().tolist() == [
        0.0,
        UNSEEN,
        1.0,
    ]


@pytest.mark.parametrize(
    "encoder",
    [
        lambda: OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20, max_categories=40),
        lambda: OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1, min_frequency=20, max_categories=4
        ),
    ],
    ids=["one_hot", "ordinal"],
)
def test_an_encoder_after_the_codes_encodes_as_it_encodes_the_text(encoder):
    rng = np.random.default_rng(7)
    train, later = text_frame(rng, 3000), text_frame(rng, 500)
    unseen = pl.when(pl.int_range(500) % 7 == 0).then(pl.lit("new value")).otherwise(pl.col("first"))
    later = later.with_columns(unseen.alias("first"))
    # What the pipelines held before: scikit-learn's encoder on the text (the imputer of the
    # one-hot path never filled anything: a text column's missing value is None, not NaN).
    on_text = make_pipeline(SimpleImputer(strategy="constant", fill_value="(none)"), encoder()).fit(train)
    on_codes = make_pipeline(StringCodes(), encoder()).fit(train)
    expected, got = on_text.transform(later), on_codes.transform(later)
    if hasattr(expected, "toarray"):
        expected, got = expected.toarray(), got.toarray()
    assert got.shape == expected.shape and np.array_equal(got, expected)


def test_both_candidates_predict_as_with_scikit_learns_encoders_on_the_text():
    frame = examples(3000)
    config = load_model_config()
    kinds = {"recent_pricing_page_views": "numeric", "industry": "categorical", "seniority": "categorical"}
    x, y = model_frame(frame, kinds), frame["label"].to_numpy().astype(int)
    for name, pipeline in candidate_pipelines(kinds, config).items():
        # The same candidate with the text handed to scikit-learn's encoder as it is
        reference = candidate_pipelines(kinds, config)[name]
        (categorical,) = [t for step, t, _ in reference.steps[0][1].transformers if step == "categorical"]
        assert isinstance(categorical.steps[0][1], StringCodes)
        categorical.steps[0] = ("text_as_is", "passthrough")
        expected = reference.fit(x, y).predict_proba(x)[:, 1]
        assert np.array_equal(pipeline.fit(x, y).predict_proba(x)[:, 1], expected), name
