"""The preprocessing step for a table's profile: a ColumnTransformer of plain sklearn parts.

Only scikit-learn classes (and one numpy function) go into the pipeline, so a downloaded
model loads wherever scikit-learn does, with no tuneforge code installed.

Each column gets one treatment, decided from its profile alone:

- ``numeric``: integer and float columns, median-imputed and standardised;
- ``one_hot``: booleans and text with at most MAX_ONE_HOT distinct values;
- ``one_hot_top``: text with more values, for linear and other non-tree models: the most
  frequent values get a column each and the rest share one, so the width stays bounded;
- ``ordinal``: the same columns for tree-based models, as one integer column;
- ``dropped``: all-missing and constant columns, identifiers and free text, which would
  add a column per row (or per sentence) and carry no pattern that generalises.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

# At most this many distinct values and a text column is a category: a column per value.
MAX_ONE_HOT = 20
# Output columns for a text column with more values: the most frequent values, plus one
# column shared by the rare (and unseen) ones.
MAX_TOP_CATEGORIES = 20
# Distinct values in at least this share of the rows (and more than MAX_ONE_HOT of them):
# nearly every row has its own value, as with ids, names and e-mail addresses.
ID_LIKE_SHARE = 0.5
# Text with more than MAX_ONE_HOT distinct values, in at least this share of the rows, is
# free text when its values are long or mostly several words.
FREE_TEXT_DISTINCT_SHARE = 0.1
FREE_TEXT_MEAN_LENGTH = 30
FREE_TEXT_SPACE_SHARE = 0.5

NUMERIC, ONE_HOT, ONE_HOT_TOP, ORDINAL, DROPPED = (
    "numeric",
    "one_hot",
    "one_hot_top",
    "ordinal",
    "dropped",
)
TREATMENTS = (NUMERIC, ONE_HOT, ONE_HOT_TOP, ORDINAL, DROPPED)


@dataclass(frozen=True)
class ColumnTreatment:
    """What preprocessing does with one input column, and why."""

    column: str
    treatment: str  # numeric | one_hot | one_hot_top | ordinal | dropped
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_columns(
    columns: list[dict[str, Any]], n_rows: int, *, tree_based: bool = False
) -> list[ColumnTreatment]:
    """Decide a treatment for each feature column from its profile.

    ``columns`` are profile dicts (see :func:`models.engine.tables.profile_columns`); the optional
    ``mean_length`` and ``share_with_spaces`` keys are used when present, so profiles
    recorded before they existed still plan (without the free-text rule). ``tree_based``
    picks one integer column instead of a bounded one-hot for many-valued text, since
    trees split on it directly and a linear model would read a spurious order into it.

    >>> plan_columns([{"name": "x", "dtype": "float", "n_missing": 0, "n_unique": 9}], 10)
    [ColumnTreatment(column='x', treatment='numeric', reason='median-imputed and standardised')]
    """
    return [_treat(col, n_rows, tree_based) for col in columns]


def _treat(col: dict[str, Any], n_rows: int, tree_based: bool) -> ColumnTreatment:
    """One column's treatment; the rules are checked in order, first match wins."""
    name, dtype, n_unique = col["name"], col["dtype"], col["n_unique"]
    # Empty and constant are told from the profile's counts alone, not from n_rows, which
    # may count fewer rows (a training split) than the profile did.
    if n_unique == 0:
        return ColumnTreatment(name, DROPPED, "every value is missing")
    if n_unique == 1 and col["n_missing"] == 0:
        return ColumnTreatment(
            name, DROPPED, "the same value in every row, so it cannot tell rows apart"
        )
    if dtype in ("integer", "float"):
        return ColumnTreatment(name, NUMERIC, "median-imputed and standardised")
    if dtype == "boolean" or n_unique <= MAX_ONE_HOT:
        kind = "text" if dtype == "string" else dtype
        values = "1 distinct value" if n_unique == 1 else f"{n_unique} distinct values"
        return ColumnTreatment(name, ONE_HOT, f"{kind} with {values}: a column for each")
    return _treat_many_valued_text(col, n_rows, tree_based)


def _treat_many_valued_text(col: dict[str, Any], n_rows: int, tree_based: bool) -> ColumnTreatment:
    """Text with more than MAX_ONE_HOT distinct values: free text, an id, or a category."""
    name, n_unique = col["name"], col["n_unique"]
    mean_length = col.get("mean_length")
    share_with_spaces = col.get("share_with_spaces")
    many_distinct = n_unique >= FREE_TEXT_DISTINCT_SHARE * n_rows
    # Long text first: reviews are nearly all distinct too, but "identifier" would mislead.
    if many_distinct and mean_length is not None and mean_length > FREE_TEXT_MEAN_LENGTH:
        return ColumnTreatment(
            name,
            DROPPED,
            f"free text: {n_unique} distinct values averaging {mean_length:.0f} characters",
        )
    if n_unique >= ID_LIKE_SHARE * n_rows:
        return ColumnTreatment(
            name,
            DROPPED,
            f"text with {n_unique} distinct values in {n_rows} rows: looks like an identifier",
        )
    if (
        many_distinct
        and share_with_spaces is not None
        and share_with_spaces > FREE_TEXT_SPACE_SHARE
    ):
        return ColumnTreatment(
            name,
            DROPPED,
            f"free text: {n_unique} distinct values in {n_rows} rows, "
            f"{share_with_spaces:.0%} of them with spaces",
        )
    if tree_based:
        return ColumnTreatment(
            name,
            ORDINAL,
            f"text with {n_unique} distinct values: one integer code per value "
            "for a tree-based model",
        )
    return ColumnTreatment(
        name,
        ONE_HOT_TOP,
        f"text with {n_unique} distinct values: a column for each of the most frequent, "
        f"one shared by the rest ({MAX_TOP_CATEGORIES} columns at most)",
    )


def _as_categories(encoder: OneHotEncoder | OrdinalEncoder) -> Pipeline:
    """``encoder`` behind a cast to an object array.

    pandas gives a text column that is entirely missing in the rows to predict float64,
    and nullable columns extension dtypes; an encoder fitted on text then fails on
    ``isnan``. Cast first, it sees the same kind of array at fit and at predict. The cast
    is numpy's own ``asarray``, so the model file still needs nothing but scikit-learn.
    The dtype is named ``"O"``, not given as ``object``: a skops file would otherwise ask
    its loader to trust the type ``builtins.object``.
    """
    cast = FunctionTransformer(np.asarray, kw_args={"dtype": "O"}, feature_names_out="one-to-one")
    return Pipeline([("as_object", cast), ("encode", encoder)])


def _part(treatment: str) -> Pipeline:
    """A fresh, unfitted transformer for one kind of kept column."""
    if treatment == NUMERIC:
        return Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    if treatment == ONE_HOT:
        # Missing values become a category of their own; unseen values set no column.
        return _as_categories(OneHotEncoder(handle_unknown="ignore", sparse_output=False))
    if treatment == ONE_HOT_TOP:
        return _as_categories(
            OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                max_categories=MAX_TOP_CATEGORIES,
                sparse_output=False,
            )
        )
    # Missing and unseen values share the code -1, below every known value.
    return _as_categories(
        OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
        )
    )


def build_preprocessor(plan: list[ColumnTreatment]) -> ColumnTransformer:
    """The ColumnTransformer that carries out ``plan``.

    One part per treatment that has columns, named after it, in the order numeric,
    one_hot, one_hot_top, ordinal; dropped columns go to ``remainder="drop"``.
    """
    parts = []
    for treatment in (NUMERIC, ONE_HOT, ONE_HOT_TOP, ORDINAL):
        columns = [t.column for t in plan if t.treatment == treatment]
        if columns:
            parts.append((treatment, _part(treatment), columns))
    return ColumnTransformer(parts, remainder="drop")
