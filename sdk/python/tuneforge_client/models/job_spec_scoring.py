from typing import Literal

JobSpecScoring = Literal[
    "accuracy",
    "average_precision",
    "balanced_accuracy",
    "explained_variance",
    "f1",
    "f1_macro",
    "f1_micro",
    "f1_weighted",
    "jaccard_macro",
    "matthews_corrcoef",
    "max_error",
    "neg_log_loss",
    "neg_mean_absolute_error",
    "neg_mean_absolute_percentage_error",
    "neg_mean_squared_error",
    "neg_median_absolute_error",
    "neg_root_mean_squared_error",
    "precision",
    "precision_macro",
    "precision_weighted",
    "r2",
    "recall",
    "recall_macro",
    "recall_weighted",
    "roc_auc",
    "roc_auc_ovo",
    "roc_auc_ovr",
    "roc_auc_ovr_weighted",
]

JOB_SPEC_SCORING_VALUES: set[JobSpecScoring] = {
    "accuracy",
    "average_precision",
    "balanced_accuracy",
    "explained_variance",
    "f1",
    "f1_macro",
    "f1_micro",
    "f1_weighted",
    "jaccard_macro",
    "matthews_corrcoef",
    "max_error",
    "neg_log_loss",
    "neg_mean_absolute_error",
    "neg_mean_absolute_percentage_error",
    "neg_mean_squared_error",
    "neg_median_absolute_error",
    "neg_root_mean_squared_error",
    "precision",
    "precision_macro",
    "precision_weighted",
    "r2",
    "recall",
    "recall_macro",
    "recall_weighted",
    "roc_auc",
    "roc_auc_ovo",
    "roc_auc_ovr",
    "roc_auc_ovr_weighted",
}


def check_job_spec_scoring(value: str) -> JobSpecScoring:
    if value in JOB_SPEC_SCORING_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOB_SPEC_SCORING_VALUES!r}")
