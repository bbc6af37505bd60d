"""``estimator: "auto"``: the search chooses the model family too.

An auto job's space is conditional: its first parameter, ``estimator``, picks the family,
and every family's own parameters sit below it, named ``family.param``
(``random_forest.max_depth``) and active only when ``estimator`` is that family. Two
families' same-named parameters thus never collide, and a trial's parameters read as
what they are in results, trials tables and the replay script.

The families are tried in :data:`FAMILY_ORDER`, cheap and strong ones first, so that the
best-so-far is good early: the search's first trials are one point per family near its
catalog defaults (:func:`first_points`), then the strategy explores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.engine.catalog import CATALOG, Param
from models.engine.space import Dimension, ordered
from models.engine.spec_errors import SpecErrors
from models.exceptions import SpecError

AUTO = "auto"
# The space's first parameter: which family a trial fits.
FAMILY = "estimator"
SEPARATOR = "."
# Cheap and strong first. A name the catalog lacks is skipped, so an entry added later
# (lightgbm, xgboost) joins auto by being listed here; the catalog's entries missing from
# this tuple are not tried by auto.
FAMILY_ORDER = (
    "hist_gradient_boosting",
    "lightgbm",
    "xgboost",
    "logistic_regression",
    "ridge",
    "random_forest",
    "extra_trees",
    "knn",
    "svm",
)


def is_auto(estimator: str) -> bool:
    return estimator == AUTO


def families(task: str, train_rows: int) -> list[str]:
    """The families auto tries for ``task`` on ``train_rows`` training rows, in order:
    those serving the task whose fit time allows that many rows."""
    return [
        name
        for name in FAMILY_ORDER
        if (entry := CATALOG.get(name)) is not None
        and task in entry.classes
        and (entry.max_train_rows is None or train_rows <= entry.max_train_rows)
    ]


def left_out_warnings(task: str, space: dict[str, Any]) -> list[dict[str, Any]]:
    """Why the families an auto job's default space lacks are left out: the most training
    rows they accept (:func:`families`), as job warnings."""
    tried = space[FAMILY]["choices"]
    return [
        {
            "code": "auto_family_left_out",
            "message": f"{name!r} is left out of auto: it trains on at most "
            f"{CATALOG[name].max_train_rows} rows, fewer than this job's",
        }
        for name in FAMILY_ORDER
        if name in CATALOG
        and task in CATALOG[name].classes
        and CATALOG[name].max_train_rows is not None
        and name not in tried
    ]


def qualified(family: str, param: str) -> str:
    return f"{family}{SEPARATOR}{param}"


def auto_params(task: str, names: Sequence[str]) -> dict[str, Param]:
    """Every parameter an auto space over ``names`` may hold: the family, then each
    family's own parameters under its name."""
    out = {FAMILY: Param("choice", choices=tuple(names), doc="the model family")}
    for name in names:
        for param, spec in CATALOG[name].params[task].items():
            out[qualified(name, param)] = spec
    return out


def _conditioned(family: str, raw: Any) -> Any:
    """A family's dimension in the auto space: its own ``when`` renamed into the family's
    namespace, and the family's condition added."""
    raw = {"type": "categorical", "choices": raw} if isinstance(raw, list) else dict(raw)
    when = {qualified(family, k): v for k, v in (raw.get("when") or {}).items()}
    raw["when"] = {FAMILY: [family], **when}
    return raw


def default_space(task: str, names: Sequence[str], skip: str | None = None) -> dict[str, Any]:
    """The auto space over ``names``: the family, then each family's default space
    (without ``skip``, a halving resource)."""
    space: dict[str, Any] = {FAMILY: {"type": "categorical", "choices": list(names)}}
    for name in names:
        for param, raw in CATALOG[name].default_space[task].items():
            if param != skip:
                space[qualified(name, param)] = _conditioned(name, raw)
    return space


def given_space(raw: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """A client's auto space, its family conditions filled in: ``estimator`` (the families
    to try; default: those the space names, in :data:`FAMILY_ORDER`) and ``family.param``
    dimensions, whose ``when`` may name other parameters of the same family. Each wrong
    key is named before one is refused; a dimension's own shape is
    :func:`~models.engine.space.parse_space`'s to check."""
    errors = SpecErrors()
    space: dict[str, Any] = {}
    for key, dim in raw.items():
        family = key.split(SEPARATOR, 1)[0]
        if key == FAMILY:
            continue
        if SEPARATOR not in key or family not in names:
            errors.add(
                SpecError(
                    "an auto space names parameters as family.param (such as "
                    f"'random_forest.max_depth') or 'estimator'; families: {', '.join(names)}",
                    field=f"param_space.{key}",
                )
            )
            continue
        dim = {"type": "categorical", "choices": dim} if isinstance(dim, list) else dim
        when = dim.get("when") if isinstance(dim, dict) else None
        if when is None and isinstance(dim, dict):
            dim = {**dim, "when": {FAMILY: [family]}}
        elif isinstance(when, dict):
            # The family's own condition may be written out (a resolved spec has it).
            others = [
                p
                for p in when
                if not p.startswith(f"{family}{SEPARATOR}") and (p != FAMILY or when[p] != [family])
            ]
            if others:
                # Another family's parameter is never set when this family is chosen.
                errors.add(
                    SpecError(
                        f"'when' may name only {family}'s own parameters, not {others[0]!r}",
                        field=f"param_space.{key}",
                    )
                )
            dim = {**dim, "when": {FAMILY: [family], **when}}
        space[key] = dim
    errors.raise_found()
    named = [key.split(SEPARATOR, 1)[0] for key in space]
    default = {"type": "categorical", "choices": [n for n in names if n in named]}
    return {FAMILY: raw.get(FAMILY) or default, **space}


def split(params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """An auto trial's family and that family's own parameters."""
    family = params[FAMILY]
    prefix = f"{family}{SEPARATOR}"
    return family, {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}


def first_points(dims: Sequence[Dimension], task: str) -> list[dict[str, Any]]:
    """One candidate per family, in the space's family order: the family's catalog
    defaults, each brought into its dimension (the nearest bound of a range, the first
    choice of a list; the middle of a range whose default is not a number)."""
    by_name = {d.name: d for d in dims}
    return [near_point(dims, task, family) for family in by_name[FAMILY].choices]


def near_point(
    dims: Sequence[Dimension], task: str, family: str, values: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``family``'s catalog defaults, ``values`` (by its own parameter names) over them,
    each brought into its dimension (as :func:`first_points` does). In an auto space the
    point names the family and qualifies its parameters; in an estimator's own, neither."""
    entry = CATALOG[family]
    wanted = entry.classes[task]().get_params() | entry.fixed.get(task, {}) | (values or {})
    in_auto = any(d.name == FAMILY for d in dims)
    point: dict[str, Any] = {FAMILY: family} if in_auto else {}
    for dim in ordered(list(dims)):
        if dim.name not in point and dim.active(point):
            own = dim.name.split(SEPARATOR, 1)[1] if in_auto else dim.name
            point[dim.name] = _nearest(dim, wanted.get(own))
    return point


def _nearest(dim: Dimension, default: Any) -> Any:
    if dim.contains(default):
        return default
    if dim.type == "categorical":
        return dim.choices[0]
    if isinstance(default, bool) or not isinstance(default, int | float):
        middle = (dim.low * dim.high) ** 0.5 if dim.log else (dim.low + dim.high) / 2
        return round(middle) if dim.type == "int" else float(middle)
    value = min(max(default, dim.low), dim.high)
    return int(value) if dim.type == "int" else float(value)


def params_of(estimator: str, task: str, space: dict[str, Any]) -> dict[str, Param]:
    """The parameters ``space`` is checked against: the estimator's, or for auto those of
    the families the space's ``estimator`` dimension lists."""
    if not is_auto(estimator):
        return CATALOG[estimator].params[task]
    family = space.get(FAMILY) or {}
    names = family.get("choices", []) if isinstance(family, dict) else family
    return auto_params(task, [n for n in names if n in CATALOG])
