"""Read an uploaded CSV into a DataFrame and profile its columns."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.engine.guesses import (
    first_marked,
    is_text,
    refuse_a_second_separator,
    whole_file_decimal,
)
from models.engine.isolation import TrialCrashed, call_once
from models.engine.numbers import Distinct, as_numbers
from models.engine.reading import (
    Reading,
    TableWarning,
    detect,
    open_bytes,
    sniff,
)
from models.exceptions import DatasetError

# Text columns whose values (lower-cased, trimmed) all come from one of these pairs are
# yes/no answers, so they are profiled as boolean. Their values stay as uploaded: the model
# must predict on raw rows, where they are still "yes" and "no".
BOOLEAN_WORDS = ({"yes", "no"}, {"y", "n"}, {"true", "false"})
# What a column profile's ``dtype`` can be (see :func:`column_dtype`).
DTYPES = ("integer", "float", "boolean", "string")


@dataclass(frozen=True)
class ColumnProfile:
    """One column as the profile reports it.

    ``mean_length`` and ``share_with_spaces`` describe the non-missing values of text
    columns (None for other dtypes), so preprocessing can tell free text from categories.
    """

    name: str
    dtype: str  # integer | float | boolean | string
    n_missing: int
    n_unique: int
    mean_length: float | None = None
    share_with_spaces: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TableSummary:
    """What an upload records about its table, and what the reader had to guess."""

    n_rows: int
    n_columns: int
    columns: list[ColumnProfile]
    warnings: list[TableWarning] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    """A parsed table, how it was read, and what the reader had to guess."""

    frame: pd.DataFrame
    reading: Reading
    warnings: list[TableWarning]


def inspect_table(path: Path, *, max_rows: int, max_columns: int) -> TableSummary:
    """:func:`load_table` and :func:`profile_columns` in a child process; raises
    :class:`DatasetError` as :func:`load_table` does.

    The caller's memory does not grow with the table: the API reads uploads of hundreds of
    megabytes (pandas needs several times the file's size), and a process that exits gives
    all of it back, where a long-lived one keeps much of it. The child is forked (no start-up
    cost beyond the fork) and holds none of the caller's sockets or files. In the API's
    gevent worker, the request waits for it without holding up the others.
    """
    try:
        kind, value = call_once(_inspect_here, str(path), max_rows, max_columns)
    except TrialCrashed as exc:
        raise DatasetError(f"the table could not be read ({exc})", field="file") from exc
    if kind == "error":
        raise DatasetError(value, field="file")
    return value


def _inspect_here(path: str, max_rows: int, max_columns: int) -> tuple[str, TableSummary | str]:
    try:
        table = load_table(Path(path), max_rows=max_rows, max_columns=max_columns)
    except DatasetError as exc:
        return "error", exc.detail
    df = table.frame
    return "ok", TableSummary(len(df), df.shape[1], profile_columns(df), table.warnings)


def load_table(
    path: Path,
    *,
    max_rows: int,
    max_columns: int,
    reading: Reading | None = None,
    columns: list[str] | None = None,
    head: int | None = None,
) -> Table:
    """Parse the CSV at ``path``; raise :class:`DatasetError` naming the reason.

    Without ``reading`` (an upload) the reader detects how the file is written (see
    :func:`models.engine.reading.detect`): UTF-8 with or without a BOM, else Windows-1252
    or Latin-1 (or UTF-16 with a BOM); any of ``, ; tab |`` as the separator; a decimal
    comma; NUL bytes (left out). Text columns that are mostly numbers (thousands
    separators, a few odd cells) become numbers. A header that repeats a name is refused.
    Each guess is a warning, and the returned :attr:`Table.reading` says how to read the
    file again to the same table. With ``reading`` (a recorded one) nothing is guessed.
    The separator and decimal mark, guessed from the first rows, are checked on every row
    (:mod:`models.engine.guesses`): a decimal mark the rest contradicts is corrected and the
    file read again; a separator that changes is refused.

    ``columns`` reads only those columns; ``head`` only the first rows (no row limit).
    Quoted fields (with delimiters, quotes or newlines inside) and CRLF line ends are
    accepted. Limits are enforced while reading.
    """
    path = Path(path)
    if path.stat().st_size == 0:
        raise DatasetError("the file is empty", field="file")
    warnings: list[TableWarning] = []
    detecting = reading is None
    if reading is None:
        reading, warnings = detect(path)
    elif reading.sep is None:
        reading = replace(reading, sep=sniff(path))
    nrows = max_rows + 1 if head is None else head
    df = _parse(path, reading, columns, nrows)
    if head is None and len(df) > max_rows:
        raise DatasetError(f"the table has more than {max_rows} rows", field="file")
    if df.shape[1] > max_columns:
        raise DatasetError(f"the table has more than {max_columns} columns", field="file")
    if df.empty and head is None:
        raise DatasetError("the table has a header but no data rows", field="file")
    if detecting:
        header = _check_header(path, reading, df)
        df, reading, found = _drop_unnamed(df, header, reading)
        warnings += found
        text = _distinct_text(df)
        refuse_a_second_separator(df, str(reading.sep), text)
        decimal, found = whole_file_decimal(df, str(reading.sep), reading.decimal, text)
        if decimal != reading.decimal:  # the first rows' guess, contradicted by the rest
            reading = replace(reading, decimal=decimal)
            warnings = [w for w in warnings if w.code != "decimal_comma"] + found
            df = _parse(path, reading, columns, nrows).drop(columns=list(reading.dropped))
            text = _distinct_text(df)
        reading, found = _numbers_in_text(df, reading, text)
        warnings += found
    else:
        df = df.drop(columns=[name for name in reading.dropped if name in df.columns])
        for name in reading.numeric:
            if name in df.columns and is_text(df[name]):
                df[name] = as_numbers(df[name], reading.decimal_of(name), force=True).values
    return Table(df, reading, warnings)


def read_table(
    path: Path, *, max_rows: int, max_columns: int, reading: Reading | None = None
) -> pd.DataFrame:
    """The DataFrame of :func:`load_table`."""
    return load_table(path, max_rows=max_rows, max_columns=max_columns, reading=reading).frame


def _parse(path: Path, reading: Reading, columns: list[str] | None, nrows: int) -> pd.DataFrame:
    return _read_csv(
        path,
        reading,
        usecols=columns,
        nrows=nrows,
        index_col=False,
        # In chunks, a column can come out as numbers in one chunk and text in another: a
        # mix of ints and strings that no encoder accepts.
        low_memory=False,
    )


def _read_csv(path: Path, reading: Reading, **options: Any) -> pd.DataFrame:
    """``pandas.read_csv`` as ``reading`` says, its errors a :class:`DatasetError`."""
    try:
        with warnings.catch_warnings(), open_bytes(path, reading) as f:
            # Rows longer than the header would be cut short (or, without index_col=False,
            # shift the data under the wrong names): refuse them.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            if reading.sep_line:
                options["skiprows"] = 1  # "sep=;"
            return pd.read_csv(
                f, sep=reading.sep, encoding=reading.encoding, decimal=reading.decimal, **options
            )
    except pd.errors.ParserWarning as exc:
        raise DatasetError(f"the CSV is malformed: {exc}", field="file") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"the file is not {reading.encoding} text: {exc.reason}", field="file"
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise DatasetError("the file has no header row", field="file") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise DatasetError(f"the CSV is malformed: {exc}".strip(), field="file") from exc


def _check_header(path: Path, reading: Reading, df: pd.DataFrame) -> list[str]:
    """The header's names as written; repeated names are refused (pandas would rename a
    repeat ``a.1``)."""
    header = _parse_header(path, reading)
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        if name:  # empty names: see _drop_unnamed
            positions.setdefault(name, []).append(position)
    repeated = {name: where for name, where in positions.items() if len(where) > 1}
    if repeated:
        names = "; ".join(
            f"{name!r} (columns {', '.join(map(str, where))})" for name, where in repeated.items()
        )
        raise DatasetError(
            f"the header repeats column names: {names}; give each column its own name",
            field="file",
        )
    return header


def _drop_unnamed(
    df: pd.DataFrame, header: list[str], reading: Reading
) -> tuple[pd.DataFrame, Reading, list[TableWarning]]:
    """Leave out the columns with no name in the header that hold nothing (a separator at
    the end of every line) or, first, number the rows (the index ``DataFrame.to_csv``
    writes); refuse any other, naming its position."""
    dropped, warnings, refused = [], [], []
    for position, (written, name) in enumerate(zip(header, df.columns, strict=False), start=1):
        if written:
            continue
        column = df[name]
        if column.isna().all():
            reason = "has no name and no values (a separator at the end of each line)"
        elif position == 1 and _is_row_index(column):
            reason = (
                f"has no name and numbers the rows {column.iloc[0]}, {column.iloc[1]}, … "
                "(the index pandas' to_csv writes)"
            )
        else:
            refused.append(str(position))
            continue
        dropped.append(str(name))
        warnings.append(
            TableWarning(
                "column_dropped",
                f"Column {position} {reason}; it was left out.",
                reading={"dropped": [str(name)]},
            )
        )
    if refused:
        which = "column " if len(refused) == 1 else "columns "
        raise DatasetError(
            f"{which}{', '.join(refused)} of the header {'has' if len(refused) == 1 else 'have'} "
            "no name; name each column, or delete the ones you do not need, and upload again",
            field="file",
        )
    if not dropped:
        return df, reading, []
    return df.drop(columns=dropped), replace(reading, dropped=tuple(dropped)), warnings


def _is_row_index(column: pd.Series) -> bool:
    """Whether ``column`` counts the rows from 0 or 1, as a written index does."""
    if len(column) < 2 or not pd.api.types.is_integer_dtype(column):
        return False
    start = column.iloc[0]
    return start in (0, 1) and bool(
        (column.to_numpy() == np.arange(start, start + len(column))).all()
    )


def _parse_header(path: Path, reading: Reading) -> list[str]:
    """The header's names exactly as written (pandas' own header renames repeats)."""
    row = _read_csv(
        path, reading, header=None, nrows=1, dtype=str, keep_default_na=False, index_col=False
    )
    return [str(name) for name in row.iloc[0]]


def _distinct_text(df: pd.DataFrame) -> dict[str, Distinct]:
    """The distinct values of each text column of ``df``, by name."""
    return {name: Distinct.of(df[name]) for name in df.columns if is_text(df[name])}


def _numbers_in_text(
    df: pd.DataFrame, reading: Reading, text: dict[str, Distinct]
) -> tuple[Reading, list[TableWarning]]:
    """Turn the text columns (``text``: their distinct values) that are mostly numbers
    into numbers, in place; say which.

    A column is read with the file's decimal mark or, where some of its cells (in any
    row) can only be numbers written with the other mark ("2,5" in a file of decimal
    points) and that leaves fewer cells that are not numbers, with that one: the
    column's own mark, recorded in the reading.
    """
    converted, grouped, warnings = [], [], []
    own: dict[str, list[str]] = {",": [], ".": []}
    other = "," if reading.decimal == "." else "."
    for name, distinct in text.items():
        numbers = as_numbers(df[name], reading.decimal, distinct=distinct)
        if evidence := first_marked(df[name], other, distinct):
            mine = as_numbers(df[name], other, distinct=distinct)
            if mine is not None and (numbers is None or mine.n_odd < numbers.n_odd):
                numbers = mine
                own[other].append(str(name))
                warnings.append(_own_mark_warning(str(name), other, *evidence))
        if numbers is None:
            continue
        df[name] = numbers.values
        converted.append(str(name))
        if numbers.grouped and str(name) not in own[other]:
            grouped.append(str(name))
        if numbers.n_odd:
            cells = "cell" if numbers.n_odd == 1 else "cells"
            examples = ", ".join(repr(value) for value in numbers.odd_examples)
            warnings.append(
                TableWarning(
                    "odd_cells_missing",
                    f"Column {str(name)!r} holds numbers except in {numbers.n_odd} {cells} "
                    f"(such as {examples}), the first in row {numbers.first_odd_row}; it was "
                    "read as numbers, with those cells missing.",
                    column=str(name),
                )
            )
    if grouped:
        example = "1.234,5 as 1234.5" if reading.decimal == "," else "1,234.5 as 1234.5"
        names = ", ".join(repr(name) for name in grouped)
        warnings.append(
            TableWarning(
                "thousands_separator",
                f"Numbers in {names} group their digits with a thousands separator; they were "
                f"read as numbers ({example}).",
            )
        )
    reading = replace(reading, comma_decimal=tuple(own[","]), point_decimal=tuple(own["."]))
    return reading.with_numeric(converted), warnings


def _own_mark_warning(name: str, mark: str, row: int, cell: str) -> TableWarning:
    """The warning for a column written with the other decimal ``mark`` than its file."""
    if mark == ",":
        return TableWarning(
            "column_decimal_comma",
            f"Column {name!r} writes its numbers with a decimal comma (such as {cell!r} in "
            f"row {row}): they were read as numbers, 2,5 as 2.5 and 1.234,5 as 1234.5.",
            column=name,
            reading={"comma_decimal": [name]},
        )
    return TableWarning(
        "column_decimal_point",
        f"Column {name!r} writes its numbers with a decimal point (such as {cell!r} in row "
        f"{row}) where the rest of the file has decimal commas: they were read as numbers, "
        "2.5 as 2.5 and 1,234.5 as 1234.5.",
        column=name,
        reading={"point_decimal": [name]},
    )


def _is_yes_no(values: pd.Series) -> bool:
    """Whether every value is a word from one of the BOOLEAN_WORDS pairs."""
    if not len(values) or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return False
    words = {value.strip().lower() for value in pd.unique(values)}
    return any(words <= pair for pair in BOOLEAN_WORDS)


def column_dtype(series: pd.Series) -> str:
    """``integer``, ``float``, ``boolean`` or ``string`` for a parsed column."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        values = series.dropna()
        # pandas reads whole numbers with gaps as floats; they are still integers.
        if series.isna().any() and len(values) and (values % 1 == 0).all():
            return "integer"
        return "float"
    values = series.dropna()
    if len(values) and pd.api.types.infer_dtype(values, skipna=False) == "boolean":
        return "boolean"
    if _is_yes_no(values):
        return "boolean"
    return "string"


def _text_shape(series: pd.Series) -> tuple[float | None, float | None]:
    """Mean length of the non-missing values and the share of them containing whitespace.

    Computed on the distinct values, weighted by how often each occurs: a category column
    of a million rows has a handful of them.
    """
    counts = series.dropna().astype(str).value_counts(sort=False)
    if not len(counts):
        return None, None
    weights = counts.to_numpy()
    values = pd.Series(counts.index, dtype=object)
    lengths = values.str.len().to_numpy()
    spaced = values.str.contains(r"\s", regex=True).to_numpy(dtype=bool)
    total = weights.sum()
    mean_length = round(float((lengths * weights).sum() / total), 2)
    share_with_spaces = round(float(weights[spaced].sum() / total), 3)
    return mean_length, share_with_spaces


def profile_columns(df: pd.DataFrame) -> list[ColumnProfile]:
    """Name, dtype, missing and distinct counts for every column, in order.

    Text columns also get their mean length and share of values with spaces.
    """
    profiles = []
    for name in df.columns:
        series = df[name]
        dtype = column_dtype(series)
        mean_length, share_with_spaces = _text_shape(series) if dtype == "string" else (None, None)
        profiles.append(
            ColumnProfile(
                name=str(name),
                dtype=dtype,
                n_missing=int(series.isna().sum()),
                n_unique=int(series.nunique(dropna=True)),
                mean_length=mean_length,
                share_with_spaces=share_with_spaces,
            )
        )
    return profiles
