"""The ``name`` and ``tags`` fields of jobs and datasets: as requests give them, with the
bounds of :mod:`models.engine.labels`, and as documents carry them."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from models.engine.labels import MAX_NAME, MAX_TAG, MAX_TAGS, TAG_PATTERN, TAG_RULE

TAGS_DESCRIPTION = (
    f"short labels to find it by: at most {MAX_TAGS}, each 1 to {MAX_TAG} characters without "
    "commas or spaces at either end; repeats are kept once"
)


def name_field(**metadata: Any) -> fields.String:
    """A request's optional ``name``: not blank, at most ``MAX_NAME`` characters."""
    return fields.String(
        allow_none=True,
        validate=[
            validate.Length(1, MAX_NAME),
            validate.Regexp(r"\s*\S", error="must not be blank"),
        ],
        metadata=metadata,
    )


def tags_field(**metadata: Any) -> fields.List:
    """A request's optional ``tags``."""
    tag = fields.String(
        validate=[
            validate.Length(1, MAX_TAG, error=TAG_RULE),
            validate.Regexp(TAG_PATTERN, error=TAG_RULE),
        ]
    )
    return fields.List(
        tag,
        validate=validate.Length(max=MAX_TAGS, error=f"at most {MAX_TAGS} tags"),
        metadata={"description": TAGS_DESCRIPTION, **metadata},
    )


class TagList(fields.List):
    """A record's ``tags``: a list, empty for records stored before tags."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"example": ["baseline", "v2"]})
        super().__init__(fields.String(), required=True, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(value or [], attr, obj, **kwargs)
