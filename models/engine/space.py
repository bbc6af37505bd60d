"""Parameter spaces: parse and check them, then expand to a grid or draw samples.

A space maps an estimator parameter to a dimension::

    {"type": "int", "low": 1, "high": 50, "log": true}
    {"type": "float", "low": 1e-4, "high": 1e4, "log": true}
    {"type": "categorical", "choices": [4, 8, null]}
    [4, 8, null]                      # shorthand for categorical, as grids are written
    {"low": 1, "high": 50}            # a range of the parameter's own type (int here)

A dimension may apply only when other (categorical) parameters take certain values::

    "degree": {"type": "int", "low": 2, "high": 5, "when": {"kernel": ["poly"]}}

An inactive parameter is left out of the candidate (the estimator keeps its default).
Every bound and value is checked against the catalog's :class:`~models.engine.catalog.Param`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.engine.catalog import Param
from models.engine.spec_errors import SpecErrors
from models.exceptions import SpecError

MAX_GRID_INT_VALUES = 1000
DIMENSION_TYPES = ("int", "float", "categorical")


@dataclass(frozen=True)
class Dimension:
    """One parameter's range of candidate values."""

    name: str
    type: str  # int | float | categorical
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    when: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        if self.type == "categorical":
            out: dict[str, Any] = {"type": "categorical", "choices": list(self.choices)}
        else:
            out = {"type": self.type, "low": self.low, "high": self.high, "log": self.log}
        if self.when:
            out["when"] = {parent: list(values) for parent, values in self.when}
        return out

    def active(self, candidate: dict[str, Any]) -> bool:
        """Whether this parameter applies, given the values chosen for its parents."""
        return all(
            parent in candidate and _member(candidate[parent], allowed)
            for parent, allowed in self.when
        )

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is one this dimension can take (``1`` is not ``True``)."""
        if self.type == "categorical":
            return _member(value, self.choices)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.type == "int" and not isinstance(value, int):
            return False
        return math.isfinite(value) and self.low <= value <= self.high

    @property
    def discrete_values(self) -> list[Any] | None:
        """Every value, for categorical and int dimensions; ``None`` for floats."""
        if self.type == "categorical":
            return list(self.choices)
        if self.type == "int":
            return list(range(int(self.low), int(self.high) + 1))
        return None

    def sample(self, rng: np.random.Generator) -> Any:
        """One value drawn uniformly (log-uniformly when ``log``)."""
        if self.type == "categorical":
            return self.choices[int(rng.integers(len(self.choices)))]
        if self.type == "float":
            if self.log:
                return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))
            return float(rng.uniform(self.low, self.high))
        low, high = int(self.low), int(self.high)
        if self.log:
            value = math.exp(rng.uniform(math.log(low), math.log(high + 1)))
            return min(high, max(low, math.floor(value)))
        return int(rng.integers(low, high + 1))


def _member(value: Any, values: tuple[Any, ...]) -> bool:
    """``value in values``, but ``1`` is not ``True`` (JSON keeps them apart)."""
    return any(value == v and type(value) is type(v) for v in values)


def _fail(field: str, message: str) -> SpecError:
    return SpecError(message, field=f"param_space.{field}")


def parse_dimension(name: str, raw: Any, param: Param) -> Dimension:
    """Check one dimension of a user's space against the catalog parameter."""
    if isinstance(raw, list):
        raw = {"type": "categorical", "choices": raw}
    if not isinstance(raw, dict):
        raise _fail(name, "must be a list of values or an object with a 'type'")
    if "type" not in raw and ("low" in raw or "high" in raw):
        raw = {**raw, "type": _range_type(name, param)}
    when = _parse_when(name, raw.get("when"))
    raw = {k: v for k, v in raw.items() if k != "when"}
    dim = _parse_range(name, raw, param)
    return Dimension(dim.name, dim.type, dim.low, dim.high, dim.log, dim.choices, when)


def _range_type(name: str, param: Param) -> str:
    """The type of a range written without one (``{"low": 1, "high": 30}``): the
    parameter's own, as the catalog gives it."""
    if param.kind not in ("int", "float"):
        raise _fail(name, f"this parameter takes {param.kind} values, not a range; give a list")
    return param.kind


def _parse_when(name: str, raw: Any) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise _fail(name, "'when' must map parameter names to lists of values")
    out = []
    for parent, values in sorted(raw.items()):
        if not isinstance(values, list) or not values:
            raise _fail(name, f"'when.{parent}' must be a non-empty list of values")
        out.append((parent, tuple(values)))
    return tuple(out)


def _parse_range(name: str, raw: dict[str, Any], param: Param) -> Dimension:
    kind = raw.get("type")
    if kind == "categorical":
        extra = set(raw) - {"type", "choices"}
        if extra:
            raise _fail(name, f"unknown keys {sorted(extra)}")
        choices = raw.get("choices")
        if not isinstance(choices, list) or not choices:
            raise _fail(name, "'choices' must be a non-empty list")
        choices = [param.coerce(value) for value in choices]
        for value in choices:
            if (reason := param.check(value)) is not None:
                raise _fail(name, f"choice {json_repr(value)} is not allowed: {reason}")
        unique = []
        for value in choices:
            if not any(value == u and type(value) is type(u) for u in unique):
                unique.append(value)
        return Dimension(name, "categorical", choices=tuple(unique))
    if kind in ("int", "float"):
        if param.kind != kind:
            hint = (
                f"use type {param.kind}" if param.kind in ("int", "float") else "use a categorical"
            )
            raise _fail(name, f"this parameter takes {param.kind} values; {hint}")
        extra = set(raw) - {"type", "low", "high", "log"}
        if extra:
            raise _fail(name, f"unknown keys {sorted(extra)}")
        low, high, log = raw.get("low"), raw.get("high"), raw.get("log", False)
        low, high = param.coerce(low), param.coerce(high)
        for bound, value in (("low", low), ("high", high)):
            if value is None:
                raise _fail(name, f"'{bound}' is required for type {kind}")
            if (reason := param.check(value)) is not None or isinstance(value, str):
                raise _fail(name, f"'{bound}' {reason or 'must be a number'}")
        if kind == "int" and not (float(low).is_integer() and float(high).is_integer()):
            raise _fail(name, "'low' and 'high' must be integers for type int")
        if low > high:
            raise _fail(name, "'low' must not be greater than 'high'")
        if not isinstance(log, bool):
            raise _fail(name, "'log' must be true or false")
        if log and low <= 0:
            raise _fail(name, "'low' must be positive when 'log' is true")
        if kind == "int":
            low, high = int(low), int(high)
        return Dimension(name, kind, low=low, high=high, log=log)
    raise _fail(name, "'type' must be one of int, float, categorical")


def json_repr(value: Any) -> str:
    """How a value reads in JSON (``null``, ``true``), for error messages."""
    return json.dumps(value, default=repr)


def parse_space(raw: dict[str, Any], params: dict[str, Param]) -> list[Dimension]:
    """Parse a whole space, in parameter-name order; unknown names raise SpecError.

    Every parameter is checked before one is refused: the error names each wrong one.
    """
    if not raw:
        raise SpecError("the space has no parameters", field="param_space")
    dims, errors = [], SpecErrors()
    for name in sorted(raw):
        if name not in params:
            errors.add(
                SpecError(
                    f"unknown parameter {name!r}; tunable: {', '.join(sorted(params))}",
                    field=f"param_space.{name}",
                )
            )
            continue
        with errors.collect():
            dims.append(parse_dimension(name, raw[name], params[name]))
    errors.raise_found()
    _check_conditions(dims)
    return dims


def _check_conditions(dims: list[Dimension]) -> None:
    by_name = {d.name: d for d in dims}
    for dim in dims:
        for parent, values in dim.when:
            if parent not in by_name or parent == dim.name:
                raise _fail(dim.name, f"'when' refers to {parent!r}, which is not in the space")
            if by_name[parent].type != "categorical":
                raise _fail(dim.name, f"'when' needs {parent!r} to be categorical")
            unknown = [v for v in values if not _member(v, by_name[parent].choices)]
            if unknown:
                raise _fail(
                    dim.name,
                    f"'when.{parent}' has values {parent!r} never takes: {json_repr(unknown)}",
                )
    ordered(dims)  # raises on a cycle


def ordered(dims: list[Dimension]) -> list[Dimension]:
    """Parents before the parameters that depend on them; otherwise by name."""
    placed: list[Dimension] = []
    names: set[str] = set()
    pending = sorted(dims, key=lambda d: d.name)
    while pending:
        ready = [d for d in pending if all(p in names for p, _ in d.when)]
        if not ready:
            raise _fail(pending[0].name, "the 'when' conditions form a cycle")
        placed.append(ready[0])
        names.add(ready[0].name)
        pending.remove(ready[0])
    return placed


def _expand(dims: list[Dimension]) -> list[dict[str, Any]]:
    """Every valid combination; without conditions this is ``ParameterGrid``'s order."""
    candidates: list[dict[str, Any]] = [{}]
    for dim in ordered(dims):
        values = dim.discrete_values
        candidates = [
            {**partial, dim.name: value} if dim.active(partial) else partial
            for partial in candidates
            for value in (values if dim.active(partial) else [None])
        ]
    return candidates


# Beyond this many points a grid is not worth enumerating just to count it.
MAX_ENUMERATED = 1_000_000


def grid_size(dims: list[Dimension]) -> int | None:
    """How many candidates a full grid has, or ``None`` when a float dimension is in it."""
    upper = 1
    for dim in dims:
        values = dim.discrete_values
        if values is None:
            return None
        upper *= len(values)
    if not any(d.when for d in dims):
        return upper
    if upper > MAX_ENUMERATED:
        return _branch_size(dims) or upper
    return len(_expand(dims))


def _branch_size(dims: list[Dimension]) -> int | None:
    """The grid's size counted branch by branch of an unconditioned parent (an auto job's
    family, whose branches share no parameter), or ``None`` without one."""
    parents = {parent for d in dims for parent, _ in d.when}
    root = next((d for d in dims if d.name in parents and not d.when), None)
    if root is None:
        return None
    total = 0
    for value in root.choices:
        branch = [
            Dimension(
                d.name,
                d.type,
                d.low,
                d.high,
                d.log,
                d.choices,
                tuple((p, v) for p, v in d.when if p != root.name),
            )
            for d in dims
            if d is not root and all(_member(value, v) for p, v in d.when if p == root.name)
        ]
        total += grid_size(branch) if branch else 1
    return total


def check_grid(dims: list[Dimension]) -> None:
    """Raise :class:`SpecError` unless every dimension can be enumerated in a grid."""
    for dim in dims:
        options = dim.discrete_values
        if options is None:
            raise _fail(dim.name, "a grid needs a list of values, not a float range")
        if len(options) > MAX_GRID_INT_VALUES:
            raise _fail(dim.name, f"a grid dimension may have at most {MAX_GRID_INT_VALUES} values")


def grid(dims: list[Dimension]) -> list[dict[str, Any]]:
    """Every combination, in scikit-learn's ``ParameterGrid`` order; conditional
    parameters appear only in the branches where they apply."""
    check_grid(dims)
    return _expand(dims)


def discretize(dims: list[Dimension], max_size: int) -> list[Dimension]:
    """A grid-able version of ``dims``: each int or float range becomes a few evenly spaced
    values (geometrically when ``log``). Ranges start with five values; while the grid has
    more than ``max_size`` candidates, the range with the most values loses one (two stay
    at the least, unless even two of each are too many: LightGBM's and XGBoost's nine
    ranges make 512, an auto job's families more; then ranges keep only their middle
    value, one by one). Categoricals stay as they are."""
    points = {d.name: 5 for d in dims if d.type != "categorical"}
    while True:
        out = [_points(d, points[d.name]) if d.name in points else d for d in dims]
        shrinkable = [name for name, n in points.items() if n > 2] or [
            name for name, n in points.items() if n > 1
        ]
        if (grid_size(out) or 0) <= max_size or not shrinkable:
            return out
        points[max(shrinkable, key=lambda name: (points[name], name))] -= 1


def _points(dim: Dimension, points: int) -> Dimension:
    if dim.type == "categorical":
        return dim
    spaced = (
        np.geomspace(dim.low, dim.high, max(points, 3))
        if dim.log
        else np.linspace(dim.low, dim.high, max(points, 3))
    )
    if points == 1:
        spaced = spaced[1:2]  # the middle of three
    elif points == 2:
        spaced = spaced[::2]
    values = (
        [int(np.rint(v)) for v in spaced]
        if dim.type == "int"
        else [float(f"{v:.6g}") for v in spaced]
    )
    return Dimension(dim.name, "categorical", choices=tuple(dict.fromkeys(values)), when=dim.when)


def sample_one(dims: list[Dimension], rng: np.random.Generator) -> dict[str, Any]:
    """One candidate: parents first, each conditional parameter only where it applies."""
    candidate: dict[str, Any] = {}
    for dim in ordered(dims):
        if dim.active(candidate):
            candidate[dim.name] = dim.sample(rng)
    return candidate


def sample(dims: list[Dimension], n: int, seed: int | None) -> list[dict[str, Any]]:
    """``n`` candidates drawn at random with ``seed``; distinct ones while any remain.

    When the whole space is discrete and has at most ``n`` points, every point is
    returned once, in a seeded random order.
    """
    return list(sampled(dims, n, seed))


def enumerated(dims: list[Dimension], n: int) -> bool:
    """Whether a sample of ``n`` lists every point: the space is discrete and has at most
    ``n`` of them."""
    size = grid_size(dims)
    return size is not None and size <= n


def sampled(dims: list[Dimension], n: int, seed: int | None) -> Iterator[dict[str, Any]]:
    """:func:`sample`'s candidates, in its order, drawn only as they are read: a random
    search plans up to ``n_trials`` (20,000 when a budget ends it) and runs a few hundred,
    and drawing every candidate of an auto space up front took 11 s of each worker
    process's first trial, inside the transaction that chose it."""
    rng = np.random.default_rng(seed)
    if enumerated(dims, n):
        everything = _expand(dims)
        yield from (everything[i] for i in rng.permutation(len(everything)))
        return
    seen: set[str] = set()
    for _ in range(n * 20):
        candidate = sample_one(dims, rng)
        key = repr(sorted(candidate.items()))
        if key in seen:
            continue
        seen.add(key)
        yield candidate
        if len(seen) == n:
            return
