"""Field types the documents share, and how each reads in the OpenAPI document."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

# A parameter value as JSON carries it: max_depth 8, max_features "sqrt", bootstrap true,
# class_weight null (OpenAPI 3.1 type list; marshmallow adds "null" for allow_none).
SCALAR_TYPES = ["number", "string", "boolean"]


class StrictSchema(ma.Schema):
    """A request schema: an unknown field is an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


def one_of(values: Iterable[str] | type[Enum]) -> validate.OneOf:
    """The values a field takes (apispec writes them as the field's ``enum``)."""
    return validate.OneOf([str(v) for v in values])


def nullable_one_of(values: Iterable[str] | type[Enum], **kwargs: Any) -> fields.Raw:
    """A string taking one of ``values``, or null.

    Written as ``anyOf: [{enum}, {type: null}]``: apispec's own way for a nullable enum
    (``type: [string, "null"]`` with null in the ``enum``) makes openapi-python-client
    generate three copies of the enum class, where this gives the SDK one ``Enum | None``.
    """
    choices = {"type": "string", "enum": [str(v) for v in values]}
    metadata = {"anyOf": [choices, {"type": "null"}], **kwargs.pop("metadata", {})}
    return fields.Raw(allow_none=True, metadata=metadata, **kwargs)


def id_pattern(prefix: str) -> str:
    """The shape of the ids :func:`models.store.records.new_id` makes for ``prefix``."""
    return rf"^{prefix}_[0-9a-f]{{28}}$"


class Scalar(fields.Raw):
    """A parameter value: a number, a string, a boolean or null."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)
        self.metadata = {"type": SCALAR_TYPES, **self.metadata}


def params_field(**kwargs: Any) -> fields.Dict:
    """Estimator parameters by name, as scikit-learn's ``get_params`` names them."""
    return fields.Dict(keys=fields.String(), values=Scalar(), **kwargs)


class Number(fields.Float):
    """A number written as stored: ``1`` stays ``1`` (``Float`` would write ``1.0``)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class WholeNumber(fields.Integer):
    """An integer that refuses a fractional number (``2.5``) instead of truncating it to
    2, as marshmallow's ``Integer`` does; ``3.0`` and ``"3"`` are 3."""

    default_error_messages = {"fractional": "Not a whole number: {input}."}

    def _validated(self, value: Any) -> int | None:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.make_error("invalid")
            if not value.is_integer():
                raise self.make_error("fractional", input=value)
        return super()._validated(value)


class Inline(fields.Nested):
    """A nested document made of the parent object's own values (a job's ``progress``)."""

    def get_value(
        self, obj: Any, attr: str, accessor: Any = None, default: Any = ma.missing
    ) -> Any:
        return obj


class Derived(fields.Nested):
    """A nested document that ``of`` computes from the parent object (a job's ``webhook``),
    null where ``of`` gives ``None``."""

    def __init__(self, nested: type[ma.Schema], *, of: Callable[[Any], Any], **kwargs: Any):
        super().__init__(nested, **kwargs)
        self.of = of

    def get_value(
        self, obj: Any, attr: str, accessor: Any = None, default: Any = ma.missing
    ) -> Any:
        return self.of(obj)


class CountOrObject(fields.Raw):
    """An object of ``schema``, or a whole number standing for ``{key: number}``: ``cv: 5``
    is ``cv: {"folds": 5}``, as scikit-learn's ``cv=5`` means five folds. ``api/openapi.py``
    documents it as one of the two, the number as ``count`` (a JSON Schema) says."""

    default_error_messages = {"invalid": "Must be a whole number or an object."}

    def __init__(
        self, schema: type[ma.Schema], *, key: str, count: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.schema, self.key, self.count = schema, key, count

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = {self.key: value}
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        return self.schema().load(value)


class JsonText(fields.String):
    """A string holding one JSON document of ``schema`` (a Server-Sent Event's ``data``).

    ``api/openapi.py`` documents it with OpenAPI 3.1's ``contentMediaType`` and
    ``contentSchema``, which is how schemathesis checks each event's data.
    """

    def __init__(self, schema: type[ma.Schema], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schema = schema

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else json.dumps(self.schema().dump(value))
