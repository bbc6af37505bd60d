"""A search spec as people write it in Python, made into the JSON the API reads.

What scikit-learn users write for ``GridSearchCV`` and ``RandomizedSearchCV`` is taken
with the meaning it has there:

- ``cv=5`` is five folds (``{"folds": 5}``);
- a list, a ``range`` or a numpy array of values is the values to try;
- a ``scipy.stats`` distribution is a range: ``randint(a, b)`` the integers ``a`` to
  ``b - 1`` (scipy's ``high`` is exclusive), ``uniform(loc, scale)`` the floats ``loc`` to
  ``loc + scale``, ``loguniform(a, b)`` the floats ``a`` to ``b`` on a log scale; the
  generator itself (``scipy.stats.uniform``) is its standard form;
- ``{"low": 1, "high": 30}`` is a range of the parameter's own type (the service reads it).

What has no single meaning is refused before anything is sent: a tuple (``(8, 64)`` reads
as two choices to scikit-learn and as a range to many people), another distribution, a
scikit-learn splitter. Every such mistake is collected, and one :class:`SpecError`
names each field.

Nothing here imports scipy, numpy or pandas: values are recognised by what they offer.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Mapping
from enum import Enum
from typing import Any

from tuneforge_client.models import WarmStart

from tuneforge.errors import SpecError
from tuneforge.ids import dataset_id, job_id

__all__ = ["plain", "spec_body"]

# How each distribution's arguments bind (scipy's own signatures); loc and scale move
# and stretch the standard form.
_SIGNATURES = {
    "randint": ("low", "high", ("loc", 0)),
    "uniform": (("loc", 0), ("scale", 1)),
    "loguniform": ("a", "b", ("loc", 0), ("scale", 1)),
    "reciprocal": ("a", "b", ("loc", 0), ("scale", 1)),  # scipy's older name for it
}
RANGE_HINT = 'use a list for choices or {"low": .., "high": ..} for a range'


def spec_body(spec: Any = None, fields: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON body of ``spec`` (a dict, a generated ``SearchSpec``, a job's echoed spec)
    with ``fields`` over it; raises :class:`SpecError` naming every field that cannot be
    sent as written."""
    raw: dict[str, Any] = {}
    if spec is not None:
        raw.update(spec.to_dict() if hasattr(spec, "to_dict") else spec)
    raw.update(fields or {})
    errors: dict[str, list[str]] = {}
    if "dataset_id" in raw:
        try:
            raw["dataset_id"] = dataset_id(raw["dataset_id"])
        except TypeError as exc:
            errors["dataset_id"] = [str(exc)]
    if "cv" in raw:
        raw["cv"] = _cv(raw["cv"], errors)
    if raw.get("param_space") is not None:
        raw["param_space"] = _space(raw["param_space"], errors)
    if raw.get("warm_start") is not None:
        raw["warm_start"] = _warm_start(raw["warm_start"], errors)
    if errors:
        raise SpecError(errors)
    return plain(raw)


def plain(value: Any) -> Any:
    """Generated models, enums, mappings, sequences and numpy values as plain JSON."""
    if hasattr(value, "to_dict"):
        return plain(value.to_dict())
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, range)):
        return [plain(item) for item in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return plain(value.tolist())  # a numpy array, or a numpy number (a Python one)
    return value


def _cv(value: Any, errors: dict[str, list[str]]) -> Any:
    if isinstance(value, (bool, str)):
        errors["cv"] = ["must be a number of folds (cv=5) or an object such as {'folds': 5}"]
    elif hasattr(value, "__index__"):  # an int, a numpy integer
        return {"folds": operator.index(value)}
    elif hasattr(value, "split") and not isinstance(value, Mapping):
        errors["cv"] = [
            f"a scikit-learn splitter ({type(value).__name__}) cannot be sent; write cv=5, or "
            "cv={'kind': 'kfold', 'folds': 5, 'shuffle': True} (kinds: kfold, stratified, "
            "group, timeseries, holdout)"
        ]
    return value


def _warm_start(value: Any, errors: dict[str, list[str]]) -> Any:
    """``warm_start=job``, ``[job, ...]`` (ids, Jobs, Results) or ``{"job_ids": [...]}``."""
    if isinstance(value, (Mapping, WarmStart)):
        return value  # the body as the API reads it: the service names what is wrong
    parents = [value] if not isinstance(value, (list, tuple)) else list(value)
    try:
        return {"job_ids": [job_id(parent) for parent in parents]}
    except TypeError as exc:
        errors["warm_start"] = [str(exc)]
        return value


def _space(space: Any, errors: dict[str, list[str]]) -> Any:
    if not isinstance(space, Mapping):
        return space  # the service names what is wrong with it
    out = {}
    for name, value in space.items():
        field = f"param_space.{name}"
        if isinstance(value, tuple):
            errors[field] = [f"a tuple {value!r} is ambiguous: {RANGE_HINT}"]
        elif _is_distribution(value):
            try:
                value = _distribution(value)
            except ValueError as exc:
                errors[field] = [str(exc)]
        out[name] = value
    return out


def _is_distribution(value: Any) -> bool:
    """A scipy.stats distribution, frozen (``randint(1, 10)``) or not (``uniform``)."""
    return callable(getattr(value, "rvs", None)) and not isinstance(value, (Mapping, type))


def _distribution(value: Any) -> dict[str, Any]:
    """The dimension a scipy.stats distribution samples from; ValueError if none fits."""
    generator = getattr(value, "dist", value)
    kind = str(getattr(generator, "name", type(value).__name__))
    if kind not in _SIGNATURES:
        raise ValueError(
            f"scipy.stats.{kind} cannot be searched: use randint, uniform or loguniform; "
            f"or {RANGE_HINT}"
        )
    args = _bind(kind, tuple(getattr(value, "args", ())), dict(getattr(value, "kwds", {})))
    if kind == "randint":
        return _randint(args)
    if kind == "uniform":
        return _uniform(args)
    return _loguniform(kind, args)


def _randint(args: dict[str, Any]) -> dict[str, Any]:
    """``randint(low, high, loc)`` draws ``low + loc`` to ``high + loc - 1``."""
    low, high, loc = (_whole("randint", args[k]) for k in ("low", "high", "loc"))
    return {"type": "int", "low": low + loc, "high": high + loc - 1}


def _uniform(args: dict[str, Any]) -> dict[str, Any]:
    """``uniform(loc, scale)`` draws ``loc`` to ``loc + scale``."""
    loc, scale = float(args["loc"]), float(args["scale"])
    return {"type": "float", "low": loc, "high": loc + scale}


def _loguniform(kind: str, args: dict[str, Any]) -> dict[str, Any]:
    """``loguniform(a, b, scale=s)`` draws ``a * s`` to ``b * s`` on a log scale; a ``loc``
    shifts it off the log scale, so none is taken."""
    if float(args["loc"]) != 0:
        raise ValueError(f"{kind} with loc={args['loc']} is not log-uniform; leave loc out")
    scale = float(args["scale"])
    low, high = float(args["a"]) * scale, float(args["b"]) * scale
    return {"type": "float", "low": low, "high": high, "log": True}


def _bind(kind: str, args: tuple[Any, ...], kwds: dict[str, Any]) -> dict[str, Any]:
    parameters = [
        inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        if isinstance(p, str)
        else inspect.Parameter(p[0], inspect.Parameter.POSITIONAL_OR_KEYWORD, default=p[1])
        for p in _SIGNATURES[kind]
    ]
    signature = inspect.Signature(parameters)
    try:
        bound = signature.bind(*args, **kwds)
    except TypeError as exc:
        raise ValueError(f"{kind}{signature} could not read its arguments: {exc}") from None
    bound.apply_defaults()
    return dict(bound.arguments)


def _whole(kind: str, value: Any) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise ValueError(f"{kind} takes whole numbers; got {value!r}") from None
