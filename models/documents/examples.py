"""Examples for the OpenAPI document, by field name, wherever a field has none of its own."""

from __future__ import annotations

from collections.abc import Iterable

import marshmallow as ma

FIELD_EXAMPLES = {
    "id": "job_019b2c4d5e6f7a8b9c0d1e2f3a4b",
    "job_id": "job_019b2c4d5e6f7a8b9c0d1e2f3a4b",
    "dataset_id": "ds_019b2c4d5e6f7a8b9c0d1e2f3a4b",
    "name": "breast_cancer.csv",
    "dtype": "float",
    "n_rows": 569,
    "n_columns": 31,
    "n_missing": 0,
    "n_unique": 456,
    "sha256": "5c6bd4d4c1e96d7db295b91bae812ad349346229c5c9a55bdf6c9cdc8508a8f1",
    "size_bytes": 122_354,
    "created_at": "2026-11-27T02:36:34.365000+00:00",
    "started_at": "2026-11-27T02:36:34.410000+00:00",
    "worker": "tuneforge@host-1:4242",
    "max_parallel": 2,
    "finished_at": "2026-11-27T02:36:35.808000+00:00",
    "status": "succeeded",
    "trials_completed": 15,
    "trials_total": 15,
    "trials_inherited": 0,
    "inherited_from": None,
    "eta_s": None,
    "best_score": 0.9626,
    "best_params": {"max_depth": 3, "min_samples_leaf": 10},
    "params": {"max_depth": 3, "min_samples_leaf": 10},
    "stopped_reason": "completed",
    "error": None,
    "attempts": 1,
    "number": 5,
    "state": "succeeded",
    "fold_scores": [0.95, 0.97, 0.96, 0.98, 0.95],
    "mean_score": 0.9626,
    "std_score": 0.0117,
    "fit_time_s": 0.042,
    "score_time_s": 0.011,
    "metrics": {
        "roc_auc": {"mean": 0.9626, "std": 0.0117, "fold_scores": [0.95, 0.97, 0.96, 0.98, 0.95]}
    },
    "rung": None,
    "resource": None,
    "column": "mean radius",
    "treatment": "numeric",
    "reason": "median-imputed and standardised",
    "sklearn_version": "1.9.1",
    "joblib_version": "1.6.0",
    "feature_columns": ["mean radius", "mean texture"],
    "target": "target",
    "classes": [0, 1],
    "best_trial": 5,
    "scoring": "roc_auc",
    "test_score": None,
    "scores": {"roc_auc": {"cv": 0.9626, "cv_std": 0.0117, "test": None}},
    "n_trials": 15,
    "n_failed_trials": 0,
    "n_pruned_trials": 0,
    "n_train_rows": 569,
    "n_test_rows": 0,
    "dropped_target_rows": 0,
    "title": "Decision tree",
    "tasks": ["classification", "regression"],
    "next": None,
    "checks": {"database": "ok", "broker": "ok"},
}


def add_examples(schemas: Iterable[type[ma.Schema]]) -> None:
    """Give each field of ``schemas`` its example from :data:`FIELD_EXAMPLES`, if it has
    none of its own."""
    for schema in schemas:
        for name, field in schema._declared_fields.items():
            if "example" not in field.metadata and name in FIELD_EXAMPLES:
                field.metadata["example"] = FIELD_EXAMPLES[name]
