"""How rows are split: the held-out test rows, the cross-validation folds, and the row
subsamples successive halving evaluates its early rungs on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
    TimeSeriesSplit,
    train_test_split,
)
from sklearn.utils import resample

from models.engine.catalog import CLASSIFICATION
from models.engine.spec import SearchSpec

Split = tuple[np.ndarray, np.ndarray]


def _stratified(
    rows: np.ndarray, fraction: float, seed: int | None, labels: pd.Series
) -> np.ndarray:
    """``fraction`` of ``rows``, every class in proportion (at least one row each)."""
    y = labels.to_numpy()[rows]
    n = max(int(fraction * len(rows)), len(np.unique(y)))
    if n >= len(rows):
        return rows
    return resample(rows, replace=False, random_state=seed, n_samples=n, stratify=y)


def hold_out(
    spec: SearchSpec, X: pd.DataFrame, y: pd.Series, groups: pd.Series | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Row positions for training and for the test set (``None`` when ``test_size`` is 0).

    The test rows follow the CV kind: whole groups for ``group``, the last rows for
    ``timeseries``, stratified for classification, otherwise a seeded shuffle.
    """
    rows = np.arange(len(X))
    if spec.test_size <= 0:
        return rows, None
    if spec.cv.kind == "group":
        splitter = GroupShuffleSplit(1, test_size=spec.test_size, random_state=spec.random_state)
        train, test = next(splitter.split(X, y, groups))
        return train, test
    if spec.cv.kind == "timeseries":
        train, test = train_test_split(rows, test_size=spec.test_size, shuffle=False)
        return train, test
    stratify = y if spec.task == CLASSIFICATION else None
    train, test = train_test_split(
        rows, test_size=spec.test_size, random_state=spec.random_state, stratify=stratify
    )
    return train, test


def cv_splits(
    spec: SearchSpec, X: pd.DataFrame, y: pd.Series, groups: pd.Series | None
) -> list[Split]:
    """The folds for ``spec.cv``, computed once and shared by every trial."""
    cv = spec.cv
    seed = cv.random_state if cv.shuffle else None
    if cv.kind == "stratified":
        splitter = StratifiedKFold(cv.folds, shuffle=cv.shuffle, random_state=seed)
    elif cv.kind == "group":
        splitter = GroupKFold(cv.folds)
    elif cv.kind == "timeseries":
        splitter = TimeSeriesSplit(cv.folds)
    elif cv.kind == "holdout":
        size = cv.validation_size or 0.2
        splitter = (
            StratifiedShuffleSplit(1, test_size=size, random_state=cv.random_state)
            if spec.task == CLASSIFICATION
            else ShuffleSplit(1, test_size=size, random_state=cv.random_state)
        )
    else:
        splitter = KFold(cv.folds, shuffle=cv.shuffle, random_state=seed)
    return list(splitter.split(X, y, groups))


def subsample(
    splits: list[Split], fraction: float, seed: int | None, labels: pd.Series | None = None
) -> list[Split]:
    """Each fold's train and test rows cut to ``fraction``, as HalvingRandomSearchCV's
    ``_SubsampleMetaSplitter`` does (without replacement, test rows too).

    With ``labels`` (classification) the cut is stratified, unlike scikit-learn's: a
    small rung's test fold then keeps every class, so ROC AUC and friends stay defined
    instead of turning every trial of the rung into NaN.
    """
    if fraction >= 1:
        return splits
    if labels is not None:
        return [
            (_stratified(train, fraction, seed, labels), _stratified(test, fraction, seed, labels))
            for train, test in splits
        ]
    return [
        (
            resample(
                train,
                replace=False,
                random_state=seed,
                n_samples=max(1, int(fraction * len(train))),
            ),
            resample(
                test, replace=False, random_state=seed, n_samples=max(1, int(fraction * len(test)))
            ),
        )
        for train, test in splits
    ]
