"""The preprocessing step for a table's profile: a ColumnTransformer of plain sklearn parts.

Only scikit-learn classes go into the pipeline, so a downloaded model loads wherever
scikit-learn does, with no tuneforge code installed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

# More distinct values than this and a text column is an id or free text, not a category:
# one-hot encoding it would add a column per row.
MAX_ONE_HOT = 50


@dataclass(frozen=True)
class ColumnTreatment:
    """What preprocessing does with one input column, and why."""

    column: str
    treatment: str  # numeric | one_hot | dropped
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_columns(columns: list[dict[str, Any]], n_rows: int) -> list[ColumnTreatment]:
    """Decide a treatment for each feature column from its profile."""
    plan = []
    for col in columns:
        name, dtype = col["name"], col["dtype"]
        if col["n_missing"] >= n_rows:
            plan.append(ColumnTreatment(name, "dropped", "every value is missing"))
        elif dtype in ("integer", "float"):
            plan.append(ColumnTreatment(name, "numeric", "median-imputed and standardised"))
        elif col["n_unique"] <= MAX_ONE_HOT:
            plan.append(ColumnTreatment(name, "one_hot", f"{dtype} with {col['n_unique']} values"))
        else:
            plan.append(
                ColumnTreatment(
                    name,
                    "dropped",
                    f"text with {col['n_unique']} distinct values (an id or free text)",
                )
            )
    return plan


def build_preprocessor(plan: list[ColumnTreatment]) -> ColumnTransformer:
    """The ColumnTransformer that carries out ``plan``."""
    numeric = [t.column for t in plan if t.treatment == "numeric"]
    one_hot = [t.column for t in plan if t.treatment == "one_hot"]
    parts = []
    if numeric:
        parts.append(
            (
                "numeric",
                Pipeline(
                    [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
                ),
                numeric,
            )
        )
    if one_hot:
        # OneHotEncoder treats missing values as a category of their own.
        parts.append(
            (
                "one_hot",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                one_hot,
            )
        )
    return ColumnTransformer(parts, remainder="drop")
