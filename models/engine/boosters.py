"""XGBoost's classifier for any labels (LightGBM's takes them as they come).

XGBoost's scikit-learn classifier only fits the labels ``0 .. k-1``, while a table's
target may be text (``"yes"``/``"no"``) or any numbers. :class:`XGBLabelClassifier` codes
them at fit and answers with the original labels, as scikit-learn's classifiers do: its
``classes_`` are the labels, in sorted order, and its probabilities come in that order.

The class is self-contained (numpy, typing and xgboost only, and no postponed annotations):
a job's replay script copies its source (see :mod:`models.engine.replay_script`). The ONNX
converter reads its ``classes_``.
"""

from typing import Any

import numpy as np
from xgboost import XGBClassifier


class XGBLabelClassifier(XGBClassifier):
    """``xgboost.XGBClassifier`` fitted on the codes of its labels, which it predicts."""

    def fit(self, X: Any, y: Any, **kwargs: Any) -> "XGBLabelClassifier":
        labels, codes = np.unique(np.asarray(y), return_inverse=True)
        self.labels_ = None  # XGBoost checks the codes against classes_ while it fits
        super().fit(X, codes, **kwargs)
        self.labels_ = labels
        return self

    @property
    def classes_(self) -> np.ndarray:
        labels = getattr(self, "labels_", None)
        return np.arange(self.n_classes_) if labels is None else labels

    def predict(self, X: Any, **kwargs: Any) -> np.ndarray:
        return self.classes_[np.asarray(super().predict(X, **kwargs), dtype=np.intp)]
