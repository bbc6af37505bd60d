from enum import StrEnum


class SearchSpecEstimator(StrEnum):
    DECISION_TREE = "decision_tree"
    EXTRA_TREES = "extra_trees"
    HIST_GRADIENT_BOOSTING = "hist_gradient_boosting"
    KNN = "knn"
    LOGISTIC_REGRESSION = "logistic_regression"
    RANDOM_FOREST = "random_forest"
    RIDGE = "ridge"
    SVM = "svm"

    def __str__(self) -> str:
        return str(self.value)
