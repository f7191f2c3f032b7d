"""Text features as numbers before scikit-learn's encoders see them.

scikit-learn's ``OneHotEncoder`` and ``OrdinalEncoder`` read text columns as arrays of Python
objects: finding the categories sorts Python strings, and encoding looks each value up in a
Python dict. At 1,000,000 leads that was about 10 s of the training's 46 s and a share of every
prediction the explanations and the scoring make (docs/performance.md). ``StringCodes`` gives
each text value its rank among the values seen in ``fit``, with polars, so the encoders after it
take their fast numeric path.

The result is the model scikit-learn's encoders make of the text itself: the ranks sort as the
strings do, so the encoders order the categories, pick the infrequent ones and break ties the
same way, and a value never seen in ``fit`` is unknown to them either way. A missing value is a
category of its own sorted last, as scikit-learn's encoders treat ``None`` (only NaN counts as
missing there, and a text column never holds NaN). ``tests/ml/test_encoding.py`` checks both
candidates predict the same with and without it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin

UNSEEN = -1.0  # the code of a value ``fit`` never saw: no category of the encoders after it


def _as_frame(x: Any) -> pl.DataFrame:
    """Text columns as a polars frame, whatever scikit-learn hands over."""
    if isinstance(x, pl.DataFrame):
        return x.select(pl.all().cast(pl.Utf8))
    array = np.asarray(x, dtype=object)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    return pl.DataFrame(
        [
            pl.Series(f"x{i}", [None if v is None else str(v) for v in array[:, i]], dtype=pl.Utf8)
            for i in range(array.shape[1])
        ]
    )


class StringCodes(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Each text column as floats: the value's rank among the sorted values seen in ``fit``
    (missing sorted last, when ``fit`` saw it), ``UNSEEN`` for any other value."""

    def fit(self, x: Any, y: Any = None) -> StringCodes:
        frame = _as_frame(x)
        self.n_features_in_ = frame.width
        if isinstance(x, pl.DataFrame):
            self.feature_names_in_ = np.asarray(x.columns, dtype=object)
        self.categories_: list[list[str]] = [
            frame[name].drop_nulls().unique().sort().to_list() for name in frame.columns
        ]
        self.missing_seen_: list[bool] = [frame[name].null_count() > 0 for name in frame.columns]
        return self

    def transform(self, x: Any) -> np.ndarray:
        frame = _as_frame(x)
        if frame.width != self.n_features_in_:
            raise ValueError(f"StringCodes was fitted on {self.n_features_in_} columns, got {frame.width}")
        columns = []
        for name, categories, missing_seen in zip(
            frame.columns, self.categories_, self.missing_seen_, strict=True
        ):
            codes = frame[name].replace_strict(
                categories,
                np.arange(len(categories), dtype=np.float64),
                default=UNSEEN,
                return_dtype=pl.Float64,
            )
            values = codes.to_numpy().copy()  # replace_strict gives a missing value the default
            values[frame[name].is_null().to_numpy()] = float(len(categories)) if missing_seen else UNSEEN
            columns.append(values)
        return np.column_stack(columns) if columns else np.empty((frame.height, 0))
