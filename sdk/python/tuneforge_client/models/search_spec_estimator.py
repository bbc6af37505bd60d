from typing import Literal

SearchSpecEstimator = Literal[
    "auto",
    "decision_tree",
    "extra_trees",
    "hist_gradient_boosting",
    "knn",
    "lightgbm",
    "logistic_regression",
    "random_forest",
    "ridge",
    "svm",
    "xgboost",
]

SEARCH_SPEC_ESTIMATOR_VALUES: set[SearchSpecEstimator] = {
    "auto",
    "decision_tree",
    "extra_trees",
    "hist_gradient_boosting",
    "knn",
    "lightgbm",
    "logistic_regression",
    "random_forest",
    "ridge",
    "svm",
    "xgboost",
}


def check_search_spec_estimator(value: str) -> SearchSpecEstimator:
    if value in SEARCH_SPEC_ESTIMATOR_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEARCH_SPEC_ESTIMATOR_VALUES!r}")
