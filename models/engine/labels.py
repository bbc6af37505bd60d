"""A job's or a dataset's name and tags: what people call it, to tell it from the others.

Both are optional and bounded, so that a list stays readable and a row stays small: a name
of at most :data:`MAX_NAME` characters, at most :data:`MAX_TAGS` tags of at most
:data:`MAX_TAG` characters each. A tag holds no comma (a list filter takes several tags
comma-separated, ``?tag=prod,v2``), no control character, and no space at either end.
The request schemas declare the same bounds (``models/documents/specs.py``); these checks
hold for every caller of the service, not only HTTP.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.exceptions import SpecError, TuneforgeError

MAX_NAME = 255
MAX_TAGS = 20
MAX_TAG = 40
# JSON Schema's (and Python's) spelling of a tag's shape: no comma, no space at either end.
TAG_PATTERN = r"^[^,\s]([^,]*[^,\s])?$"
TAG_RULE = f"a tag is 1 to {MAX_TAG} characters, without commas or spaces at either end"
_TAG = re.compile(TAG_PATTERN)


@dataclass(frozen=True)
class Labels:
    """A name (``None``: none given) and tags (distinct, in the order given)."""

    name: str | None = None
    tags: tuple[str, ...] = ()


def labels_of(raw: Mapping[str, Any], error: type[TuneforgeError] = SpecError) -> Labels:
    """The ``name`` and ``tags`` of a request, checked; ``error`` naming the field when
    one is out of bounds."""
    return Labels(check_name(raw.get("name"), error), check_tags(raw.get("tags"), error))


def check_name(name: Any, error: type[TuneforgeError] = SpecError) -> str | None:
    """``name`` if it is one (``None`` stays ``None``); ``error`` naming ``name`` if not."""
    if name is None:
        return None
    if not isinstance(name, str) or not name.strip():
        raise error("a name is text that is not blank", field="name")
    if len(name) > MAX_NAME:
        raise error(
            f"a name is at most {MAX_NAME} characters; this one has {len(name)}", field="name"
        )
    if _has_control(name):
        raise error("a name holds no control character", field="name")
    return name


def check_tags(tags: Any, error: type[TuneforgeError] = SpecError) -> tuple[str, ...]:
    """``tags`` without repeats, in the order given; ``error`` naming ``tags`` (or the
    offending ``tags.N``) when there are too many or one is not a tag."""
    if tags is None:
        return ()
    if not isinstance(tags, list | tuple):
        raise error("tags are a list of short strings", field="tags")
    for number, tag in enumerate(tags):
        if not isinstance(tag, str) or len(tag) > MAX_TAG or not _TAG.match(tag):
            raise error(TAG_RULE, field=f"tags.{number}")
        if _has_control(tag):
            raise error("a tag holds no control character", field=f"tags.{number}")
    distinct = tuple(dict.fromkeys(tags))
    if len(distinct) > MAX_TAGS:
        raise error(f"at most {MAX_TAGS} tags; these are {len(distinct)}", field="tags")
    return distinct


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)
