"""The orders jobs and datasets can be listed in, and their keyset cursors.

Newest first is the default, and its cursor is what it always was: the last row's id (ids
sort by creation time, :mod:`models.store.pages`). Under any other sort a cursor names the
sort and carries the last row's sort key and id, so that the next page starts exactly after
it whatever was added meanwhile::

    created_at:job_0190f3a2b7c41e2f9a0b3c4d5e6f
    name:"iris, first try":job_0190f3a2b7c41e2f9a0b3c4d5e6f
    -best_score:0.93:job_0190f3a2b7c41e2f9a0b3c4d5e6f
    -name:null:job_0190f3a2b7c41e2f9a0b3c4d5e6f

A name is written as JSON (a quoted string, ``null`` for none); a score as
:mod:`models.store.trial_order` writes one. Rows without the key (a job without a name, or
without a score yet) come last in both directions, and ties go newest first. Strings
compare as the database orders them (byte order on SQLite, the database's collation on
PostgreSQL): the cursor's comparison and the ``ORDER BY`` are the same one, so a page
follows the last whatever the collation.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from models.exceptions import SpecError
from models.store.pages import ID_PATTERN, Page, page
from models.store.trial_order import NULL, read_score, require_sort, score_text

NEWEST = "-created_at"
OLDEST = "created_at"
DATASET_SORTS = (NEWEST, OLDEST, "name", "-name")
JOB_SORTS = (*DATASET_SORTS, "-best_score", "best_score")


def sorted_page(
    session: Session,
    stmt: Select[Any],
    record: Any,
    sort: str,
    limit: int,
    cursor: str | None,
    sorts: tuple[str, ...],
) -> Page[Any]:
    """One page of ``stmt``'s rows (of the table ``record``) in ``sort`` order, one of
    ``sorts``, after ``cursor``; :class:`SpecError` naming ``sort`` for another order, or
    ``cursor`` for a cursor this order did not issue."""
    if sort not in sorts:
        raise SpecError(f"must be one of {', '.join(sorts)}, not {sort!r}", field="sort")
    if sort == NEWEST:
        if cursor is not None and ":" in cursor:
            _made_under(cursor, sort, sorts)
        return page(session, stmt, record.id, limit, cursor)
    if cursor is not None:
        stmt = stmt.where(_after(record, sort, cursor, sorts))
    rows = list(session.scalars(stmt.order_by(*_order_by(record, sort)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _cursor_for(sort, rows[-1]) if more and rows else None)


def _key(record: Any, sort: str) -> Any:
    return getattr(record, sort.lstrip("-"))


def _order_by(record: Any, sort: str) -> tuple[Any, ...]:
    """The ORDER BY for ``sort``, total thanks to the id."""
    if sort == OLDEST:
        return (record.id,)
    key = _key(record, sort)
    # ``IS NULL`` is false (0) for a row with the key: those first, on both databases.
    return (key.is_(None), key.desc() if sort.startswith("-") else key, record.id.desc())


def _cursor_for(sort: str, row: Any) -> str:
    """The cursor that continues after ``row`` under ``sort``."""
    if sort == OLDEST:
        return f"{sort}:{row.id}"
    value = getattr(row, sort.lstrip("-"))
    text = json.dumps(value) if isinstance(value, str) else score_text(value)
    return f"{sort}:{text}:{row.id}"


def _after(record: Any, sort: str, cursor: str, sorts: tuple[str, ...]) -> Any:
    """The WHERE clause for the rows after ``cursor`` under ``sort``."""
    rest = _made_under(cursor, sort, sorts)
    if sort == OLDEST:
        return record.id > _id(rest)
    key_text, _, id_text = rest.rpartition(":")
    last_id = _id(id_text)
    key = _key(record, sort)
    keyless_after = and_(key.is_(None), record.id < last_id)
    if key_text == NULL:
        return keyless_after
    value = _value(key_text, sort)
    beyond = key < value if sort.startswith("-") else key > value
    return or_(beyond, and_(key == value, record.id < last_id), key.is_(None))


def _made_under(cursor: str, sort: str, sorts: tuple[str, ...]) -> str:
    """What follows the sort's name in ``cursor``, which ``sort`` must have issued."""
    made_under, _, rest = cursor.partition(":")
    if not rest or made_under not in sorts:
        made_under = NEWEST if ID_PATTERN.match(cursor) else ""
    if not made_under:
        raise SpecError("not a cursor this service issued", field="cursor")
    require_sort(made_under, sort)
    return rest


def _id(text: str) -> str:
    if not ID_PATTERN.match(text):
        raise SpecError("not a cursor this service issued", field="cursor")
    return text


def _value(text: str, sort: str) -> Any:
    """A cursor's key: a name (JSON text) or a score (a finite float)."""
    if sort.lstrip("-") == "name":
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, str):
            raise SpecError("not a cursor this service issued", field="cursor")
        return value
    return read_score(text)
