"""Cursor pagination, newest first.

Ids sort by creation time, so the cursor is simply the last id of the previous page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from models.exceptions import SpecError

T = TypeVar("T")
ID_PATTERN = re.compile(r"^[a-z]+_[0-9a-f]{28}$")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def page(
    session: Session, stmt: Select[Any], id_column: Any, limit: int, cursor: str | None
) -> Page[Any]:
    """One page of ``stmt``'s rows, newest first, after ``cursor``."""
    if cursor is not None:
        if not ID_PATTERN.match(cursor):
            raise SpecError("not a cursor this service issued", field="cursor")
        stmt = stmt.where(id_column < cursor)
    rows = list(session.scalars(stmt.order_by(id_column.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].id if more and rows else None)
