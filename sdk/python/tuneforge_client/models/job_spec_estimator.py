from typing import Literal

JobSpecEstimator = Literal[
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

JOB_SPEC_ESTIMATOR_VALUES: set[JobSpecEstimator] = {
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


def check_job_spec_estimator(value: str) -> JobSpecEstimator:
    if value in JOB_SPEC_ESTIMATOR_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_SPEC_ESTIMATOR_VALUES!r}")
