"""Numbers written as text: thousands separators, a decimal comma, and the odd cell.

pandas reads a column as numbers only when every cell is one, and its own ``thousands``
option strips the separator anywhere (it reads the date 01.02.2020 as 1022020, and 1.5
as 15). :func:`as_numbers` accepts a separator only between groups of three digits, the
same one throughout a number, and calls a column of text numbers when at most ODD_SHARE
of its filled cells (all of them, not a sample) are something else ("n/a", "-", "?"),
which become missing values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from models.engine.reading import marked

# What may group the thousands, for each decimal mark (spaces include the no-break ones
# spreadsheets write).
THOUSANDS = {".": ",' \u00a0\u202f", ",": ".' \u00a0\u202f"}
# A text column is numbers when at most this share of its filled cells is not a number.
ODD_SHARE = 0.1
# Distinct values are parsed most frequent first, in batches growing from FIRST_BATCH by
# BATCH_GROWTH: parsing stops as soon as the cells not numbers exceed ODD_SHARE of all
# (an id column or free text is not parsed to the end), and the answer is the same as
# parsing every value.
FIRST_BATCH = 200
BATCH_GROWTH = 8
ODD_EXAMPLES = 3
# What any number :func:`as_numbers` reads is made of (and a digit): one pass of this over
# a column's distinct values leaves out the words and ids before the finer patterns run.
NUMBER_LIKE = re.compile(r"[\s\d.,'\u00a0\u202f+eE-]*\d[\s\d.,'\u00a0\u202f+eE-]*")


@dataclass(frozen=True)
class Distinct:
    """A column's distinct values (as text), each row's code into them (-1 for a missing
    cell) and each value's count of cells: factorised once, then every test of a column
    (numbers? which decimal mark?) looks at each distinct value once."""

    codes: np.ndarray
    text: pd.Series
    counts: np.ndarray
    _marked: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, values: pd.Series) -> Distinct:
        codes, uniques = pd.factorize(values)
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        return cls(codes, pd.Series(uniques, dtype=object).astype(str), counts)

    @cached_property
    def number_like(self) -> np.ndarray:
        """Which values could be numbers (see NUMBER_LIKE); the others cannot."""
        return self.text.str.fullmatch(NUMBER_LIKE).fillna(False).to_numpy(dtype=bool)

    @cached_property
    def with_a_mark(self) -> np.ndarray:
        """Which values could be numbers and hold a ``.`` or ``,``: only these can show
        a decimal mark (or a thousands separator)."""
        out = self.number_like.copy()
        where = np.flatnonzero(out)
        out[where] = self.text.iloc[where].str.contains(r"[.,]").to_numpy(dtype=bool)
        return out

    def marked(self, mark: str) -> np.ndarray:
        """Which values can only be numbers written with the decimal ``mark`` (see
        :func:`models.engine.reading.marked`); worked out once per mark."""
        if mark not in self._marked:
            hits = np.zeros(len(self.text), dtype=bool)
            candidates = np.flatnonzero(self.with_a_mark)
            if len(candidates):
                hits[candidates] = marked(self.text.iloc[candidates], mark).to_numpy()
            self._marked[mark] = hits
        return self._marked[mark]

    def first_row(self, hits: np.ndarray) -> int | None:
        """The first row (from 0) whose value is one of ``hits`` (a mask of the values)."""
        rows = np.flatnonzero((self.codes >= 0) & hits[np.maximum(self.codes, 0)])
        return int(rows[0]) if len(rows) else None


@dataclass(frozen=True)
class Numbers:
    """A text column read as numbers."""

    values: pd.Series
    n_odd: int  # filled cells that were not numbers: now missing
    odd_examples: tuple[str, ...]  # the most frequent of them
    grouped: bool  # some numbers had thousands separators
    first_odd_row: int | None = None  # the row (from 1) of the first of them


def _pattern(decimal: str) -> re.Pattern[str]:
    group = re.escape(THOUSANDS[decimal])
    mark = re.escape(decimal)
    return re.compile(
        rf"[+-]?(?=\d|{mark}\d)"
        rf"(?:\d{{1,3}}(?:(?P<g>[{group}])\d{{3}})(?:(?P=g)\d{{3}})*|\d+)?"
        rf"(?:{mark}\d+)?(?:[eE][+-]?\d+)?"
    )


def _parse(text: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series]:
    """Each string of ``text`` as a number (NaN if it is none), and which were grouped."""
    text = text.str.strip()
    match = text.str.fullmatch(_pattern(decimal)).fillna(False).astype(bool)
    separators = f"[{re.escape(THOUSANDS[decimal])}]"
    grouped = match & text.str.contains(separators, regex=True).fillna(False).astype(bool)
    clean = text.where(match).str.replace(separators, "", regex=True)
    if decimal != ".":
        clean = clean.str.replace(decimal, ".", regex=False)
    return pd.to_numeric(clean.astype(object), errors="coerce"), grouped


def _parse_most_frequent_first(
    distinct: Distinct, decimal: str, max_odd: float
) -> tuple[pd.Series, pd.Series] | None:
    """:func:`_parse` of the distinct values (those that look like numbers, most frequent
    first), or None as soon as the cells that are not numbers are more than ``max_odd``."""
    text, counts = distinct.text, distinct.counts
    numbers = pd.Series(np.nan, index=text.index, dtype=object)
    grouped = pd.Series(False, index=text.index)
    odd = int(counts[~distinct.number_like].sum())
    candidates = np.flatnonzero(distinct.number_like)
    order = candidates[np.argsort(-counts[candidates], kind="stable")]
    start, size = 0, FIRST_BATCH
    while odd <= max_odd and start < len(order):
        batch = order[start : start + size]
        parsed, was_grouped = _parse(text.iloc[batch], decimal)
        numbers.iloc[batch] = parsed.to_numpy(dtype=object)
        grouped.iloc[batch] = was_grouped.to_numpy()
        odd += int(counts[batch][parsed.isna().to_numpy()].sum())
        start, size = start + size, size * BATCH_GROWTH
    if odd > max_odd:
        return None
    return pd.to_numeric(numbers), grouped


def as_numbers(
    values: pd.Series, decimal: str, *, force: bool = False, distinct: Distinct | None = None
) -> Numbers | None:
    """``values`` (text, with missing cells) read as numbers, or None when they are not
    mostly numbers; with ``force`` (a column already known to be numbers) never None.

    Parsed once per distinct value (``distinct``, if the caller has them): a category
    column of a million rows has a handful.
    """
    distinct = distinct or Distinct.of(values)
    codes, text, counts = distinct.codes, distinct.text, distinct.counts
    max_odd = np.inf if force else ODD_SHARE * counts.sum()
    parsed = _parse_most_frequent_first(distinct, decimal, max_odd)
    if parsed is None:
        return None
    numbers, grouped = parsed
    ok = numbers.notna().to_numpy()
    n_odd = int(counts[~ok].sum())
    if not force and not ok.any():
        return None
    if ok.all() and (codes >= 0).all():
        parsed_values = numbers.to_numpy()[codes]  # whole numbers stay integers, as pandas reads
    else:
        parsed_values = numbers.to_numpy(dtype=float, na_value=np.nan)[codes]
        parsed_values[codes < 0] = np.nan
    odd = pd.Series(counts[~ok], index=text[~ok]).sort_values(ascending=False, kind="stable")
    first_odd = distinct.first_row(~ok)
    return Numbers(
        pd.Series(parsed_values, index=values.index, name=values.name),
        n_odd,
        tuple(odd.index[:ODD_EXAMPLES]),
        bool(grouped.to_numpy()[ok].any()),
        None if first_odd is None else first_odd + 1,
    )
