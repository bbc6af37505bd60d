"""The separator and decimal mark guessed from a file's first rows, checked on every row.

:func:`models.engine.reading.detect` guesses them from the first SNIFF_BYTES, and pandas
then parses the whole file with them. A guess the rest of the file contradicts would
give a wrong table that looks right (issue 16: whole numbers for 64 KiB, decimal commas
after; the column was read as text and dropped as an identifier), so the parsed table is
checked here: :func:`whole_file_decimal` says which mark the columns of every row agree
on (the table is then read again with it), :func:`refuse_a_second_separator` refuses a
file whose later rows use another separator. Rows are counted from 1 after the header.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.engine.numbers import Distinct
from models.engine.reading import DELIMITERS, SEPARATOR_NAMES, TableWarning
from models.exceptions import DatasetError

NAMES = {",": "commas (,)", **SEPARATOR_NAMES}
EXAMPLE_CHARS = 60
FIRST_ROWS = 1024


def is_text(series: pd.Series) -> bool:
    """Whether ``series`` holds text (object or string dtype)."""
    return pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)


@dataclass(frozen=True)
class Evidence:
    """A column whose numbers are written with ``mark``, as its ``cell`` in ``row`` shows."""

    column: str
    mark: str
    row: int
    cell: str

    def said(self) -> str:
        return f"column {self.column!r} has {self.cell!r} in row {self.row}"


def _first_fraction(values: np.ndarray) -> int | None:
    """The first of ``values`` (floats, NaN for missing) that is not a whole number:
    looked for in the first FIRST_ROWS, where most float columns show one, then in all."""
    for part in (values[:FIRST_ROWS], values):
        with np.errstate(invalid="ignore"):  # inf - inf is NaN: not a fraction
            fraction = np.abs(part - np.trunc(part)) > 0  # False for NaN
        if fraction.any():
            return int(fraction.argmax())
    return None


def first_marked(
    values: pd.Series, mark: str, distinct: Distinct | None = None
) -> tuple[int, str] | None:
    """The first row (from 1) of ``values`` that can only be a number written with the
    decimal ``mark``, and its cell; None if none is. Each distinct value is tested once."""
    distinct = distinct or Distinct.of(values)
    row = distinct.first_row(distinct.marked(mark))
    return None if row is None else (row + 1, str(values.iloc[row]).strip())


def column_mark(
    name: str, series: pd.Series, decimal: str, distinct: Distinct | None
) -> Evidence | None:
    """The decimal mark ``series`` (parsed with ``decimal``; ``distinct`` its values if
    it is text) shows, if any: a float column with a fraction was written with
    ``decimal``; a text column by the cells that can only be one mark's numbers (the more
    common one, by cells)."""
    if pd.api.types.is_float_dtype(series):
        row = _first_fraction(series.to_numpy(dtype=float))
        return None if row is None else Evidence(str(name), decimal, row + 1, str(series.iloc[row]))
    if distinct is None:
        return None
    hits = {mark: distinct.marked(mark) for mark in ",."}
    cells = {mark: int(distinct.counts[found].sum()) for mark, found in hits.items()}
    if cells[","] == cells["."]:
        return None
    mark = max(cells, key=cells.__getitem__)
    row = distinct.first_row(hits[mark])
    assert row is not None  # the mark has cells
    return Evidence(str(name), mark, row + 1, str(series.iloc[row]).strip())


def whole_file_decimal(
    df: pd.DataFrame, sep: str, decimal: str, text: dict[str, Distinct]
) -> tuple[str, list[TableWarning]]:
    """The decimal mark most columns of ``df`` (read with ``sep`` and ``decimal``; ``text``
    the distinct values of its text columns) agree on, and the warning to give when it is
    not ``decimal`` (the guess from the first rows; it stands on a tie). A comma-separated
    file has a decimal point (quoted "2,5" cells are a column's own, see
    :mod:`models.engine.tables`)."""
    if sep == ",":
        return decimal, []
    evidence = [
        e for name in df.columns if (e := column_mark(name, df[name], decimal, text.get(name)))
    ]
    votes = Counter(e.mark for e in evidence)
    other = "," if decimal == "." else "."
    if votes[other] <= votes[decimal]:
        return decimal, []
    shown = "; ".join(e.said() for e in evidence if e.mark == other)
    if other == ",":
        warning = TableWarning(
            "decimal_comma",
            "Numbers are written with a decimal comma: 2,5 was read as 2.5, and 1.234,5 as "
            f"1234.5. The first rows had none, the rest of the file does: {shown}.",
            reading={"decimal": ","},
        )
    else:
        warning = TableWarning(
            "decimal_point",
            "Numbers are written with a decimal point, though the first rows looked like "
            f"decimal commas: {shown}.",
            reading={"decimal": "."},
        )
    return other, [warning]


def refuse_a_second_separator(df: pd.DataFrame, sep: str, text: dict[str, Distinct]) -> None:
    """Refuse a table with a row that has cells missing at its end and whose text holds,
    instead, exactly the header's width of another separator: the rows were joined from
    files written with different separators, and would be read as a few cells of text.

    ``text`` holds the distinct values of ``df``'s text columns: each is searched once.
    """
    width = df.shape[1]
    if width < 2:
        return
    short = np.flatnonzero(df.iloc[:, -1].isna().to_numpy())
    if sep != ",":
        # Such a row holds no ``sep`` (a comma file's rows may: decimal commas), so it is
        # one cell: a text column with commas beside an empty last one is not such a row.
        short = short[~df.iloc[short, 1:].notna().to_numpy().any(axis=1)]
        text = {name: d for name, d in text.items() if name == df.columns[0]}
    if not len(short) or not text:
        return
    for other in DELIMITERS:
        if other == sep:
            continue
        count = np.zeros(len(short), dtype=np.int64)
        for distinct in text.values():
            per_value = distinct.text.str.count(re.escape(other)).to_numpy()
            codes = distinct.codes[short]
            count += np.where(codes >= 0, per_value[np.maximum(codes, 0)], 0)
        found = np.flatnonzero(count == width - 1)
        if len(found):
            row = int(short[found[0]])
            line = sep.join("" if pd.isna(v) else str(v) for v in df.iloc[row])
            raise DatasetError(
                f"row {row + 1} is separated by {NAMES[other]}, not {NAMES[sep]} as the "
                f"header is ({line[:EXAMPLE_CHARS]!r}): the file mixes separators; save it "
                "again with one separator throughout and upload that",
                field="file",
            )
