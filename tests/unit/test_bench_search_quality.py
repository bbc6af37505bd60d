"""bench/search_quality.py's equal-wall-time comparison: its command line, the public tables
it uses, and how it scores and summarises runs (the searches themselves take minutes and
run in bench/, not here)."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import get_scorer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import search_quality as sq  # bench/ is not a package; its scripts import harness beside them


def test_defaults_are_the_full_run() -> None:
    args = sq.parse_args([])
    assert (args.budget, args.seeds, args.by_trials) == (60, 3, False)
    assert args.tables == ["breast_cancer", "wine", "diabetes", "digits", "iris"]
    assert args.only == ["tuneforge", "random", "halving", "optuna", "auto", "flaml"]


def test_a_quick_run_is_chosen_by_flags() -> None:
    args = sq.parse_args(
        ["--budget", "5", "--seeds", "1", "--tables", "wine", "--only", "tuneforge,flaml"]
    )
    assert (args.budget, args.seeds, args.tables, args.only) == (
        5,
        1,
        ["wine"],
        ["tuneforge", "flaml"],
    )
    assert sq.parse_args(["--by-trials"]).by_trials


@pytest.mark.parametrize(
    "argv",
    [
        ["--tables", "titanic"],
        ["--tables", ""],
        ["--only", "tuneforge,grid"],
        ["--budget", "0"],
        ["--seeds", "0"],
        ["--budget", "ten"],
    ],
)
def test_bad_flags_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        sq.parse_args(argv)
    assert exited.value.code == 2
    assert "error" in capsys.readouterr().err


def test_the_default_tables_ship_with_scikit_learn() -> None:
    tables = sq.public_tables()
    assert set(sq.DEFAULT_WALL_TABLES) <= set(tables)
    sizes = {}
    for name in sq.DEFAULT_WALL_TABLES:
        frame = tables[name]()
        assert "target" in frame.columns and frame["target"].notna().all(), name
        sizes[name] = len(frame)
    assert max(sizes.values()) >= 1500  # digits, the larger one


def test_held_out_scores_agree_with_scikit_learns_scorers() -> None:
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    binary = LogisticRegression(max_iter=5000).fit(X, y)
    assert sq.held_out("roc_auc", binary, X, y) == pytest.approx(
        get_scorer("roc_auc")(binary, X, y)
    )
    X, y = load_iris(return_X_y=True, as_frame=True)
    multi = LogisticRegression(max_iter=5000).fit(X, y)
    for name in ("balanced_accuracy", "accuracy", "f1_macro"):
        assert sq.held_out(name, multi, X, y) == pytest.approx(get_scorer(name)(multi, X, y))
    target = X.pop("petal width (cm)")
    regression = LinearRegression().fit(X, target)
    assert sq.held_out("r2", regression, X, target) == pytest.approx(
        get_scorer("r2")(regression, X, target)
    )


def test_flaml_minimises_the_negated_score() -> None:
    assert sq.flaml_metric("roc_auc") == "roc_auc"
    metric = sq.flaml_metric("balanced_accuracy")
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=5000).fit(X, y)
    loss, extra = metric(X, y, model, None, X, y)
    assert loss == pytest.approx(-sq.held_out("balanced_accuracy", model, X, y))
    assert extra == {}


def test_optuna_draws_within_the_space_and_leaves_out_conditional_dimensions() -> None:
    space = {
        "learning_rate": {"type": "float", "low": 0.01, "high": 1.0, "log": True},
        "max_leaf_nodes": {"type": "int", "low": 4, "high": 64, "log": True},
        "max_depth": {"type": "categorical", "choices": [3, None]},
        "degree": {"type": "int", "low": 2, "high": 5, "when": {"kernel": ["poly"]}},
    }
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        params = sq.suggest(study.ask(), space)
        assert set(params) == {"learning_rate", "max_leaf_nodes", "max_depth"}
        assert 0.01 <= params["learning_rate"] <= 1.0
        assert 4 <= params["max_leaf_nodes"] <= 64 and isinstance(params["max_leaf_nodes"], int)
        assert params["max_depth"] in (3, None)


def test_a_spent_budget_still_runs_one_batch() -> None:
    calls: list[int] = []

    def batch(k: int) -> list[tuple[float, dict[str, int]]]:
        calls.append(k)
        return [(0.5, {"k": k})]

    tried, _ = sq.until_deadline(0, batch)
    assert calls == [0] and tried == [(0.5, {"k": 0})]


def run(table: str, seed: int, search: str, test: float) -> sq.WallRun:
    return sq.WallRun(table, seed, search, "roc_auc", 10, 60.0, test)


def test_summary_counts_wins_within_each_group() -> None:
    runs = [
        run("wine", 0, "tuneforge", 0.98),
        run("wine", 0, "optuna", 0.97),
        run("wine", 0, "flaml", 0.90),  # alone in its group (no auto)
        run("wine", 1, "tuneforge", 0.95),
        run("wine", 1, "optuna", 0.95),  # a tie: a win each
        run("wine", 1, "flaml", math.nan),  # failed: no win
    ]
    by_search = {s.search: s for s in sq.summarise_runs(runs)}
    assert by_search["tuneforge"].wins == 2 and by_search["optuna"].wins == 1
    assert by_search["flaml"].wins is None  # nothing to win against
    assert by_search["tuneforge"].mean == pytest.approx(0.965)
    assert by_search["tuneforge"].std == pytest.approx(np.std([0.98, 0.95], ddof=1))


def test_verdicts_say_how_far_below_the_best_and_whether_within_noise() -> None:
    runs = [
        run("a", 0, "tuneforge", 0.90),
        run("a", 1, "tuneforge", 0.94),
        run("a", 0, "random", 0.93),
        run("a", 1, "random", 0.93),
        run("b", 0, "tuneforge", 0.80),
        run("b", 0, "halving", 0.90),
        run("c", 0, "tuneforge", 0.70),  # nothing to compare with
        run("a", 0, "auto", 0.95),
        run("a", 0, "flaml", 0.96),
    ]
    summaries = sq.summarise_runs(runs)
    a, b = sq.verdicts(summaries, "tuneforge")
    assert (a.table, a.best, a.gap, a.within_noise) == ("a", "random", pytest.approx(0.01), True)
    assert (b.table, b.best, b.within_noise) == ("b", "halving", False)
    assert b.percent == pytest.approx(100 * 0.1 / 0.9)
    (auto,) = sq.verdicts(summaries, "auto")
    assert (auto.best, auto.within_noise) == ("flaml", False)


def test_split_frames_keep_the_training_columns_order() -> None:
    frame = pd.DataFrame({"b": [1, 2], "a": [3, 4], "target": [0, 1]})
    data = type("Data", (), {"X_train": frame[["a", "b"]]})()
    split = sq.Split("t", 0, frame, frame, "target", None, data)  # type: ignore[arg-type]
    assert list(split.X_test.columns) == ["a", "b"]
    assert split.y_test.tolist() == [0, 1]


def test_a_search_that_failed_on_a_seed_misses_its_table() -> None:
    runs = [
        run("a", 0, "tuneforge", 0.95),
        run("a", 1, "tuneforge", math.nan),  # e.g. no trial ended before the deadline
        run("a", 0, "optuna", 0.90),
        run("a", 1, "optuna", 0.90),
    ]
    (v,) = sq.verdicts(sq.summarise_runs(runs), "tuneforge")
    assert (v.best, v.percent, v.within_noise) == ("optuna", math.inf, False)


class FakeResponse:
    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        self.status_code, self.body = status_code, body
        self.text = str(body)

    def json(self) -> dict[str, Any]:
        return self.body

    def raise_for_status(self) -> None:
        assert self.status_code < 400, self.status_code


class RefusesAuto:
    """An API that stores the upload and answers 422 to a job, as one without ``auto``."""

    url = "http://tuneforge.invalid"

    def __init__(self) -> None:
        self.http = self
        self.jobs: list[dict[str, Any]] = []

    def post(self, url: str, **kwargs: Any) -> FakeResponse:
        if url.endswith("/v1/datasets"):
            return FakeResponse(201, {"id": "ds_1"})
        self.jobs.append(kwargs["json"])
        return FakeResponse(422, {"detail": "unknown estimator 'auto'"})


def test_auto_is_skipped_with_a_note_while_the_service_refuses_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    frame = load_iris(as_frame=True).frame
    data = type("Data", (), {"X_train": frame.drop(columns="target")})()
    spec = type("Spec", (), {"scoring": "balanced_accuracy"})()
    split = sq.Split("iris", 1, frame, frame, "target", spec, data)  # type: ignore[arg-type]
    sq.REFUSED.clear()
    live = RefusesAuto()
    assert sq.tuneforge_wall(live, split, "auto", 7, "auto") is None  # type: ignore[arg-type]
    (job,) = live.jobs
    assert (job["estimator"], job["timeout_s"], job["random_state"], job["test_size"]) == (
        "auto",
        7,
        1,
        0,
    )
    assert job["n_trials"] >= 1000  # the budget, not the trial count, ends the search
    assert "422" in capsys.readouterr().out
    assert sq.tuneforge_wall(live, split, "auto", 7, "auto") is None  # type: ignore[arg-type]
    assert capsys.readouterr().out == ""  # said once a run


def test_flaml_is_skipped_with_a_note_without_xgboost(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    found = sq.importlib.util.find_spec
    monkeypatch.setattr(
        sq.importlib.util, "find_spec", lambda name: None if name == "xgboost" else found(name)
    )
    sq.REFUSED.clear()
    assert sq.flaml_wall(None, 10) is None  # type: ignore[arg-type]
    assert "missing: xgboost" in capsys.readouterr().out
