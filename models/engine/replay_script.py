"""A finished job's search as one standalone Python file a person can read and keep.

:func:`replay_script` writes the file: it reads the CSV as the service did (the recorded
:class:`~models.engine.reading.Reading`), drops the same columns, builds the same
preprocessing (:mod:`models.engine.preprocess`, written out as plain scikit-learn) and the
estimator with the best parameters as literals, the same held-out rows and folds
(:mod:`models.engine.splits`), and prints the cross-validation score on those folds as its
last line. ``--fit model.joblib`` fits on every training row, as the service's refit does,
and saves the model. The file imports pandas, numpy and scikit-learn (and LightGBM or XGBoost
for their estimators) only, never tuneforge: a test runs it on a job of every catalog
estimator and checks the score and the model.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import sklearn

from models.engine.auto import is_auto, split
from models.engine.catalog import CATALOG, CLASSIFICATION
from models.engine.numbers import THOUSANDS, _pattern
from models.engine.preprocess import (
    DROPPED,
    MAX_TOP_CATEGORIES,
    NUMERIC,
    ONE_HOT,
    ONE_HOT_TOP,
    ORDINAL,
)
from models.engine.reading import Reading
from models.engine.spec import SearchSpec

MEDIA_TYPE = "text/x-python"


@dataclass(frozen=True)
class ReplayJob:
    """What the script is written from: a finished job, its dataset and its best trial."""

    job_id: str
    dataset_id: str
    dataset_name: str
    spec: SearchSpec
    reading: Reading
    columns: list[dict[str, Any]]  # the result's columns: each one's treatment and reason
    best_params: dict[str, Any]
    best_score: float
    best_trial: int
    best_resource: int | None = None  # successive halving: the best trial's budget


def _literal(value: Any) -> str:
    """``value`` as Python source (full precision for floats)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)


def _names(names: list[str]) -> str:
    """A list of column names, one a line when long."""
    if len(names) <= 4:
        return _literal(list(names))
    return "[\n" + "".join(f"    {name!r},\n" for name in names) + "]"


def _quoted(value: Any) -> str:
    """``value`` as a literal that is safe inside the script's docstring: a name a client
    chose (a dataset's, a column's) cannot end the docstring and run as code."""
    return repr(value).replace('"', '\\"')


def _reading_section(reading: Reading, job: ReplayJob) -> str:
    numbers = {name: reading.decimal_of(name) for name in reading.numeric}
    lines = [
        "# How the service read the file (what it detected at upload).",
        f"SEPARATOR = {reading.sep!r}",
        f"ENCODING = {reading.encoding!r}",
        f"DECIMAL = {reading.decimal!r}",
        f'SKIP_FIRST_LINE = {reading.sep_line!r}  # Excel\'s "sep=" line',
        f"REMOVE_NUL_BYTES = {reading.strip_nul!r}",
        "# Columns left out at reading (no name and no values, or a written row index).",
        f"DROPPED_BY_READER = {_names(list(reading.dropped))}",
        "# Columns that hold numbers, with their decimal mark: where pandas reads one as text",
        "# (a thousands separator, an odd cell), its numbers are parsed and the rest missing.",
        f"NUMBER_COLUMNS = {_literal(numbers)}",
        "# The number patterns by decimal mark (thousands grouped by 3 digits only).",
        "NUMBER_PATTERNS = {",
        *(f"    {mark!r}: {_pattern(mark).pattern!r}," for mark in THOUSANDS),
        "}",
        "THOUSANDS_SEPARATORS = {",
        *(f"    {mark!r}: {'[' + re.escape(group) + ']'!r}," for mark, group in THOUSANDS.items()),
        "}",
        "",
        f"TARGET = {job.spec.target!r}",
        f"GROUP_COLUMN = {job.spec.cv.group_column!r}",
        f"EXCLUDED_COLUMNS = {_names(list(job.spec.exclude_columns))}  # by the job's spec",
    ]
    return "\n".join(lines)


def _treatments_section(columns: list[dict[str, Any]]) -> str:
    by = {t: [c["column"] for c in columns if c["treatment"] == t] for t in (NUMERIC, ONE_HOT)}
    by |= {t: [c["column"] for c in columns if c["treatment"] == t] for t in (ONE_HOT_TOP, ORDINAL)}
    lines = [
        "# What preprocessing does with each column (decided from the dataset's profile).",
        "# Numbers: median-imputed and standardised.",
        f"NUMERIC = {_names(by[NUMERIC])}",
        "# Few distinct values: a column for each (missing is a value of its own).",
        f"ONE_HOT = {_names(by[ONE_HOT])}",
        f"# Many values: a column for each of the {MAX_TOP_CATEGORIES} most frequent, one for"
        " the rest.",
        f"ONE_HOT_TOP = {_names(by[ONE_HOT_TOP])}",
        "# Many values, for a tree-based model: one integer code per value.",
        f"ORDINAL = {_names(by[ORDINAL])}",
        f"MAX_TOP_CATEGORIES = {MAX_TOP_CATEGORIES}",
    ]
    dropped = [c for c in columns if c["treatment"] == DROPPED]
    if dropped:
        lines.append("# Left out of the model:")
        lines += [f"#   {c['column']!r}: {c['reason']}" for c in dropped]
    return "\n".join(lines)


def _model_section(job: ReplayJob) -> tuple[str, str]:
    """The estimator's import and its settings' source."""
    spec = job.spec
    entry = CATALOG[spec.estimator]
    cls = entry.classes[spec.task]
    settings = dict(entry.fixed.get(spec.task, {}))
    if "random_state" in cls().get_params():
        settings["random_state"] = spec.random_state
    lines = [
        f"# {entry.title}: the catalog's fixed settings, then the best trial's parameters.",
        f"MODEL_SETTINGS = {_literal(settings)}",
        f"BEST_PARAMS = {_literal(job.best_params)}  # trial {job.best_trial}",
    ]
    halving = spec.halving
    if halving is not None and halving.resource != "n_samples":
        lines += [
            f"# Successive halving's budget: the best trial was scored with {job.best_resource}"
            f" {halving.resource},",
            "# the final model is fitted with the full budget.",
            f"CV_PARAMS = {{**BEST_PARAMS, {halving.resource!r}: {job.best_resource!r}}}",
            f"FIT_PARAMS = {{**BEST_PARAMS, {halving.resource!r}: {halving.max_resources!r}}}",
        ]
    else:
        lines += ["CV_PARAMS = FIT_PARAMS = BEST_PARAMS"]
    return _class_source(cls), "\n".join(lines)


def _class_source(cls: type) -> str:
    """The import of a library's estimator class; for one of ours (a thin subclass of a
    library's, see models.engine.boosters), its source after its base's import, since the
    script imports nothing of tuneforge."""
    if not cls.__module__.startswith("models."):
        return f"from {cls.__module__.split('._')[0]} import {cls.__name__}"
    (base,) = cls.__bases__
    return (
        f"from typing import Any\n\n{_class_source(base)}\n\n\n{inspect.getsource(cls).strip()}\n"
    )


def _hold_out_source(spec: SearchSpec) -> tuple[str, set[str]]:
    """``hold_out``'s body for the spec (models.engine.splits.hold_out) and its imports."""
    if spec.test_size <= 0:
        return "    return np.arange(len(X)), None  # no held-out test rows", set()
    size, seed = spec.test_size, spec.random_state
    if spec.cv.kind == "group":
        return (
            f"    splitter = GroupShuffleSplit(1, test_size={size!r}, random_state={seed!r})\n"
            "    return next(splitter.split(X, y, groups))",
            {"GroupShuffleSplit"},
        )
    if spec.cv.kind == "timeseries":
        return (
            "    rows = np.arange(len(X))\n"
            "    # the last rows\n"
            f"    return train_test_split(rows, test_size={size!r}, shuffle=False)",
            {"train_test_split"},
        )
    stratify = "y" if spec.task == CLASSIFICATION else "None"
    return (
        "    rows = np.arange(len(X))\n"
        f"    return train_test_split(rows, test_size={size!r}, random_state={seed!r}, "
        f"stratify={stratify})",
        {"train_test_split"},
    )


def _folds_source(spec: SearchSpec) -> tuple[str, set[str]]:
    """``make_folds``'s body (models.engine.splits.cv_splits) and its imports."""
    cv = spec.cv
    seed = cv.random_state if cv.shuffle else None
    if cv.kind == "stratified":
        made = f"StratifiedKFold({cv.folds}, shuffle={cv.shuffle!r}, random_state={seed!r})"
    elif cv.kind == "group":
        made = f"GroupKFold({cv.folds})"
    elif cv.kind == "timeseries":
        made = f"TimeSeriesSplit({cv.folds})"
    elif cv.kind == "holdout":
        size = cv.validation_size or 0.2
        kind = "StratifiedShuffleSplit" if spec.task == CLASSIFICATION else "ShuffleSplit"
        made = f"{kind}(1, test_size={size!r}, random_state={cv.random_state!r})"
    else:
        made = f"KFold({cv.folds}, shuffle={cv.shuffle!r}, random_state={seed!r})"
    return (
        f"    splitter = {made}\n    return list(splitter.split(X, y, groups))",
        {made.split("(")[0]},
    )


SUBSAMPLE = '''

def stratified_rows(rows, fraction, seed, labels):
    """``fraction`` of ``rows``, every class in proportion (at least one row each)."""
    y = labels.to_numpy()[rows]
    n = max(int(fraction * len(rows)), len(np.unique(y)))
    if n >= len(rows):
        return rows
    return resample(rows, replace=False, random_state=seed, n_samples=n, stratify=y)


def subsample(folds, fraction, seed, labels=None):
    """Each fold's rows cut to ``fraction``: the rows successive halving scored the best
    trial on (stratified for a classifier)."""
    if fraction >= 1:
        return folds
    if labels is not None:
        return [
            (
                stratified_rows(train, fraction, seed, labels),
                stratified_rows(test, fraction, seed, labels),
            )
            for train, test in folds
        ]
    return [
        (
            resample(train, replace=False, random_state=seed, n_samples=cut(train, fraction)),
            resample(test, replace=False, random_state=seed, n_samples=cut(test, fraction)),
        )
        for train, test in folds
    ]


def cut(rows, fraction):
    return max(1, int(fraction * len(rows)))
'''


def _subsample_call(job: ReplayJob) -> str:
    spec = job.spec
    if spec.halving is None or spec.halving.resource != "n_samples" or job.best_resource is None:
        return ""
    labels = "y_train" if spec.task == CLASSIFICATION else "None"
    return (
        f"    # Successive halving scored the best trial on {job.best_resource} of the training"
        " rows.\n"
        f"    folds = subsample(folds, {job.best_resource} / len(X_train), "
        f"{spec.random_state!r}, {labels})\n"
    )


TEMPLATE = '''#!/usr/bin/env python3
"""The search of tuneforge job {job_id}, as plain code.

Dataset {dataset_name} ({dataset_id});
target {target} ({task}); estimator {estimator}; {strategy} search.
The best trial ({best_trial}) scored {scoring} = {best_score!r} in cross-validation.
{unseeded}
Needs only pandas {pandas}, numpy {numpy} and scikit-learn {sklearn} (the versions the
service ran; joblib comes with scikit-learn). Other versions may score a little otherwise.

    python {job_id}.py data.csv
        prints the score of each fold, then their mean: the job's best CV score
    python {job_id}.py data.csv --fit model.joblib
        fits on every training row (as the service's refit) and saves the model
"""

import argparse
import io
import sys

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import get_scorer
from sklearn.model_selection import {splitters}, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)
{resample_import}{estimator_import}

VERSIONS = {{"pandas": "{pandas}", "numpy": "{numpy}", "scikit-learn": "{sklearn}"}}

{reading}

{treatments}

{model}
SCORING = {scoring!r}


def to_numbers(text, decimal):
    """Text cells as numbers, as the service reads them: a thousands separator only
    between groups of three digits, the same one throughout; anything else is missing."""
    cells = text.dropna().astype(str).str.strip()
    number = cells.str.fullmatch(NUMBER_PATTERNS[decimal]).fillna(False).astype(bool)
    clean = cells.where(number).str.replace(THOUSANDS_SEPARATORS[decimal], "", regex=True)
    if decimal != ".":
        clean = clean.str.replace(decimal, ".", regex=False)
    numbers = pd.to_numeric(clean.astype(object), errors="coerce")
    if len(numbers) == len(text) and numbers.notna().all():
        return numbers.to_numpy()  # whole numbers stay integers, as pandas reads them
    return numbers.reindex(text.index).to_numpy(dtype=float)


def read_table(path):
    """The CSV at ``path`` as the service read it."""
    with open(path, "rb") as source:
        if REMOVE_NUL_BYTES:
            source = io.BytesIO(source.read().replace(b"\\x00", b""))
        df = pd.read_csv(
            source,
            sep=SEPARATOR,
            encoding=ENCODING,
            decimal=DECIMAL,
            skiprows=1 if SKIP_FIRST_LINE else None,
            index_col=False,
            low_memory=False,
        )
    df = df.drop(columns=[name for name in DROPPED_BY_READER if name in df.columns])
    for name, decimal in NUMBER_COLUMNS.items():
        if name in df.columns and (
            pd.api.types.is_object_dtype(df[name]) or pd.api.types.is_string_dtype(df[name])
        ):
            df[name] = to_numbers(df[name], decimal)
    return df


def as_categories(encoder):
    """``encoder`` behind a cast to an object array (text the same at fit and predict)."""
    cast = FunctionTransformer(np.asarray, kw_args={{"dtype": "O"}}, feature_names_out="one-to-one")
    return Pipeline([("as_object", cast), ("encode", encoder)])


def make_pipeline(params):
    """Preprocessing and the estimator, with ``params``."""
    parts = []
    if NUMERIC:
        impute_scale = Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        )
        parts.append(("numeric", impute_scale, NUMERIC))
    if ONE_HOT:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        parts.append(("one_hot", as_categories(encoder), ONE_HOT))
    if ONE_HOT_TOP:
        encoder = OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            max_categories=MAX_TOP_CATEGORIES,
            sparse_output=False,
        )
        parts.append(("one_hot_top", as_categories(encoder), ONE_HOT_TOP))
    if ORDINAL:
        encoder = OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
        )
        parts.append(("ordinal", as_categories(encoder), ORDINAL))
    return Pipeline(
        [
            ("preprocess", ColumnTransformer(parts, remainder="drop")),
            ("model", {estimator_class}(**{{**MODEL_SETTINGS, **params}})),
        ]
    )


def hold_out(X, y, groups):
    """Row positions for training and for the held-out test set (None: no test set)."""
{hold_out}


def make_folds(X, y, groups):
    """The cross-validation folds of the training rows."""
{folds}
{subsample}

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="the CSV file the job was trained on")
    parser.add_argument("--fit", metavar="MODEL", help="fit on every training row, save here")
    args = parser.parse_args()
    for name, module in (("pandas", pd), ("numpy", np), ("scikit-learn", sklearn)):
        if module.__version__ != VERSIONS[name]:
            said = f"note: {{name}} {{module.__version__}} here, the job ran {{VERSIONS[name]}}"
            print(said, file=sys.stderr)

    table = read_table(args.data)
    table = table.loc[table[TARGET].notna()].reset_index(drop=True)  # rows with a target
    groups = table[GROUP_COLUMN] if GROUP_COLUMN else None
    left_out = [TARGET, *EXCLUDED_COLUMNS, *([GROUP_COLUMN] if GROUP_COLUMN else [])]
    X = table.drop(columns=list(dict.fromkeys(left_out)))
    y = table[TARGET]
    train, test = hold_out(X, y, groups)
    X_train, y_train = X.iloc[train], y.iloc[train]
    groups_train = groups.iloc[train] if groups is not None else None

    if args.fit:
        model = make_pipeline(FIT_PARAMS).fit(X_train, y_train)
        if test is not None:
            score = get_scorer(SCORING)(model, X.iloc[test], y.iloc[test])
            print(f"test {{SCORING}}: {{float(score)!r}}")
        joblib.dump(model, args.fit)
        print(f"saved the model fitted on {{len(X_train)}} rows to {{args.fit}}")
        return

    folds = make_folds(X_train, y_train, groups_train)
{subsample_call}    scores = cross_validate(
        make_pipeline(CV_PARAMS), X_train, y_train, cv=folds, scoring=SCORING, error_score="raise"
    )["test_score"]
    for number, score in enumerate(scores, start=1):
        print(f"fold {{number}} {{SCORING}}: {{float(score)!r}}")
    print(repr(float(np.average(scores))))


if __name__ == "__main__":
    main()
'''


def _unseeded(spec: SearchSpec) -> str:
    """A warning for a job without a seed, whose folds or model are drawn anew each run."""
    if spec.random_state is not None and (not spec.cv.shuffle or spec.cv.random_state is not None):
        return ""
    return (
        "\nThe job's random_state is null: its splits or its model are drawn at random on each\n"
        "run, so this file's scores and model differ from the job's and from run to run.\n"
    )


def replay_script(job: ReplayJob) -> str:
    """The job's search as a standalone Python file (see the module's docstring); an auto
    job's is its chosen family's: the best trial's pipeline, without the other families."""
    if is_auto(job.spec.estimator):
        family, params = split(job.best_params)
        job = replace(job, spec=replace(job.spec, estimator=family), best_params=params)
    spec = job.spec
    hold_out, hold_imports = _hold_out_source(spec)
    folds, fold_imports = _folds_source(spec)
    estimator_import, model = _model_section(job)
    subsample_call = _subsample_call(job)
    cls = CATALOG[spec.estimator].classes[spec.task]
    return TEMPLATE.format(
        job_id=job.job_id,
        dataset_id=job.dataset_id,
        dataset_name=_quoted(job.dataset_name),
        target=_quoted(spec.target),
        task=spec.task,
        estimator=spec.estimator,
        strategy=spec.strategy,
        best_trial=job.best_trial,
        scoring=spec.scoring,
        best_score=job.best_score,
        unseeded=_unseeded(spec),
        pandas=pd.__version__,
        numpy=np.__version__,
        sklearn=sklearn.__version__,
        splitters=", ".join(sorted(hold_imports | fold_imports)),
        resample_import="from sklearn.utils import resample\n" if subsample_call else "",
        estimator_import=estimator_import,
        reading=_reading_section(job.reading, job),
        treatments=_treatments_section(job.columns),
        model=model,
        estimator_class=cls.__name__,
        hold_out=hold_out,
        folds=folds,
        subsample=SUBSAMPLE if subsample_call else "",
        subsample_call=subsample_call,
    )
