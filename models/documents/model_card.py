"""A job's model card: what was trained, on what, how well, and what it is for.

:func:`model_card` builds it from what the job recorded (its spec, result and warnings),
its dataset's profile, and its best trial's fold scores: nothing is computed again.
``GET /v1/jobs/{id}/card`` answers it as JSON (:class:`ModelCardSchema` describes it) or
as Markdown (:func:`render_markdown`), for a person to read or keep beside the model file.
The intended use and limits are sentences written from those facts, not a template a
person fills in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import marshmallow as ma
from marshmallow import fields

from models.documents.data_warnings import DataWarningSchema
from models.documents.fields import params_field
from models.engine.preprocess import DROPPED, NUMERIC, ONE_HOT, ONE_HOT_TOP, ORDINAL

# How each kept treatment encodes its column, in words.
ENCODINGS = {
    ONE_HOT: "one-hot",
    ONE_HOT_TOP: "one-hot of the most frequent values, the rest sharing one column",
    ORDINAL: "one integer code per value",
}
# How missing values of a kept column are filled, by its treatment.
IMPUTATIONS = {
    NUMERIC: "the training rows' median",
    ONE_HOT: "a category of their own",
    ONE_HOT_TOP: "a category of their own",
    ORDINAL: "the code -1",
}
# The columns named in a sentence, at most.
NAMED_COLUMNS = 10
CV_WORDS = {
    "kfold": "k-fold",
    "stratified": "stratified k-fold",
    "group": "group k-fold",
    "timeseries": "time-series",
    "holdout": "hold-out",
}


def _kind(dtype: str | None, treatment: str) -> str | None:
    """numeric, categorical or text: what the column holds, as the preprocessing saw it."""
    if treatment == NUMERIC or dtype in ("integer", "float"):
        return "numeric"
    if treatment in ENCODINGS or dtype == "boolean":
        return "categorical"
    return "text" if dtype == "string" else None


def _column(
    name: str, treatment: str, reason: str, profile: dict[str, Any] | None, role: str
) -> dict[str, Any]:
    used = treatment not in (DROPPED, "target")
    dtype = profile.get("dtype") if profile else None
    n_missing = profile.get("n_missing") if profile else None
    return {
        "name": name,
        "role": role,
        "dtype": dtype,
        "kind": _kind(dtype, treatment),
        "n_missing": n_missing,
        "treatment": treatment,
        "used": used,
        "imputation": IMPUTATIONS.get(treatment) if used and n_missing else None,
        "scaled": treatment == NUMERIC,
        "encoding": ENCODINGS.get(treatment),
        "reason": reason,
    }


def _saved_versions(model: dict[str, Any]) -> dict[str, str]:
    named = {"scikit-learn": model.get("sklearn_version"), "joblib": model.get("joblib_version")}
    return {library: version for library, version in named.items() if version}


def _columns(
    job: Any, result: dict[str, Any], profiles: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    spec = job.spec
    rows = [
        _column(
            spec["target"],
            "target",
            "what the model predicts",
            profiles.get(spec["target"]),
            "target",
        )
    ]
    group = (spec.get("cv") or {}).get("group_column")
    if group:
        why = "the cross-validation's groups (rows that belong together), not a feature"
        rows.append(_column(group, DROPPED, why, profiles.get(group), "group"))
    for c in result.get("columns") or []:
        role = "excluded" if c["reason"] == "excluded by the spec" else "feature"
        rows.append(
            _column(c["column"], c["treatment"], c["reason"], profiles.get(c["column"]), role)
        )
    return rows


def _named(names: list[str]) -> str:
    shown = ", ".join(names[:NAMED_COLUMNS])
    return shown + (f" and {len(names) - NAMED_COLUMNS} more" if len(names) > NAMED_COLUMNS else "")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _use_and_limits(card: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The intended use and the limits, as sentences, from the card's facts."""
    data, ev, model = card["data"], card["evaluation"], card["model"]
    used = [c["name"] for c in card["columns"] if c["used"]]
    unused = [c["name"] for c in card["columns"] if c["role"] != "target" and not c["used"]]
    cv = ev["cv"]
    folds = (
        "a hold-out split"
        if cv["kind"] == "holdout"
        else f"{cv['folds']}-fold {CV_WORDS.get(cv['kind'], cv['kind'])} cross-validation"
    )
    use = [
        f"Predicts {model['target']} ({model['task']}) from {len(used)} column(s): {_named(used)}.",
        f"Trained on {data['n_train_rows']} rows of the table {data['dataset_name']!s} "
        f"({data['dataset_id']}); meant for rows like these: the same columns, the same kinds "
        "of values, from the same source.",
        f"Chosen among {card['search']['n_trials']} candidate(s) by {folds} on "
        f"{ev['scoring']}: {_fmt(ev['cv_score'])} ± {_fmt(ev['cv_std'])} over the folds.",
    ]
    limits = [
        "Not validated beyond this table's cross-validation"
        + (" and its held-out test rows" if data["n_test_rows"] else "")
        + ": rows from another source, period or population may score worse.",
    ]
    if data["n_test_rows"]:
        limits.append(
            f"The test score ({_fmt(ev['test_score'])} on {data['n_test_rows']} held-out rows) "
            "is the unbiased estimate; the cross-validation score chose this model among "
            "others, so it is slightly optimistic."
        )
    else:
        limits.append(
            "No rows were held out for a test: the only estimate is the cross-validation "
            "score, which also chose this model among others, so it is optimistic."
        )
    if unused:
        limits.append(f"Columns it does not use, whatever their values: {_named(unused)}.")
    if model.get("classes"):
        classes = ", ".join(str(c) for c in model["classes"][:NAMED_COLUMNS])
        limits.append(f"It predicts only the classes it saw in training: {classes}.")
    elif model["task"] == "regression":
        limits.append("Predictions for rows unlike the training rows are extrapolation.")
    if data["dropped_target_rows"]:
        limits.append(
            f"{data['dropped_target_rows']} row(s) without a target were left out of training."
        )
    leaks = [
        w.get("column") or w["message"]
        for w in card["warnings"]["job"]
        if w["code"] == "possible_leak"
    ]
    if leaks:
        limits.append(
            f"Possible leak: {_named(leaks)} predicts the target almost alone; a score this "
            "high may not hold where that value is not known in advance."
        )
    return use, limits


def model_card(
    job: Any,
    dataset: Any | None,
    best_fold_scores: list[float | None] | None,
    trial_seconds: float | None,
    duration_s: float | None,
) -> dict[str, Any]:
    """The card of ``job``, a job with a result; ``dataset`` is its dataset's row (``None``
    once deleted), ``best_fold_scores`` its best trial's, ``trial_seconds`` the time its
    trials spent fitting and scoring, ``duration_s`` its run's wall time."""
    spec, result = job.spec, job.result
    model = result.get("model") or {}
    profiles = {c["name"]: c for c in (dataset.columns if dataset is not None else [])}
    scoring = result["scoring"]
    best = (result.get("scores") or {}).get(scoring) or {}
    cv = spec.get("cv") or {}
    card: dict[str, Any] = {
        "job_id": job.id,
        "name": job.name,
        "model": {
            # an auto job's model is the family it chose
            "estimator": result.get("estimator") or spec["estimator"],
            "task": spec["task"],
            "target": spec["target"],
            "classes": model.get("classes"),
            "feature_columns": model.get("feature_columns") or [],
            "sha256": model.get("sha256"),
        },
        "data": {
            "dataset_id": job.dataset_id,
            "dataset_name": dataset.name if dataset is not None else job.dataset_name,
            "dataset_sha256": dataset.sha256 if dataset is not None else None,
            "n_rows": dataset.n_rows if dataset is not None else None,
            "n_columns": dataset.n_columns if dataset is not None else None,
            "n_train_rows": result["n_train_rows"],
            "n_test_rows": result["n_test_rows"],
            "dropped_target_rows": result["dropped_target_rows"],
        },
        "columns": _columns(job, result, profiles),
        "evaluation": {
            "scoring": scoring,
            "cv": {
                "kind": cv.get("kind"),
                "folds": cv.get("folds"),
                "shuffle": cv.get("shuffle"),
                "group_column": cv.get("group_column"),
            },
            "cv_score": result["best_score"],
            "cv_std": best.get("cv_std"),
            "fold_scores": best_fold_scores or [],
            "test_score": result.get("test_score"),
            "test_size": spec.get("test_size"),
            "scores": result.get("scores") or {},
        },
        "best_params": result["best_params"],
        "search": {
            "strategy": spec["strategy"],
            "best_trial": result["best_trial"],
            "n_trials": result["n_trials"],
            "n_failed_trials": result["n_failed_trials"],
            "n_pruned_trials": result["n_pruned_trials"],
            "stopped_reason": job.stopped_reason,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "duration_s": duration_s,
            "trial_seconds": None if trial_seconds is None else round(trial_seconds, 3),
        },
        # A model saved before every version was recorded has scikit-learn's and joblib's.
        "library_versions": model.get("versions") or _saved_versions(model),
        "warnings": {
            "data": list(dataset.warnings or []) if dataset is not None else [],
            "job": list(job.warnings or []),
        },
    }
    card["intended_use"], card["limitations"] = _use_and_limits(card)
    return card


# Markdown ------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _fmt(value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(head: list[str], rows: Iterable[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def render_markdown(card: dict[str, Any]) -> str:
    """The card as a Markdown page."""
    model, data, ev, search = card["model"], card["data"], card["evaluation"], card["search"]
    title = card["name"] or card["job_id"]
    out = [
        f"# Model card: {_cell(title)}",
        "",
        f"Job `{card['job_id']}`: {model['estimator']} for {model['task']} of "
        f"**{_cell(model['target'])}**.",
        "",
        "## Intended use",
        "",
        *[f"- {s}" for s in card["intended_use"]],
        "",
        "## Limitations",
        "",
        *[f"- {s}" for s in card["limitations"]],
        "",
        "## Data",
        "",
        *_table(
            [
                "dataset",
                "id",
                "rows",
                "columns",
                "training rows",
                "test rows",
                "rows without target",
            ],
            [
                [
                    data["dataset_name"],
                    data["dataset_id"],
                    data["n_rows"],
                    data["n_columns"],
                    data["n_train_rows"],
                    data["n_test_rows"],
                    data["dropped_target_rows"],
                ]
            ],
        ),
        "",
        "## Columns",
        "",
        *_table(
            [
                "column",
                "role",
                "kind",
                "missing",
                "treatment",
                "imputed with",
                "scaled",
                "encoding",
                "why",
            ],
            [
                [
                    c["name"],
                    c["role"],
                    c["kind"],
                    c["n_missing"],
                    c["treatment"],
                    c["imputation"],
                    c["scaled"],
                    c["encoding"],
                    c["reason"],
                ]
                for c in card["columns"]
            ],
        ),
        "",
        "## Evaluation",
        "",
        f"Scorer **{ev['scoring']}**, cross-validation {ev['cv']['kind']} with "
        f"{ev['cv']['folds']} fold(s): **{_fmt(ev['cv_score'])}** ± {_fmt(ev['cv_std'])} "
        f"(std over the folds); test score: **{_fmt(ev['test_score'])}**.",
        "",
        *_table(
            ["scorer", "cv", "cv std", "test"],
            [
                [name, s.get("cv"), s.get("cv_std"), s.get("test")]
                for name, s in ev["scores"].items()
            ],
        ),
        "",
        "Fold scores of the best trial: "
        + (", ".join(_fmt(s) for s in ev["fold_scores"]) or "not recorded")
        + ".",
        "",
        "## Best parameters",
        "",
        *_table(
            ["parameter", "value"], [[k, json.dumps(v)] for k, v in card["best_params"].items()]
        ),
        "",
        "## Search",
        "",
        f"{search['strategy']}: {search['n_trials']} trials run, {search['n_failed_trials']} "
        f"failed, {search['n_pruned_trials']} pruned; best trial #{search['best_trial']}; "
        f"stopped: {search['stopped_reason']}; "
        f"{_fmt(search['duration_s'])} s from start to end, "
        f"{_fmt(search['trial_seconds'])} s in trials.",
        "",
        "## Library versions",
        "",
        *_table(["library", "version"], sorted(card["library_versions"].items())),
        "",
        "## Warnings",
        "",
    ]
    warnings = [("data", w) for w in card["warnings"]["data"]] + [
        ("job", w) for w in card["warnings"]["job"]
    ]
    out += [f"- ({src}, {w['code']}) {w['message']}" for src, w in warnings] or ["None."]
    return "\n".join(out) + "\n"


# The published document --------------------------------------------------------------


class CardModelSchema(ma.Schema):
    estimator = fields.String(required=True)
    task = fields.String(required=True)
    target = fields.String(required=True)
    classes = fields.List(fields.Raw(), required=True, allow_none=True)
    feature_columns = fields.List(fields.String(), required=True)
    sha256 = fields.String(
        required=True, allow_none=True, metadata={"description": "the joblib file's"}
    )


class CardDataSchema(ma.Schema):
    dataset_id = fields.String(required=True)
    dataset_name = fields.String(required=True, allow_none=True)
    dataset_sha256 = fields.String(required=True, allow_none=True)
    n_rows = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null once the dataset is deleted"}
    )
    n_columns = fields.Integer(required=True, allow_none=True)
    n_train_rows = fields.Integer(required=True)
    n_test_rows = fields.Integer(required=True)
    dropped_target_rows = fields.Integer(required=True)


class CardColumnSchema(ma.Schema):
    name = fields.String(required=True)
    role = fields.String(
        required=True, metadata={"description": "target, feature, group or excluded"}
    )
    dtype = fields.String(required=True, allow_none=True)
    kind = fields.String(
        required=True, allow_none=True, metadata={"description": "numeric, categorical or text"}
    )
    n_missing = fields.Integer(required=True, allow_none=True)
    treatment = fields.String(required=True)
    used = fields.Boolean(required=True, metadata={"description": "whether the model reads it"})
    imputation = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "what missing values become (null: none missing, or not used)"},
    )
    scaled = fields.Boolean(required=True)
    encoding = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)


class CardCVSchema(ma.Schema):
    kind = fields.String(required=True, allow_none=True)
    folds = fields.Integer(required=True, allow_none=True)
    shuffle = fields.Boolean(required=True, allow_none=True)
    group_column = fields.String(required=True, allow_none=True)


class CardScoreSchema(ma.Schema):
    cv = fields.Float(allow_none=True)
    cv_std = fields.Float(allow_none=True)
    test = fields.Float(allow_none=True)


class CardEvaluationSchema(ma.Schema):
    scoring = fields.String(required=True)
    cv = fields.Nested(CardCVSchema, required=True)
    cv_score = fields.Float(
        required=True, metadata={"description": "the best trial's mean over the folds"}
    )
    cv_std = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "its standard deviation over the folds"},
    )
    fold_scores = fields.List(fields.Float(allow_none=True), required=True)
    test_score = fields.Float(required=True, allow_none=True)
    test_size = fields.Float(required=True, allow_none=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Nested(CardScoreSchema), required=True)


class CardSearchSchema(ma.Schema):
    strategy = fields.String(required=True)
    best_trial = fields.Integer(required=True)
    n_trials = fields.Integer(required=True)
    n_failed_trials = fields.Integer(required=True)
    n_pruned_trials = fields.Integer(required=True)
    stopped_reason = fields.String(required=True, allow_none=True)
    started_at = fields.DateTime(required=True, allow_none=True)
    finished_at = fields.DateTime(required=True, allow_none=True)
    duration_s = fields.Float(required=True, allow_none=True)
    trial_seconds = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "fitting and scoring, every trial together"},
    )


class CardWarningsSchema(ma.Schema):
    data = fields.List(
        fields.Nested(DataWarningSchema),
        required=True,
        metadata={"description": "what the reader guessed about the table"},
    )
    job = fields.List(
        fields.Nested(DataWarningSchema),
        required=True,
        metadata={"description": "what checking the spec against the data found (possible leaks)"},
    )


class ModelCardSchema(ma.Schema):
    """A job's model card (``Accept: text/markdown`` for the same as a Markdown page)."""

    job_id = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    model = fields.Nested(CardModelSchema, required=True)
    data = fields.Nested(CardDataSchema, required=True)
    columns = fields.List(fields.Nested(CardColumnSchema), required=True)
    evaluation = fields.Nested(CardEvaluationSchema, required=True)
    best_params = params_field(required=True)
    search = fields.Nested(CardSearchSchema, required=True)
    library_versions = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    warnings = fields.Nested(CardWarningsSchema, required=True)
    intended_use = fields.List(fields.String(), required=True)
    limitations = fields.List(fields.String(), required=True)
