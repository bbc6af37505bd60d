"""Numbers written as text: thousands separators, a decimal comma, and the odd cell.

pandas reads a column as numbers only when every cell is one, and its own ``thousands``
option strips the separator anywhere (it reads the date 01.02.2020 as 1022020, and 1.5
as 15). :func:`as_numbers` accepts a separator only between groups of three digits, the
same one throughout a number, and calls a column of text numbers when at most ODD_SHARE
of its filled cells are something else ("n/a", "-", "?"), which become missing values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

# What may group the thousands, for each decimal mark (spaces include the no-break ones
# spreadsheets write).
THOUSANDS = {".": ",' \u00a0\u202f", ",": ".' \u00a0\u202f"}
# A text column is numbers when at most this share of its filled cells is not a number.
ODD_SHARE = 0.1
# Distinct values tried first: a column where fewer than SAMPLE_NUMBERS of the first ones
# are numbers is text (ids and free text are not parsed to the end).
SAMPLE = 200
SAMPLE_NUMBERS = 0.5
ODD_EXAMPLES = 3


@dataclass(frozen=True)
class Numbers:
    """A text column read as numbers."""

    values: pd.Series
    n_odd: int  # filled cells that were not numbers: now missing
    odd_examples: tuple[str, ...]  # the most frequent of them
    grouped: bool  # some numbers had thousands separators


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


def as_numbers(values: pd.Series, decimal: str, *, force: bool = False) -> Numbers | None:
    """``values`` (text, with missing cells) read as numbers, or None when they are not
    mostly numbers; with ``force`` (a column already known to be numbers) never None.

    Parsed once per distinct value: a category column of a million rows has a handful.
    """
    codes, uniques = pd.factorize(values)
    text = pd.Series(uniques, dtype=object).astype(str)
    if not force and len(text) > SAMPLE:
        numbers, _ = _parse(text.iloc[:SAMPLE], decimal)
        if numbers.notna().mean() < SAMPLE_NUMBERS:
            return None
    numbers, grouped = _parse(text, decimal)
    ok = numbers.notna().to_numpy()
    counts = np.bincount(codes[codes >= 0], minlength=len(text))
    n_odd = int(counts[~ok].sum())
    if not force and (not ok.any() or n_odd > ODD_SHARE * counts.sum()):
        return None
    if ok.all() and (codes >= 0).all():
        parsed = numbers.to_numpy()[codes]  # whole numbers stay integers, as pandas reads them
    else:
        parsed = numbers.to_numpy(dtype=float, na_value=np.nan)[codes]
        parsed[codes < 0] = np.nan
    odd = pd.Series(counts[~ok], index=text[~ok]).sort_values(ascending=False, kind="stable")
    return Numbers(
        pd.Series(parsed, index=values.index, name=values.name),
        n_odd,
        tuple(odd.index[:ODD_EXAMPLES]),
        bool(grouped.to_numpy()[ok].any()),
    )
