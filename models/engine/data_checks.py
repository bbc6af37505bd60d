"""A resolved spec checked against its dataset's rows, at submit: what would fail in the
worker, and what looks too good to be true.

:func:`check_classes` refuses a constant target, and a classification whose classes are
too small for the test split or the folds (a :class:`SpecError` naming ``target`` or
``cv.folds``, with the class counts). :func:`target_warnings` notes rows without a target
and class labels that differ only in spaces or capitals; :func:`possible_leaks` names the
columns that alone predict the target almost perfectly, or whose missing cells do: warnings
on the job, not errors. :func:`check_data` reads what they need in a child process, as
uploads are read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from models.engine.catalog import CLASSIFICATION
from models.engine.isolation import TrialCrashed, call_once
from models.engine.reading import Reading, TableWarning
from models.engine.spec import SearchSpec
from models.engine.splits import cv_splits, hold_out
from models.engine.tables import is_text, load_table
from models.exceptions import DatasetError, SpecError

# The leak check looks at the first CHECK_ROWS rows, fewer for wide tables (CHECK_CELLS
# cells at most): its cost is bounded whatever the table's size.
CHECK_ROWS = 20_000
CHECK_CELLS = 2_000_000
# A column "alone predicts the target almost perfectly" at this score: the share of rows
# its values give the right class (which must also cut the errors of always answering the
# most common class by LEAK_GAIN), or its correlation with a numeric target.
LEAK_SCORE = 0.99
LEAK_GAIN = 0.9
# With fewer labelled rows, chance alone can make a column look perfect.
MIN_ROWS = 30
# A column predicts only through values that repeat: at least this many rows per value
# (an id has one row per value, and trivially "predicts" every row).
MIN_ROWS_PER_VALUE = 5
# A numeric column against classes is cut into at most this many equal-count bins.
MAX_BINS = 100
SHOWN_CLASSES = 10


def _label(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _counts(counts: pd.Series) -> str:
    """``'b': 3, 'a': 120``: the smallest SHOWN_CLASSES classes first."""
    smallest = counts.sort_values(kind="stable")
    shown = ", ".join(f"{_label(v)!r}: {int(n)}" for v, n in smallest.iloc[:SHOWN_CLASSES].items())
    more = len(counts) - SHOWN_CLASSES
    return shown + (f", and {more} more" if more > 0 else "")


def check_classes(spec: SearchSpec, target: pd.Series) -> None:
    """Raise :class:`SpecError` if the labelled rows of ``target`` cannot be split as
    ``spec`` says: a constant target, or (classification) a class too small for the
    stratified test split or for the folds of the training rows.

    The splits are the worker's own (:func:`~models.engine.splits.hold_out`,
    :func:`~models.engine.splits.cv_splits`) with the spec's seeds, so what passes here
    splits there.
    """
    y = target.dropna().reset_index(drop=True)
    counts = y.value_counts()
    if len(counts) < 2:
        only = (
            f"every labelled row has {_label(counts.index[0])!r}"
            if len(counts)
            else "no row has one"
        )
        raise SpecError(f"the target is constant: {only}", field="target")
    if spec.task != CLASSIFICATION or spec.cv.kind in ("group", "timeseries"):
        return  # these split by groups or by order, not by class
    rows = pd.DataFrame(index=y.index)
    train = y
    if spec.test_size > 0:
        try:
            train_rows, _ = hold_out(spec, rows, y, None)
        except ValueError as exc:
            raise SpecError(
                f"the test split (test_size {spec.test_size}) needs at least 2 rows of each "
                f"class and a test row per class ({exc}); class counts: {_counts(counts)}",
                field="target",
            ) from exc
        train = y.iloc[train_rows].reset_index(drop=True)
    holdout = spec.cv.kind == "holdout"
    need = 2 if holdout else spec.cv.folds
    train_counts = train.value_counts().reindex(counts.index, fill_value=0)
    if (train_counts < need).any():
        what = "a validation split needs" if holdout else f"{spec.cv.folds} folds need"
        where = "the training rows (after the test split)" if spec.test_size > 0 else "the rows"
        raise SpecError(
            f"{what} at least {need} rows of each class in {where}; class counts "
            f"there: {_counts(train_counts)}",
            field="cv.kind" if holdout else "cv.folds",
        )
    try:
        cv_splits(spec, pd.DataFrame(index=train.index), train, None)
    except ValueError as exc:
        raise SpecError(
            f"the folds cannot be made ({exc}); class counts: {_counts(train_counts)}",
            field="cv.folds",
        ) from exc


def _groups(x: pd.Series, numeric: bool, bins: int) -> np.ndarray | None:
    """A group code per row: the value, or for numbers an equal-count bin of their order
    (equal numbers may share or split bins: each bin stays as pure as the values are);
    missing cells are a group of their own. None when values barely repeat (ids)."""
    if numeric:
        numbers = x.to_numpy(dtype=float, na_value=np.nan)
        known = ~np.isnan(numbers)
        order = np.argsort(numbers[known])
        ranked = np.empty(len(order), dtype=np.int64)
        ranked[order] = np.arange(len(order)) * bins // max(len(order), 1)
        codes = np.full(len(numbers), bins, dtype=np.int64)
        codes[known] = ranked
    else:
        codes = pd.factorize(x, use_na_sentinel=False)[0]
    if len(codes) < MIN_ROWS_PER_VALUE * (codes.max() + 1):
        return None
    return codes


def _right_share(groups: np.ndarray, classes: np.ndarray, n_classes: int) -> float:
    """The share of rows whose class is the most common one of their group."""
    table = np.bincount(groups * n_classes + classes, minlength=(groups.max() + 1) * n_classes)
    return float(table.reshape(-1, n_classes).max(axis=1).sum() / len(groups))


def _explained(groups: np.ndarray, y: np.ndarray) -> float:
    """The share of the target's variance that the group means explain."""
    sizes = np.bincount(groups)
    means = np.bincount(groups, weights=y) / np.maximum(sizes, 1)
    total = float(((y - y.mean()) ** 2).sum())
    within = float(((y - means[groups]) ** 2).sum())
    return 1.0 - within / total if total > 0 else 0.0


def _scorer(y: pd.Series, task: str) -> Callable[[np.ndarray], float]:
    """How well a grouping of the rows predicts ``y``: the share of rows the group gives
    the right class (0 unless it cuts the errors of the most common class by LEAK_GAIN),
    or the share of the target's variance the group means explain."""
    if task != CLASSIFICATION:
        values = y.to_numpy(float)
        return lambda groups: _explained(groups, values)
    classes, labels = pd.factorize(y)
    base = np.bincount(classes).max() / len(classes)

    def score(groups: np.ndarray) -> float:
        share = _right_share(groups, classes, len(labels))
        return share if share - base >= LEAK_GAIN * (1 - base) else 0.0

    return score


def _values_score(
    x: pd.Series, y: pd.Series, task: str, score: Callable[[np.ndarray], float]
) -> float:
    """How well ``x``'s values alone predict ``y`` (a number's correlation with a numeric
    target)."""
    numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
    if numeric and task != CLASSIFICATION:
        known = x.notna().to_numpy()
        if known.sum() < MIN_ROWS or x[known].nunique() < 2:
            return 0.0
        return abs(float(np.corrcoef(x[known].to_numpy(float), y[known].to_numpy(float))[0, 1]))
    groups = _groups(x, numeric, max(2, min(MAX_BINS, len(x) // (2 * MIN_ROWS_PER_VALUE))))
    return 0.0 if groups is None else score(groups)


def possible_leaks(spec: SearchSpec, sample: pd.DataFrame) -> list[TableWarning]:
    """A ``possible_leak`` warning for each feature of ``sample`` that alone predicts the
    target almost perfectly, or whose missing cells do. Vectorised, one pass per column."""
    rows = sample[sample[spec.target].notna()].reset_index(drop=True)
    y = rows[spec.target]
    if len(rows) < MIN_ROWS or y.nunique() < 2:
        return []
    score = _scorer(y, spec.task)
    skip = {spec.target, *spec.exclude_columns, spec.cv.group_column}
    advice = "if it is known only once the outcome is (a leak), exclude it with exclude_columns."
    warnings = []
    for name in rows.columns:
        if name in skip:
            continue
        x = rows[name]
        missing = x.isna().to_numpy()
        if 0 < missing.sum() < len(x) and score(missing.astype(np.int64)) >= LEAK_SCORE:
            what = f"Whether column {name!r} is empty"
        elif not missing.all() and _values_score(x, y, spec.task, score) >= LEAK_SCORE:
            what = f"Column {name!r}"
        else:
            continue
        warnings.append(
            TableWarning(
                "possible_leak",
                f"{what} alone predicts the target almost perfectly (in the first "
                f"{len(rows)} labelled rows); {advice}",
                column=str(name),
            )
        )
    return warnings


def target_warnings(spec: SearchSpec, target: pd.Series) -> list[TableWarning]:
    """What a person should know about the target column itself: rows without a value
    (left out of training and testing), and classes whose labels differ only in spaces
    or capitals ("yes" and "Yes "), which are learnt as different classes."""
    name = spec.target
    warnings = []
    missing = int(target.isna().sum())
    if missing:
        warnings.append(
            TableWarning(
                "target_missing",
                f"{missing} of {len(target)} rows have no value in {name!r}; they are left "
                "out of training and testing (the result counts them as dropped_target_rows).",
                column=name,
            )
        )
    if spec.task == CLASSIFICATION and is_text(target):
        labels = pd.Series(target.dropna().unique(), dtype=object).astype(str)
        same = labels.groupby(labels.str.strip().str.casefold()).agg(list)
        groups = [sorted(g) for g in same if len(g) > 1]
        if groups:
            shown = "; ".join(" and ".join(repr(v) for v in g) for g in groups[:SHOWN_CLASSES])
            warnings.append(
                TableWarning(
                    "similar_classes",
                    f"Classes of {name!r} differ only in spaces or capitals ({shown}); they "
                    "are learnt as different classes. If they mean the same, write them alike "
                    "and upload the table again.",
                    column=name,
                )
            )
    return warnings


def depends_on(spec: SearchSpec) -> tuple[object, ...]:
    """The fields of ``spec`` the checks here read (the target, the task, the splits' fields
    and seeds, the columns left out), hashable: with the dataset's content, they decide
    :func:`check_data`'s answer, so a caller may keep it under this key. A check that
    comes to read another field must add it here."""
    return (
        spec.target,
        spec.task,
        spec.cv,
        spec.test_size,
        spec.random_state,
        tuple(spec.exclude_columns),
    )


def _check_here(
    path: str, reading: Reading, spec: SearchSpec, rows: int, max_rows: int, max_columns: int
) -> tuple[str, object]:
    limits = {"max_rows": max_rows, "max_columns": max_columns, "reading": reading}
    try:
        sample = load_table(Path(path), head=rows + 1, **limits).frame
        target = sample[spec.target]
        if len(sample) > rows:  # more rows: the class counts need every row's target
            sample = sample.iloc[:rows]
            target = load_table(Path(path), columns=[spec.target], **limits).frame[spec.target]
        check_classes(spec, target)
    except (DatasetError, SpecError) as exc:
        return "error", (exc.detail, exc.field if isinstance(exc, SpecError) else "dataset_id")
    return "ok", target_warnings(spec, target) + possible_leaks(spec, sample)


def check_data(
    path: Path,
    reading: Reading,
    spec: SearchSpec,
    *,
    n_columns: int,
    max_rows: int,
    max_columns: int,
) -> list[TableWarning]:
    """:func:`check_classes`, :func:`target_warnings` and :func:`possible_leaks` on the
    table at ``path`` (read with its recorded ``reading``; ``n_columns`` wide), in a child
    process: raises :class:`SpecError` naming the field; returns the warnings for the job."""
    rows = max(MIN_ROWS, min(CHECK_ROWS, CHECK_CELLS // max(n_columns, 1)))
    args = (str(path), reading, spec, rows, max_rows, max_columns)
    try:
        kind, value = call_once(_check_here, *args)
    except TrialCrashed as exc:
        raise SpecError(f"the dataset could not be read ({exc})", field="dataset_id") from exc
    if kind == "error":
        detail, field = value
        raise SpecError(detail, field=field)
    return value
