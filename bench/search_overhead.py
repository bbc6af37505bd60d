"""How much the service's search loop costs over plain scikit-learn, in one process.

Runs the same grid with ``GridSearchCV(n_jobs=1)`` and with tuneforge's engine (a real
SQLite database and artifact folder, every trial written as it finishes, the best model
refit and saved) and prints the best of three wall times and their ratio. Run: ``make bench``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold

from models.service import Service
from models.settings import Settings
from models.store.migrate import upgrade

CASES = [
    (
        "breast_cancer",
        "decision_tree",
        {"max_depth": [2, 4, 8, None], "min_samples_leaf": [1, 5, 10]},
    ),
    ("breast_cancer", "logistic_regression", {"C": [0.01, 0.1, 1.0, 10.0]}),
    ("wine", "knn", {"n_neighbors": [1, 3, 5, 9, 15], "weights": ["uniform", "distance"]}),
]


def table(name: str):
    if name == "breast_cancer":
        return load_breast_cancer(as_frame=True).frame
    return load_wine(as_frame=True).frame


REPEATS = 3
OWNER = "bench"


def run_case(root: Path, name: str, estimator: str, grid: dict) -> tuple[float, float]:
    """Best of ``REPEATS`` wall times for GridSearchCV and for the engine, interleaved."""
    settings = Settings(data_dir=root / name / estimator)
    upgrade(settings.database_url)
    service = Service.from_settings(settings)
    dataset = service.upload_dataset(OWNER, [table(name).to_csv(index=False).encode()], name)
    request = {
        "dataset_id": dataset.id,
        "target": "target",
        "estimator": estimator,
        "strategy": "grid",
        "param_space": grid,
        "test_size": 0,
        "cv": {"folds": 5, "shuffle": False},
    }
    spec = service.resolve_spec(OWNER, request)
    data = service.training_data(OWNER, spec)
    cv = StratifiedKFold(5) if spec.cv.kind == "stratified" else KFold(5)
    plain, ours = [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        GridSearchCV(
            clone(data.template),
            {f"model__{k}": v for k, v in grid.items()},
            cv=cv,
            scoring=spec.scoring,
            n_jobs=1,
        ).fit(data.X_train, data.y_train)
        plain.append(time.perf_counter() - started)
        job = service.submit_spec(OWNER, spec)
        started = time.perf_counter()
        service.run_job(job.id, "bench")
        ours.append(time.perf_counter() - started)
    service.close()
    return min(plain), min(ours)


def main() -> None:
    print(
        f"{'table':<14} {'estimator':<20} {'cands':>5} {'sklearn s':>10} "
        f"{'tuneforge s':>12} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, estimator, grid in CASES:
            n = 1
            for values in grid.values():
                n *= len(values)
            plain, ours = run_case(Path(tmp), name, estimator, grid)
            print(
                f"{name:<14} {estimator:<20} {n:>5} {plain:>10.3f} {ours:>12.3f} "
                f"{ours / plain:>6.2f}"
            )
    print(
        "ratio = tuneforge engine / GridSearchCV; both refit the best candidate, tuneforge "
        "also writes every trial to the database and saves the model file"
    )


if __name__ == "__main__":
    main()
