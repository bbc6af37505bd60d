from typing import Literal

ListTrialsEstimator = Literal[
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

LIST_TRIALS_ESTIMATOR_VALUES: set[ListTrialsEstimator] = {
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


def check_list_trials_estimator(value: str) -> ListTrialsEstimator:
    if value in LIST_TRIALS_ESTIMATOR_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_TRIALS_ESTIMATOR_VALUES!r}")
