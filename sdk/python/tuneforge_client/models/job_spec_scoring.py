from enum import StrEnum


class JobSpecScoring(StrEnum):
    ACCURACY = "accuracy"
    AVERAGE_PRECISION = "average_precision"
    BALANCED_ACCURACY = "balanced_accuracy"
    EXPLAINED_VARIANCE = "explained_variance"
    F1 = "f1"
    F1_MACRO = "f1_macro"
    F1_MICRO = "f1_micro"
    F1_WEIGHTED = "f1_weighted"
    JACCARD_MACRO = "jaccard_macro"
    MATTHEWS_CORRCOEF = "matthews_corrcoef"
    MAX_ERROR = "max_error"
    NEG_LOG_LOSS = "neg_log_loss"
    NEG_MEAN_ABSOLUTE_ERROR = "neg_mean_absolute_error"
    NEG_MEAN_ABSOLUTE_PERCENTAGE_ERROR = "neg_mean_absolute_percentage_error"
    NEG_MEAN_SQUARED_ERROR = "neg_mean_squared_error"
    NEG_MEDIAN_ABSOLUTE_ERROR = "neg_median_absolute_error"
    NEG_ROOT_MEAN_SQUARED_ERROR = "neg_root_mean_squared_error"
    PRECISION = "precision"
    PRECISION_MACRO = "precision_macro"
    PRECISION_WEIGHTED = "precision_weighted"
    R2 = "r2"
    RECALL = "recall"
    RECALL_MACRO = "recall_macro"
    RECALL_WEIGHTED = "recall_weighted"
    ROC_AUC = "roc_auc"
    ROC_AUC_OVO = "roc_auc_ovo"
    ROC_AUC_OVR = "roc_auc_ovr"
    ROC_AUC_OVR_WEIGHTED = "roc_auc_ovr_weighted"

    def __str__(self) -> str:
        return str(self.value)
