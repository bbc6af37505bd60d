"""The allow-list of estimators: classes, tunable parameters, bounds and default spaces.

Nothing outside this table can be instantiated. Each parameter carries the bounds the
service accepts (wide enough for real searches, tight enough that one trial cannot ask
for a million trees), and an estimator whose cost explodes with the rows carries the most
training rows it accepts. What these bounds cannot foresee, each trial's memory and time
limits stop (see :mod:`models.engine.isolation`).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any

from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.base import BaseEstimator
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge, RidgeClassifier
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from xgboost import XGBRegressor

from models.engine.boosters import XGBLabelClassifier
from models.engine.isolation import TRIAL_THREADS

CLASSIFICATION = "classification"
REGRESSION = "regression"
TASKS = (CLASSIFICATION, REGRESSION)
PARAM_KINDS = ("int", "float", "bool", "choice")


@dataclass(frozen=True)
class Param:
    """A tunable parameter: its kind, inclusive bounds, and any allowed non-numeric values.

    ``kind`` is ``int``, ``float``, ``bool`` or ``choice``. For ``int`` and ``float``,
    ``choices`` lists extra values allowed besides numbers in ``[low, high]`` (``None`` for
    "no limit", ``"sqrt"``); for ``choice`` it lists every allowed value.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()
    doc: str = ""

    def coerce(self, value: Any) -> Any:
        """JSON's numbers as this parameter's type: ``3.0`` → ``3`` for ints, ``1`` → ``1.0``
        for floats (scikit-learn reads an int ``max_features`` as a count, not a share)."""
        if isinstance(value, bool):
            return value
        if self.kind == "int" and isinstance(value, float) and value.is_integer():
            return int(value)
        if self.kind == "float" and isinstance(value, int) and abs(value) <= sys.float_info.max:
            return float(value)  # a larger int stays one, and check() says it is out of range
        return value

    def check(self, value: Any) -> str | None:
        """``None`` if ``value`` is allowed, else the reason it is not."""
        listed = any(value == c and type(value) is type(c) for c in self.choices)
        if self.kind == "choice":
            return None if listed else f"must be one of {list(self.choices)}"
        if self.kind == "bool":
            return None if isinstance(value, bool) else "must be true or false"
        if listed:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            extra = f" or one of {list(self.choices)}" if self.choices else ""
            return f"must be a number{extra}"
        # Python compares an int of any size with a float exactly; converting it to a
        # float first (math.isfinite) would raise OverflowError beyond a double's range.
        if (isinstance(value, float) and not math.isfinite(value)) or not (
            self.low <= value <= self.high
        ):
            return f"must be between {self.low:g} and {self.high:g}"
        if self.kind == "int" and not isinstance(value, int):
            return "must be an integer"
        if self.kind == "float" and not isinstance(value, float):
            return "must be a float"
        return None


@dataclass(frozen=True)
class Estimator:
    """One catalog entry: a class per task, its parameters, its default space per task."""

    name: str
    title: str
    classes: dict[str, type[BaseEstimator]]
    params: dict[str, dict[str, Param]]
    default_space: dict[str, dict[str, dict[str, Any]]]
    fixed: dict[str, Any] = field(default_factory=dict)
    # Parameters successive halving may use as its resource, with their full budget.
    resource_params: dict[str, int] = field(default_factory=dict)
    # Trees split on thresholds: text columns may be ordinal-encoded instead of one-hot
    # (see models/engine/preprocess.py), which keeps wide tables narrow.
    tree_based: bool = False
    # The most training rows a job may fit it on (None: only the service's max_rows).
    max_train_rows: int | None = None
    # A configuration that fits quickly on any table the service accepts: the model a job
    # whose budget ran out before any trial finished falls back on (job_run's conclude).
    cheap: dict[str, Any] = field(default_factory=dict)
    # The most training rows that fallback is fitted on (a kernel's cost grows with their
    # square: fewer for it).
    cheap_rows: int = 20_000

    @property
    def tasks(self) -> list[str]:
        return [t for t in TASKS if t in self.classes]

    def build(self, task: str, random_state: int | None) -> BaseEstimator:
        """A fresh instance for ``task`` with the catalog's fixed settings."""
        cls = self.classes[task]
        kwargs = dict(self.fixed.get(task, {}))
        if "random_state" in cls().get_params():
            kwargs["random_state"] = random_state
        return cls(**kwargs)


def _both(params: dict[str, Param]) -> dict[str, dict[str, Param]]:
    return {CLASSIFICATION: params, REGRESSION: params}


C = Param("float", 1e-6, 1e6, doc="inverse regularisation strength")
MAX_DEPTH = Param("int", 1, 200, choices=(None,), doc="null: grow until pure")
MIN_SPLIT = Param("int", 2, 10_000)
MIN_LEAF = Param("int", 1, 10_000)
MAX_FEATURES = Param("float", 1e-3, 1.0, choices=("sqrt", "log2", None), doc="fraction of features")
N_ESTIMATORS = Param("int", 1, 2000)
CLASS_WEIGHT = Param("choice", choices=(None, "balanced"))
TREE_CRITERION = {
    CLASSIFICATION: Param("choice", choices=("gini", "entropy", "log_loss")),
    REGRESSION: Param("choice", choices=("squared_error", "absolute_error")),
}
# libsvm (SVC, SVR) fits in quadratic time or worse in the rows, whatever the kernel: one
# fit on 20,000 rows of 20 features took 10 s (rbf) and 44 s (linear) here, about 4x and
# 8x per doubling of the rows. Beyond this, linear models or gradient boosting.
SVM_MAX_TRAIN_ROWS = 20_000


def _trees() -> dict[str, dict[str, Param]]:
    common = {
        "n_estimators": N_ESTIMATORS,
        "max_depth": MAX_DEPTH,
        "min_samples_split": MIN_SPLIT,
        "min_samples_leaf": MIN_LEAF,
        "max_features": MAX_FEATURES,
    }
    common["bootstrap"] = Param("bool")
    return {
        CLASSIFICATION: common
        | {
            "criterion": TREE_CRITERION[CLASSIFICATION],
            "class_weight": Param("choice", choices=(None, "balanced", "balanced_subsample")),
        },
        REGRESSION: common | {"criterion": TREE_CRITERION[REGRESSION]},
    }


FOREST_SPACE = {
    "n_estimators": {"type": "int", "low": 50, "high": 500, "log": True},
    "max_depth": {"type": "categorical", "choices": [4, 8, 16, 32, None]},
    "min_samples_leaf": {"type": "int", "low": 1, "high": 20, "log": True},
    "max_features": {"type": "float", "low": 0.1, "high": 1.0},
}


def _forest(
    name: str, title: str, classifier: type[BaseEstimator], regressor: type[BaseEstimator]
) -> Estimator:
    """An ensemble of trees (random forest, extra trees): one parameter set, one space."""
    return Estimator(
        name=name,
        tree_based=True,
        title=title,
        resource_params={"n_estimators": 300},
        classes={CLASSIFICATION: classifier, REGRESSION: regressor},
        params=_trees(),
        default_space={t: FOREST_SPACE for t in TASKS},
        fixed={t: {"n_jobs": 1} for t in TASKS},
        cheap={"n_estimators": 10, "max_depth": 8},
    )


# Gradient boosting libraries (LightGBM, XGBoost) through their scikit-learn estimators.
SAMPLE_SHARE = Param("float", 0.01, 1.0, doc="share of the rows (or columns) each tree sees")
PENALTY = Param("float", 0.0, 1e4)
# What both libraries tune alike: rounds, their step, row and column sampling, L1 and L2.
BOOSTING_PARAMS = {
    "n_estimators": N_ESTIMATORS,
    "learning_rate": Param("float", 1e-4, 1.0),
    "min_child_weight": PENALTY,
    "subsample": SAMPLE_SHARE,
    "colsample_bytree": SAMPLE_SHARE,
    "reg_alpha": PENALTY,
    "reg_lambda": PENALTY,
}
SHARE_SPACE = {"type": "float", "low": 0.5, "high": 1.0}
# Both guides tune the penalties over orders of magnitude, from none to strong.
PENALTY_SPACE = {"type": "float", "low": 1e-8, "high": 10.0, "log": True}
BOOSTING_SPACE = {
    "n_estimators": {"type": "int", "low": 50, "high": 1000, "log": True},
    "learning_rate": {"type": "float", "low": 0.01, "high": 0.3, "log": True},
    "subsample": SHARE_SPACE,
    "colsample_bytree": SHARE_SPACE,
    "reg_alpha": PENALTY_SPACE,
    "reg_lambda": PENALTY_SPACE,
}
BOOSTING_TREES = 500


def _booster(
    name: str,
    title: str,
    classes: dict[str, type[BaseEstimator]],
    params: dict[str, dict[str, Param]],
    space: dict[str, dict[str, Any]],
    fixed: dict[str, Any],
) -> Estimator:
    """A gradient boosting library's entry: its own parameters and space beside the shared
    ones, and as many threads as any trial gets (TRIAL_THREADS), set here because both
    libraries would otherwise start one per core whatever threadpoolctl said before they
    were loaded. Halving may grow its rounds."""
    return Estimator(
        name=name,
        tree_based=True,
        title=title,
        classes=classes,
        params={t: BOOSTING_PARAMS | p for t, p in params.items()},
        default_space={t: BOOSTING_SPACE | space for t in TASKS},
        fixed={t: {"n_jobs": TRIAL_THREADS} | fixed for t in TASKS},
        resource_params={"n_estimators": BOOSTING_TREES},
    )


def _lightgbm() -> Estimator:
    own = {
        "num_leaves": Param("int", 2, 4096),
        "max_depth": Param("int", -1, 200, doc="-1: no limit"),
        "min_child_samples": MIN_LEAF,
        "min_split_gain": PENALTY,
        "subsample_freq": Param("int", 0, 100, doc="bag every k trees; 0: subsample unused"),
    }
    return _booster(
        "lightgbm",
        "LightGBM gradient boosting",
        {CLASSIFICATION: LGBMClassifier, REGRESSION: LGBMRegressor},
        {CLASSIFICATION: own | {"class_weight": CLASS_WEIGHT}, REGRESSION: own},
        # LightGBM's "Parameters Tuning" guide (lightgbm.readthedocs.io, Parameters-Tuning):
        # num_leaves (below 2^max_depth) and min_data_in_leaf against over-fitting, a small
        # learning rate with more iterations for accuracy, bagging (bagging_fraction with
        # bagging_freq) and feature_fraction, lambda_l1 / lambda_l2.
        {
            "num_leaves": {"type": "int", "low": 8, "high": 256, "log": True},
            "min_child_samples": {"type": "int", "low": 5, "high": 100, "log": True},
        },
        # subsample_freq 1: bagging on, so that subsample has an effect (LightGBM ignores
        # it at 0, its default). deterministic with row-wise histograms: the same scores
        # on every run, which replays and the GridSearchCV agreement rely on.
        {"verbose": -1, "subsample_freq": 1, "deterministic": True, "force_row_wise": True},
    )


def _xgboost() -> Estimator:
    own = {
        "max_depth": Param("int", 1, 32),
        "max_leaves": Param("int", 0, 4096, doc="0: no limit"),
        "gamma": PENALTY,
    }
    return _booster(
        "xgboost",
        "XGBoost gradient boosting",
        {CLASSIFICATION: XGBLabelClassifier, REGRESSION: XGBRegressor},
        _both(own),
        # XGBoost's "Notes on Parameter Tuning" (xgboost.readthedocs.io, tutorials/param_tuning):
        # control over-fitting with max_depth, min_child_weight and gamma, add randomness
        # with subsample and colsample_bytree, and lower eta with more rounds; lambda and
        # alpha as in its parameter reference.
        {
            "max_depth": {"type": "int", "low": 3, "high": 10},
            "min_child_weight": {"type": "float", "low": 0.5, "high": 20.0, "log": True},
            "gamma": {"type": "float", "low": 1e-8, "high": 5.0, "log": True},
        },
        # hist: the CPU's fast method, deterministic on one thread.
        {"verbosity": 0, "tree_method": "hist"},
    )


CATALOG: dict[str, Estimator] = {
    e.name: e
    for e in (
        Estimator(
            name="logistic_regression",
            title="Logistic regression",
            classes={CLASSIFICATION: LogisticRegression},
            params={
                CLASSIFICATION: {
                    "C": C,
                    "fit_intercept": Param("bool"),
                    "class_weight": CLASS_WEIGHT,
                    "max_iter": Param("int", 1, 10_000),
                    "solver": Param("choice", choices=("lbfgs", "liblinear", "newton-cg", "saga")),
                    "l1_ratio": Param("float", 0.0, 1.0, doc="0: L2, 1: L1; above 0 needs saga"),
                }
            },
            # scikit-learn's guide: C on a log scale; elastic-net mixing only with saga.
            default_space={
                CLASSIFICATION: {
                    "C": {"type": "float", "low": 1e-4, "high": 1e4, "log": True},
                    "solver": {"type": "categorical", "choices": ["lbfgs", "saga"]},
                    "l1_ratio": {
                        "type": "float",
                        "low": 0.0,
                        "high": 1.0,
                        "when": {"solver": ["saga"]},
                    },
                    "class_weight": {"type": "categorical", "choices": [None, "balanced"]},
                }
            },
            fixed={CLASSIFICATION: {"max_iter": 1000}},
            resource_params={"max_iter": 1000},
        ),
        Estimator(
            name="ridge",
            title="Ridge (L2-regularised linear model)",
            classes={CLASSIFICATION: RidgeClassifier, REGRESSION: Ridge},
            params=_both(
                {
                    "alpha": Param("float", 1e-8, 1e8),
                    "fit_intercept": Param("bool"),
                }
            ),
            default_space={
                t: {"alpha": {"type": "float", "low": 1e-4, "high": 1e4, "log": True}}
                for t in TASKS
            },
        ),
        Estimator(
            name="decision_tree",
            tree_based=True,
            title="Decision tree",
            classes={CLASSIFICATION: DecisionTreeClassifier, REGRESSION: DecisionTreeRegressor},
            params={
                task: {
                    "max_depth": MAX_DEPTH,
                    "min_samples_split": MIN_SPLIT,
                    "min_samples_leaf": MIN_LEAF,
                    "max_features": MAX_FEATURES,
                    "criterion": TREE_CRITERION[task],
                    "ccp_alpha": Param("float", 0.0, 1e6),
                }
                for task in TASKS
            },
            default_space={
                t: {
                    "max_depth": {"type": "categorical", "choices": [2, 3, 4, 6, 8, 12, 16, None]},
                    "min_samples_leaf": {"type": "int", "low": 1, "high": 50, "log": True},
                    "min_samples_split": {"type": "int", "low": 2, "high": 40, "log": True},
                }
                for t in TASKS
            },
            cheap={"max_depth": 8},
        ),
        _forest("random_forest", "Random forest", RandomForestClassifier, RandomForestRegressor),
        _forest(
            "extra_trees", "Extremely randomised trees", ExtraTreesClassifier, ExtraTreesRegressor
        ),
        Estimator(
            name="hist_gradient_boosting",
            tree_based=True,
            title="Histogram-based gradient boosting",
            classes={
                CLASSIFICATION: HistGradientBoostingClassifier,
                REGRESSION: HistGradientBoostingRegressor,
            },
            params=_both(
                {
                    "learning_rate": Param("float", 1e-4, 1.0),
                    "max_iter": Param("int", 10, 2000),
                    "max_leaf_nodes": Param("int", 2, 1024, choices=(None,)),
                    "max_depth": MAX_DEPTH,
                    "min_samples_leaf": MIN_LEAF,
                    "l2_regularization": Param("float", 0.0, 1e4),
                    "max_features": Param("float", 1e-3, 1.0),
                }
            ),
            default_space={
                t: {
                    "learning_rate": {"type": "float", "low": 0.01, "high": 0.3, "log": True},
                    "max_leaf_nodes": {"type": "int", "low": 8, "high": 128, "log": True},
                    "min_samples_leaf": {"type": "int", "low": 5, "high": 100, "log": True},
                    "l2_regularization": {"type": "float", "low": 1e-6, "high": 10.0, "log": True},
                }
                for t in TASKS
            },
            # Early stopping would hold out a validation split of its own; scores would then
            # depend on it, and max_iter could not serve as the halving resource.
            fixed={t: {"early_stopping": False} for t in TASKS},
            resource_params={"max_iter": 300},
            cheap={"max_iter": 20, "max_depth": 4},
        ),
        Estimator(
            name="svm",
            title="Support vector machine",
            classes={CLASSIFICATION: SVC, REGRESSION: SVR},
            max_train_rows=SVM_MAX_TRAIN_ROWS,
            cheap_rows=5_000,
            params={
                task: {
                    "C": C,
                    "kernel": Param("choice", choices=("linear", "poly", "rbf", "sigmoid")),
                    "gamma": Param("float", 1e-8, 1e4, choices=("scale", "auto")),
                    "degree": Param("int", 1, 10),
                    "coef0": Param("float", -1e3, 1e3),
                }
                | (
                    {"class_weight": CLASS_WEIGHT}
                    if task == CLASSIFICATION
                    else {"epsilon": Param("float", 0.0, 1e3)}
                )
                for task in TASKS
            },
            # Hsu, Chang & Lin's practical guide: log-scaled C and gamma; gamma only for
            # the kernels that use it, degree only for the polynomial one.
            default_space={
                t: {
                    "kernel": {"type": "categorical", "choices": ["rbf", "linear", "poly"]},
                    "C": {"type": "float", "low": 1e-3, "high": 1e3, "log": True},
                    "gamma": {
                        "type": "float",
                        "low": 1e-4,
                        "high": 1.0,
                        "log": True,
                        "when": {"kernel": ["rbf", "poly"]},
                    },
                    "degree": {"type": "int", "low": 2, "high": 4, "when": {"kernel": ["poly"]}},
                }
                for t in TASKS
            },
        ),
        Estimator(
            name="knn",
            title="k nearest neighbours",
            classes={CLASSIFICATION: KNeighborsClassifier, REGRESSION: KNeighborsRegressor},
            params=_both(
                {
                    "n_neighbors": Param("int", 1, 500),
                    "weights": Param("choice", choices=("uniform", "distance")),
                    "p": Param("int", 1, 2),
                }
            ),
            default_space={
                t: {
                    "n_neighbors": {"type": "int", "low": 1, "high": 50, "log": True},
                    "weights": {"type": "categorical", "choices": ["uniform", "distance"]},
                    "p": {"type": "categorical", "choices": [1, 2]},
                }
                for t in TASKS
            },
        ),
        _lightgbm(),
        _xgboost(),
    )
}


def get_estimator(name: str) -> Estimator | None:
    """The catalog entry called ``name``, or ``None``."""
    return CATALOG.get(name)


def describe_param(param: Param) -> dict[str, Any]:
    """A JSON-friendly description of a parameter for ``GET /v1/estimators``."""
    out: dict[str, Any] = {"type": param.kind}
    if param.kind in ("int", "float"):
        out["low"], out["high"] = param.low, param.high
    if param.choices:
        out["choices"] = list(param.choices)
    if param.doc:
        out["doc"] = param.doc
    return out
