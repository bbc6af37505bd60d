from typing import Literal

SearchSpecEstimator = Literal[
    "auto",
    "decision_tree",
    "extra_trees",
    "hist_gradient_boosting",
    "knn",
    "logistic_regression",
    "random_forest",
    "ridge",
    "svm",
]

SEARCH_SPEC_ESTIMATOR_VALUES: set[SearchSpecEstimator] = {
    "auto",
    "decision_tree",
    "extra_trees",
    "hist_gradient_boosting",
    "knn",
    "logistic_regression",
    "random_forest",
    "ridge",
    "svm",
}


def check_search_spec_estimator(value: str) -> SearchSpecEstimator:
    if value in SEARCH_SPEC_ESTIMATOR_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SEARCH_SPEC_ESTIMATOR_VALUES!r}")
