from typing import Literal

JobSpecEstimator = Literal[
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

JOB_SPEC_ESTIMATOR_VALUES: set[JobSpecEstimator] = {
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


def check_job_spec_estimator(value: str) -> JobSpecEstimator:
    if value in JOB_SPEC_ESTIMATOR_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_SPEC_ESTIMATOR_VALUES!r}")
