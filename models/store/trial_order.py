"""The orders a job's trials can be listed in, and their keyset cursors.

A cursor names the sort it was made under and carries the last row's sort key, so the
next page starts exactly after it whatever was recorded meanwhile::

    number:12              -number:12
    mean_score:0.93:12     -mean_score:null:12

Scores are compared as the database stores them (64-bit floats on SQLite and PostgreSQL);
``repr`` writes a float that reads back to the same bits. Trials without a score come last
in both score orders, and ties go by ``number``, ascending.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from models.exceptions import SpecError
from models.store.pages import Page
from models.store.records import Trial

TRIAL_SORTS = ("number", "-number", "mean_score", "-mean_score")
DEFAULT_SORT = "number"
NULL = "null"


def _score(table: Any) -> Any:
    """The column a trial's score orders by: a job's ``mean_score``, a study's ``value``
    (the study's own trials list under these sorts, see ``models/store/studies.py``)."""
    return table.mean_score if table is Trial else table.value


def order_by(sort: str, table: Any = Trial) -> tuple[Any, ...]:
    """The ORDER BY for ``sort`` (one of :data:`TRIAL_SORTS`), total thanks to ``number``."""
    if sort == "number":
        return (table.number,)
    if sort == "-number":
        return (table.number.desc(),)
    column = _score(table)
    score = column.desc() if sort == "-mean_score" else column
    # ``IS NULL`` is false (0) for a scored trial: scored first, on both databases.
    return (column.is_(None), score, table.number)


def cursor_for(sort: str, trial: Any) -> str:
    """The cursor that continues after ``trial`` under ``sort``."""
    if sort in ("number", "-number"):
        return f"{sort}:{trial.number}"
    score = trial.mean_score if isinstance(trial, Trial) else trial.value
    return f"{sort}:{score_text(score)}:{trial.number}"


def after(sort: str, cursor: str, table: Any = Trial) -> Any:
    """The WHERE clause for the rows after ``cursor``; :class:`SpecError` naming ``cursor``
    when it was not issued by :func:`cursor_for`, or was issued under another sort."""
    made_under, _, key = cursor.partition(":")
    if made_under not in TRIAL_SORTS:
        raise SpecError("not a cursor this service issued", field="cursor")
    require_sort(made_under, sort)
    if sort in ("number", "-number"):
        number = _number(key)
        return table.number > number if sort == "number" else table.number < number
    last_score, _, number_text = key.rpartition(":")
    number = _number(number_text)
    column = _score(table)
    unscored_after = and_(column.is_(None), table.number > number)
    if last_score == NULL:
        return unscored_after
    score = read_score(last_score)
    beyond = column < score if sort == "-mean_score" else column > score
    return or_(
        beyond,
        and_(column == score, table.number > number),
        column.is_(None),
    )


def trial_page(
    session: Session,
    stmt: Select[Any],
    table: Any,
    limit: int,
    cursor: str | None,
    sort: str,
    states: list[str] | None,
) -> Page[Any]:
    """One page of ``stmt``'s trials (rows of ``table``) in ``sort`` order, only those in
    ``states`` when given; the cursor carries the last row's sort key."""
    if states:
        stmt = stmt.where(table.state.in_(states))
    if cursor is not None:
        stmt = stmt.where(after(sort, cursor, table))
    rows = list(session.scalars(stmt.order_by(*order_by(sort, table)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, cursor_for(sort, rows[-1]) if more and rows else None)


def _number(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise SpecError("not a cursor this service issued", field="cursor")
    return int(text)


def score_text(score: float | None) -> str:
    """How a cursor writes a score (also :mod:`models.store.list_order`'s): ``repr`` of the
    float reads back to the same bits, and ``null`` stands for no score."""
    return NULL if score is None else repr(float(score))


def read_score(text: str) -> float:
    """A score as :func:`score_text` wrote it; :class:`SpecError` naming ``cursor`` for
    anything else, so a hand-made cursor cannot smuggle in a NaN or an infinity."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise SpecError("not a cursor this service issued", field="cursor")
    return value


def require_sort(made_under: str, sort: str) -> None:
    """:class:`SpecError` naming ``cursor`` when it was made under another sort than the
    one asked for: its key means nothing in this order, so its page would not follow."""
    if made_under != sort:
        raise SpecError(
            f"this cursor continues a list sorted by {made_under}; ask for sort={made_under}, "
            "or start again without a cursor",
            field="cursor",
        )
