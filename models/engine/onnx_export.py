"""The fitted pipeline as an ONNX graph, one named input per column, checked at export.

:func:`export_onnx` converts a job's whole pipeline (preprocessing included) with
skl2onnx and runs the graph in ONNX Runtime on held-back rows: a classifier's labels
must equal scikit-learn's, a regressor's values be within :data:`RTOL` / :data:`ATOL` of
them (ONNX computes in float32). Whatever fails, the conversion or the check, is not an
error: the export is then unavailable, with the reason.

The graph has one input per training column, named after it and shaped ``[rows, 1]``:
``tensor(double)`` for a number column (a missing value is NaN) and ``tensor(string)``
for a text or boolean one (booleans as ``"True"``/``"False"``; a missing value is ``""``
or any string the CSV reader reads as missing, such as ``"NA"``). :func:`onnx_inputs`
turns a DataFrame of raw rows into exactly that. Outputs: ``label`` (and for a
classifier ``probabilities`` or ``scores``, one column per class) or ``variable``.

The graph is made from a twin of the pipeline (the model and its files are untouched) in
which our preprocessing's parts are transformers of this module, with their own skl2onnx
shape calculators and converters:

- :class:`_Numbers` (median imputer and scaler): computed in double precision as
  scikit-learn does, then rounded to float32, the values scikit-learn's trees see;
  skl2onnx's own would impute and scale in float32, and a value on a tree's threshold
  (trees may split exactly at a training value) would go the other way;
- :class:`_Categories` (the cast to object and a one-hot or ordinal encoder): skl2onnx
  converts neither the cast (a ``FunctionTransformer`` of ``numpy.asarray``) nor missing
  values as a category, nor unseen values going to the infrequent column. Converted here
  with ONNX's ``LabelEncoder`` (text to code) and a comparison with the code range
  (one-hot); the mapping is built from the encoder's categories and checked against the
  encoder's own ``transform``.

Two skl2onnx 1.20 bugs are worked around: histogram gradient boosting's converter gives
a Python bool where onnx wants an int, and k nearest neighbours' distances come out
negated (``weights="distance"`` then weighs every neighbour alike).
"""

from __future__ import annotations

import copy
import math
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

# ONNX's and ONNX-ML's operator sets the graph uses: ONNX Runtime 1.15 and later run them.
TARGET_OPSET = {"": 18, "ai.onnx.ml": 3}
# A regressor's ONNX values against scikit-learn's: |onnx - sklearn| <= ATOL + RTOL*|sklearn|.
RTOL = 1e-4
ATOL = 1e-5
# At most this many held-back rows are checked (the first ones of the test split, or a
# fixed sample of the training rows).
CHECK_ROWS = 2000
CHECK_SEED = 0
DOUBLE, STRING = "double", "string"
# What pandas' CSV reader reads as a missing value (its default na_values): the same strings
# are missing in an ONNX text input. None of them can be a category, since the reader never
# leaves them in a column. A boolean column's values as the reader also accepts them.
NA_STRINGS = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)
BOOL_STRINGS = {True: ("True", "true", "TRUE"), False: ("False", "false", "FALSE")}


class OnnxUnavailable(Exception):
    """The pipeline cannot be converted, or the graph does not predict like it."""


@dataclass(frozen=True)
class OnnxExport:
    """An export's outcome: the serialised graph (``None`` when unavailable) and what the
    job's result records about it (``available``, then ``inputs`` and ``check``, or
    ``reason``)."""

    model: bytes | None
    info: dict[str, Any]
    seconds: float


def input_types(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Each column's ONNX input: its name and ``float`` (numbers) or ``string`` (the rest)."""
    return [
        {
            "name": str(name),
            "type": DOUBLE if _is_number(frame[name]) else STRING,
        }
        for name in frame.columns
    ]


def onnx_inputs(frame: pd.DataFrame, inputs: list[dict[str, str]]) -> dict[str, np.ndarray]:
    """``frame``'s rows as the graph's inputs: one ``[rows, 1]`` array per input column,
    float32 with NaN for missing, or strings with ``""`` for missing."""
    feeds = {}
    for spec in inputs:
        column = frame[spec["name"]]
        if spec["type"] == DOUBLE:
            values = pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()
            feeds[spec["name"]] = values.reshape(-1, 1)
        else:
            feeds[spec["name"]] = np.array(
                ["" if _missing(v) else str(v) for v in column], dtype=object
            ).reshape(-1, 1)
    return feeds


def check_rows(X_test: pd.DataFrame | None, X_train: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The held-back rows to check the graph on, and where they come from: the job's test
    rows (``test``), or without a test split a fixed sample of its training rows
    (``training_sample``)."""
    if X_test is not None and len(X_test):
        return X_test.iloc[:CHECK_ROWS], "test"
    n = min(CHECK_ROWS, len(X_train))
    return X_train.sample(n=n, random_state=CHECK_SEED), "training_sample"


def export_onnx(pipeline: Pipeline, rows: pd.DataFrame, source: str = "test") -> OnnxExport:
    """``pipeline`` as an ONNX graph checked on ``rows`` (held back from its fit), or why not.

    ``rows`` has the training columns; ``source`` says where the rows come from (see
    :func:`check_rows`). Never raises for a pipeline it cannot convert: the outcome is
    then unavailable with the reason.
    """
    started = time.perf_counter()
    inputs = input_types(rows)
    try:
        model = _convert(pipeline, inputs)
        check = _check(pipeline, model, rows, inputs)
        check["source"] = source
    except Exception as exc:  # any converter's or runtime's failure: the reason, not a crash
        reason = str(exc).strip()[:3000] if str(exc).strip() else type(exc).__name__
        info = {"available": False, "reason": _shorten(f"{type(exc).__name__}: {reason}")}
        if isinstance(exc, OnnxUnavailable):
            info["reason"] = _shorten(str(exc))
        return OnnxExport(None, info, time.perf_counter() - started)
    info = {"available": True, "inputs": inputs, "check": check, "opset": dict(TARGET_OPSET)}
    return OnnxExport(model, info | {"versions": _versions()}, time.perf_counter() - started)


def _versions() -> dict[str, str]:
    """What converted the graph and what checked it."""
    import onnx
    import onnxruntime
    import skl2onnx

    return {
        "skl2onnx": skl2onnx.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
    }


def _shorten(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


# The conversion -------------------------------------------------------------------------


def _convert(pipeline: Pipeline, inputs: list[dict[str, str]]) -> bytes:
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import DoubleTensorType, StringTensorType

    _register()
    twin = _twin(pipeline)
    initial = [
        (
            spec["name"],
            DoubleTensorType([None, 1]) if spec["type"] == DOUBLE else StringTensorType([None, 1]),
        )
        for spec in inputs
    ]
    model = pipeline.steps[-1][1]
    # Probabilities (or scores) as one tensor, not ZipMap's list of dicts.
    options = {id(model): {"zipmap": False}} if is_classifier(model) else None
    with warnings.catch_warnings():  # converters read deprecated attributes (SVC's probA_)
        warnings.simplefilter("ignore")
        onx = to_onnx(twin, initial_types=initial, target_opset=TARGET_OPSET, options=options)
    _name_inputs(onx, [spec["name"] for spec in inputs])
    return onx.SerializeToString()


def _name_inputs(onx: Any, names: list[str]) -> None:
    """Give the graph's inputs the columns' own names: skl2onnx makes each a word
    (``petal length (cm)`` → ``petal_length__cm_``), keeping their order. A value inside
    the graph already called like a column (an output ``label`` beside a column
    ``label``) gets underscores appended."""
    graph = onx.graph
    if len(graph.input) != len(names):
        raise OnnxUnavailable(f"the graph has {len(graph.input)} inputs for {len(names)} columns")
    renamed = {i.name: name for i, name in zip(graph.input, names, strict=True) if i.name != name}
    if not renamed:
        return
    used = set(_all_names(graph)) | set(names)
    inputs = {i.name for i in graph.input}
    for name in set(renamed.values()) & (set(_all_names(graph)) - inputs):
        new = name + "_"
        while new in used:
            new += "_"
        used.add(new)
        renamed[name] = new
    _rename(graph, renamed)


def _all_names(graph: Any) -> Iterator[str]:
    """Every value name in ``graph`` and its subgraphs (a Scan's body)."""
    for value in (*graph.input, *graph.output, *graph.value_info, *graph.initializer):
        yield value.name
    for node in graph.node:
        yield from node.input
        yield from node.output
        for subgraph in _subgraphs(node):
            yield from _all_names(subgraph)


def _rename(graph: Any, renamed: dict[str, str]) -> None:
    """Rename values in ``graph`` and its subgraphs, all at once (a swap stays a swap)."""
    for value in (*graph.input, *graph.output, *graph.value_info, *graph.initializer):
        value.name = renamed.get(value.name, value.name)
    for node in graph.node:
        node.input[:] = [renamed.get(name, name) for name in node.input]
        node.output[:] = [renamed.get(name, name) for name in node.output]
        for subgraph in _subgraphs(node):
            _rename(subgraph, renamed)


def _subgraphs(node: Any) -> Iterator[Any]:
    for attribute in node.attribute:
        if attribute.HasField("g"):
            yield attribute.g
        yield from attribute.graphs


def _check(
    pipeline: Pipeline, model: bytes, rows: pd.DataFrame, inputs: list[dict[str, str]]
) -> dict[str, Any]:
    """Run the graph on ``rows``; compare with ``pipeline.predict``; raise when they differ."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}
    expected = {spec["name"] for spec in inputs}
    if names != expected:
        raise OnnxUnavailable(
            f"the graph's inputs {sorted(names)} are not the columns {sorted(expected)}"
        )
    feeds = onnx_inputs(rows, inputs)
    got = session.run([session.get_outputs()[0].name], feeds)[0]
    want = pipeline.predict(rows)
    got = np.asarray(got).reshape(len(rows), -1)[:, 0] if np.ndim(got) > 1 else np.asarray(got)
    check: dict[str, Any] = {"rows": len(rows)}
    if is_classifier(pipeline.steps[-1][1]):
        want_labels = np.asarray(want)
        equal = np.array([_same_label(a, b) for a, b in zip(got, want_labels, strict=True)])
        n_diff = int((~equal).sum())
        check |= {"labels_equal": n_diff == 0, "passed": n_diff == 0}
        if n_diff:
            raise OnnxUnavailable(
                f"ONNX Runtime's labels differ from scikit-learn's on {n_diff} of "
                f"{len(rows)} held-back rows"
            )
        return check
    got = got.astype(np.float64)
    want = np.asarray(want, dtype=np.float64)
    diff = np.abs(got - want)
    max_abs = float(diff.max()) if len(diff) else 0.0
    within = bool(np.all(diff <= ATOL + RTOL * np.abs(want)))
    check |= {
        "max_abs_diff": max_abs,
        "tolerance": {"rtol": RTOL, "atol": ATOL},
        "passed": within,
    }
    if not within:
        raise OnnxUnavailable(
            f"ONNX Runtime's values differ from scikit-learn's beyond the tolerance "
            f"(rtol {RTOL:g}, atol {ATOL:g}) on held-back rows: at most {max_abs:.3g} apart"
        )
    return check


def _same_label(onnx_label: Any, label: Any) -> bool:
    if isinstance(onnx_label, bytes):
        onnx_label = onnx_label.decode()
    if isinstance(onnx_label, str) or isinstance(label, str):
        return str(onnx_label) == str(label)
    return bool(onnx_label == label)


# The pipeline's twin: our text parts as converter-ready transformers ----------------------


def _twin(pipeline: Pipeline) -> Pipeline:
    """``pipeline`` with each text part of its ColumnTransformer (the cast to object and
    an encoder) replaced by a :class:`_Categories` over the same fitted encoder."""
    steps = []
    for name, step in pipeline.steps:
        if isinstance(step, ColumnTransformer):
            twin = copy.copy(step)
            twin.transformers_ = [
                (part, _twin_part(transformer), columns)
                for part, transformer, columns in step.transformers_
            ]
            step = twin
        steps.append((name, step))
    return Pipeline(steps)


def _twin_part(transformer: Any) -> Any:
    if _is_text_part(transformer):
        return _Categories(_encoder(transformer))
    if _is_number_part(transformer):
        return _Numbers(*(step for _, step in transformer.steps))
    return transformer  # skl2onnx's own converter, if it has one


def _is_number_part(transformer: Any) -> bool:
    if not isinstance(transformer, Pipeline) or len(transformer.steps) != 2:
        return False
    impute, scale = (step for _, step in transformer.steps)
    return (
        isinstance(impute, SimpleImputer)
        and impute.strategy in ("median", "mean")
        and not impute.add_indicator
        and isinstance(scale, StandardScaler)
    )


def _is_text_part(transformer: Any) -> bool:
    return (
        isinstance(transformer, Pipeline)
        and len(transformer.steps) == 2
        and _is_object_cast(transformer.steps[0][1])
        and isinstance(transformer.steps[1][1], OneHotEncoder | OrdinalEncoder)
    )


def _is_object_cast(step: Any) -> bool:
    return (
        isinstance(step, FunctionTransformer)
        and step.func is np.asarray
        and (step.kw_args or {}).get("dtype") in ("O", object)
    )


def _encoder(part: Pipeline) -> OneHotEncoder | OrdinalEncoder:
    return part.steps[1][1]


class _Numbers(BaseEstimator, TransformerMixin):
    """A fitted median (or mean) imputer and standard scaler of number columns, for
    conversion only: computed in double precision as scikit-learn does, then rounded to
    float32, which is what scikit-learn's trees round their input to."""

    def __init__(self, impute: SimpleImputer, scale: StandardScaler) -> None:
        self.impute = impute
        self.scale = scale
        statistics = np.asarray(impute.statistics_, dtype=np.float64)
        # SimpleImputer leaves out a column that was all missing at fit
        self.kept = [i for i, value in enumerate(statistics) if not math.isnan(value)]
        self.statistics = statistics[self.kept]
        n = len(self.kept)
        self.mean = np.zeros(n) if scale.mean_ is None else np.asarray(scale.mean_, np.float64)
        self.scale_by = np.ones(n) if scale.scale_ is None else np.asarray(scale.scale_, np.float64)
        if len(self.mean) != n or len(self.scale_by) != n:
            raise OnnxUnavailable("the scaler's columns are not the imputer's")

    def transform(self, X: Any) -> np.ndarray:  # pragma: no cover - conversion only
        return self.scale.transform(self.impute.transform(X))

    @property
    def n_outputs(self) -> int:
        return len(self.kept)


class _Categories(BaseEstimator, TransformerMixin):
    """A fitted one-hot or ordinal encoder of text columns, for conversion only.

    ``codes`` holds, per input column, the strings it knows and each one's code; unknown
    strings get ``default``. A one-hot encoder's codes are output columns of the column's
    block (``widths``), -1 for none; an ordinal encoder's are its values.
    """

    def __init__(self, encoder: OneHotEncoder | OrdinalEncoder) -> None:
        self.encoder = encoder
        self.one_hot = isinstance(encoder, OneHotEncoder)
        self.codes, self.defaults, self.widths = _mapping(encoder)

    def transform(self, X: Any) -> np.ndarray:  # pragma: no cover - conversion only
        return self.encoder.transform(np.asarray(X, dtype="O"))

    @property
    def n_outputs(self) -> int:
        return sum(self.widths)


def _mapping(
    encoder: OneHotEncoder | OrdinalEncoder,
) -> tuple[list[dict[str, float]], list[float], list[int]]:
    """Per column: {string: code}, the code of an unknown string, the output width.

    Built from the encoder's documented attributes (``categories_``,
    ``infrequent_categories_``, ``handle_unknown``, ``unknown_value``,
    ``encoded_missing_value``), then checked against its ``transform``.
    """
    one_hot = isinstance(encoder, OneHotEncoder)
    if one_hot and getattr(encoder, "drop_idx_", None) is not None:
        raise OnnxUnavailable("a one-hot encoder that drops a category is not converted")
    infrequent = getattr(encoder, "infrequent_categories_", None) or [None] * len(
        encoder.categories_
    )
    codes, defaults, widths = [], [], []
    for categories, rare in zip(encoder.categories_, infrequent, strict=True):
        rare = [] if rare is None else list(rare)
        rare_set = {_key(c) for c in rare}
        mapping: dict[str, float] = {}
        if one_hot:
            kept = [c for c in categories if _key(c) not in rare_set]
            width = len(kept) + (1 if rare else 0)
            slot = {_key(c): float(i) for i, c in enumerate(kept)}
            for c in rare:
                slot[_key(c)] = float(len(kept))
            unknown = float(len(kept)) if rare and encoder.handle_unknown != "ignore" else -1.0
            values = [(c, slot[_key(c)]) for c in categories]
        else:
            width = 1
            unknown = (
                float(encoder.unknown_value)
                if encoder.handle_unknown == "use_encoded_value"
                else math.nan
            )
            missing_code = float(encoder.encoded_missing_value)
            values = [
                (c, missing_code if _missing(c) else float(i)) for i, c in enumerate(categories)
            ]
        for category, code in values:
            for text in _strings(category):
                mapping.setdefault(text, code)
        # A value never seen at fit: a missing one is then unknown too, like in scikit-learn.
        for text in NA_STRINGS:
            mapping.setdefault(text, unknown)
        codes.append(mapping)
        defaults.append(unknown)
        widths.append(width)
    _verify(encoder, one_hot, codes, defaults, widths)
    return codes, defaults, widths


def _key(category: Any) -> Any:
    return "\x00missing" if _missing(category) else category


def _strings(category: Any) -> tuple[str, ...]:
    """The strings an ONNX input holds for ``category``: the missing value's spellings, a
    boolean's, or its text."""
    if _missing(category):
        return NA_STRINGS
    if isinstance(category, bool | np.bool_):
        return BOOL_STRINGS[bool(category)]
    return (str(category),)


def _verify(
    encoder: OneHotEncoder | OrdinalEncoder,
    one_hot: bool,
    codes: list[dict[str, float]],
    defaults: list[float],
    widths: list[int],
) -> None:
    """The mapping gives what ``encoder.transform`` gives for every category, a missing
    value and an unknown value of each column (the others held at their first category)."""
    n = len(encoder.categories_)
    base = [categories[0] for categories in encoder.categories_]
    unknown = "\x00unknown"
    offsets = np.cumsum([0, *widths])
    for j, categories in enumerate(encoder.categories_):
        values = [*categories, math.nan, unknown]
        X = np.array([base] * len(values), dtype=object).reshape(len(values), n)
        X[:, j] = np.array(values, dtype=object)
        try:
            want = np.asarray(encoder.transform(X), dtype=np.float64)
        except Exception:
            continue  # handle_unknown="error": scikit-learn refuses, any answer will do
        for row, value in enumerate(values):
            text = "" if _missing(value) else _strings(value)[0]
            code = codes[j].get(text, defaults[j])
            if one_hot:
                block = np.zeros(widths[j])
                if code >= 0:
                    block[int(code)] = 1.0
                got = want[row, offsets[j] : offsets[j + 1]]
                ok = np.array_equal(block, got)
            else:
                ok = (math.isnan(code) and math.isnan(want[row, j])) or code == want[row, j]
            if not ok:
                raise OnnxUnavailable(
                    f"the encoder of text column {j} maps {value!r} in a way the export "
                    "does not reproduce"
                )


# skl2onnx: the shape calculator and converter of _Categories ------------------------------

_registered = False


def _register() -> None:
    global _registered
    if _registered:
        return
    from skl2onnx import update_registered_converter
    from skl2onnx.common._registration import get_converter, register_converter

    update_registered_converter(
        _Categories,
        "TuneforgeCategories",
        _float_outputs_shape,
        _convert_categories,
        parser=_float_output_parser,
    )
    update_registered_converter(
        _Numbers,
        "TuneforgeNumbers",
        _float_outputs_shape,
        _convert_numbers,
        parser=_float_output_parser,
    )
    # skl2onnx 1.20 gives a histogram gradient boosting leaf's missing-value flag as a
    # Python bool, which onnx 1.18+ refuses in an integer list: the same converter, with
    # such flags as 0 and 1.
    for alias in ("SklearnHistGradientBoostingClassifier", "SklearnHistGradientBoostingRegressor"):
        registered = get_converter(alias)
        register_converter(
            alias,
            _with_int_flags(registered._fct),
            overwrite=True,
            options=registered.get_allowed_options(),
        )
    _register_boosters()
    _fix_neighbour_distances()
    _registered = True


def _register_boosters() -> None:
    """LightGBM's and XGBoost's estimators, with onnxmltools' converters (which skl2onnx
    does not know by itself). Where one cannot do a model (an objective it lacks), the
    conversion fails and the export is unavailable with the reason."""
    from lightgbm import LGBMClassifier, LGBMRegressor
    from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
    from onnxmltools.convert.xgboost.operator_converters.XGBoost import convert_xgboost
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )
    from xgboost import XGBRegressor

    from models.engine.boosters import XGBLabelClassifier

    classifier_options = {"nocl": [True, False], "zipmap": [True, False, "columns"]}
    for cls, alias, shapes, convert, options in (
        (
            LGBMClassifier,
            "LightGbmLGBMClassifier",
            calculate_linear_classifier_output_shapes,
            convert_lightgbm,
            classifier_options,
        ),
        (
            LGBMRegressor,
            "LightGbmLGBMRegressor",
            calculate_linear_regressor_output_shapes,
            convert_lightgbm,
            {"split": None},
        ),
        (
            XGBLabelClassifier,
            "TuneforgeXGBLabelClassifier",
            calculate_linear_classifier_output_shapes,
            convert_xgboost,
            classifier_options,
        ),
        (
            XGBRegressor,
            "XGBoostXGBRegressor",
            calculate_linear_regressor_output_shapes,
            convert_xgboost,
            None,
        ),
    ):
        update_registered_converter(cls, alias, shapes, convert, options=options)


def _fix_neighbour_distances() -> None:
    """skl2onnx 1.20 gives k nearest neighbours' distances negated (it negates TopK's
    smallest distances, as it had to when TopK only took the largest), so weights
    ``distance`` weighs every neighbour alike: its helper, with the sign put back.
    Only for the versions known to have it; the check at export would catch any other."""
    import skl2onnx
    from skl2onnx.algebra.onnx_ops import OnnxMul
    from skl2onnx.operator_converters import nearest_neighbours

    if skl2onnx.__version__ != "1.20.0":
        return
    negated = nearest_neighbours.onnx_nearest_neighbors_indices_k

    def indices_k(*args: Any, keep_distances: bool = False, **kwargs: Any) -> Any:
        found = negated(*args, keep_distances=keep_distances, **kwargs)
        if not keep_distances:
            return found
        indices, distances = found
        minus = np.array([-1], dtype=kwargs.get("dtype") or np.float32)
        return indices, OnnxMul(distances, minus, op_version=kwargs.get("op_version"))

    nearest_neighbours.onnx_nearest_neighbors_indices_k = indices_k


def _with_int_flags(convert: Any) -> Any:
    def converter(scope: Any, operator: Any, container: Any) -> Any:
        return convert(scope, operator, _IntFlags(container))

    return converter


class _IntFlags:
    """A converter's container whose nodes get Python bools in list attributes as ints."""

    def __init__(self, container: Any) -> None:
        self._container = container

    def __getattr__(self, name: str) -> Any:
        return getattr(self._container, name)

    def add_node(self, *args: Any, **attrs: Any) -> Any:
        for key, value in attrs.items():
            if isinstance(value, list) and any(isinstance(v, bool) for v in value):
                attrs[key] = [int(v) if isinstance(v, bool) else v for v in value]
        return self._container.add_node(*args, **attrs)


def _float_output_parser(
    scope: Any, model: Any, inputs: list[Any], custom_parsers: Any = None
) -> list[Any]:
    """One operator whose output is float from the start (skl2onnx would otherwise guess
    the input's type, double for numbers, and type everything after it so)."""
    from skl2onnx._parse import _get_sklearn_operator_name
    from skl2onnx.common.data_types import FloatTensorType

    operator = scope.declare_local_operator(_get_sklearn_operator_name(type(model)), model)
    operator.inputs = inputs
    operator.outputs.append(scope.declare_local_variable("variable", FloatTensorType()))
    return operator.outputs


def _float_outputs_shape(operator: Any) -> None:
    """Our preprocessing steps' output: float32, one column per output of the step."""
    from skl2onnx.common.data_types import FloatTensorType

    rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = FloatTensorType([rows, operator.raw_operator.n_outputs])


def _convert_numbers(scope: Any, operator: Any, container: Any) -> None:
    from onnx import TensorProto

    op: _Numbers = operator.raw_operator
    x = operator.inputs[0].full_name
    if operator.inputs[0].type.__class__.__name__ != "DoubleTensorType":
        raise OnnxUnavailable("number columns must be double inputs")

    def constant(stem: str, values: np.ndarray) -> str:
        name = scope.get_unique_variable_name(stem)
        container.add_initializer(name, TensorProto.DOUBLE, [1, len(values)], values.tolist())
        return name

    def node(op_type: str, inputs: list[str], **attrs: Any) -> str:
        out = scope.get_unique_variable_name(op_type.lower())
        container.add_node(
            op_type, inputs, out, name=scope.get_unique_operator_name(op_type), **attrs
        )
        return out

    if len(op.kept) < len(op.impute.statistics_):
        index = scope.get_unique_variable_name("kept")
        container.add_initializer(index, TensorProto.INT64, [len(op.kept)], op.kept)
        x = node("Gather", [x, index], axis=1)
    filled = node("Where", [node("IsNaN", [x]), constant("statistics", op.statistics), x])
    scaled = node(
        "Div", [node("Sub", [filled, constant("mean", op.mean)]), constant("scale", op.scale_by)]
    )
    container.add_node(
        "Cast",
        scaled,
        operator.outputs[0].full_name,
        to=TensorProto.FLOAT,
        name=scope.get_unique_operator_name("Cast"),
    )


def _convert_categories(scope: Any, operator: Any, container: Any) -> None:
    from onnx import TensorProto

    op: _Categories = operator.raw_operator
    # The ColumnTransformer's parser concatenates several string columns into one input.
    source = operator.inputs[0].full_name
    parts = []
    for j, (mapping, default, width) in enumerate(
        zip(op.codes, op.defaults, op.widths, strict=True)
    ):
        index = scope.get_unique_variable_name("column_index")
        container.add_initializer(index, TensorProto.INT64, [1], [j])
        column = scope.get_unique_variable_name("text_column")
        container.add_node(
            "Gather", [source, index], column, axis=1, name=scope.get_unique_operator_name("Gather")
        )
        keys = list(mapping)
        code = scope.get_unique_variable_name("code")
        if op.one_hot:
            container.add_node(
                "LabelEncoder",
                column,
                code,
                op_domain="ai.onnx.ml",
                op_version=2,
                name=scope.get_unique_operator_name("LabelEncoder"),
                keys_strings=[k.encode("utf-8") for k in keys],
                values_int64s=[int(mapping[k]) for k in keys],
                default_int64=int(default),
            )
            slots = scope.get_unique_variable_name("slots")
            container.add_initializer(slots, TensorProto.INT64, [1, width], list(range(width)))
            hot = scope.get_unique_variable_name("hot")
            container.add_node(
                "Equal", [code, slots], hot, name=scope.get_unique_operator_name("Equal")
            )
            block = scope.get_unique_variable_name("one_hot")
            container.add_node(
                "Cast",
                hot,
                block,
                to=TensorProto.FLOAT,
                name=scope.get_unique_operator_name("Cast"),
            )
        else:
            block = code
            container.add_node(
                "LabelEncoder",
                column,
                code,
                op_domain="ai.onnx.ml",
                op_version=2,
                name=scope.get_unique_operator_name("LabelEncoder"),
                keys_strings=[k.encode("utf-8") for k in keys],
                values_floats=[mapping[k] for k in keys],
                default_float=default,
            )
        parts.append(block)
    if len(parts) == 1:
        container.add_node(
            "Identity",
            parts[0],
            operator.outputs[0].full_name,
            name=scope.get_unique_operator_name("Identity"),
        )
    else:
        container.add_node(
            "Concat",
            parts,
            operator.outputs[0].full_name,
            axis=1,
            name=scope.get_unique_operator_name("Concat"),
        )
