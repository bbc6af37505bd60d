"""Read an uploaded CSV into a DataFrame and profile its columns."""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from models.engine.isolation import TrialCrashed, TrialProcess
from models.exceptions import DatasetError

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"

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
    """What an upload records about its table."""

    n_rows: int
    n_columns: int
    columns: list[ColumnProfile]


def inspect_table(path: Path, *, max_rows: int, max_columns: int) -> TableSummary:
    """:func:`read_table` and :func:`profile_columns` in a child process; raises
    :class:`DatasetError` as :func:`read_table` does.

    The caller's memory does not grow with the table: the API reads uploads of hundreds of
    megabytes (pandas needs several times the file's size), and a process that exits gives
    all of it back, where a long-lived one keeps much of it. The child is forked (no start-up
    cost beyond the fork) and holds none of the caller's sockets or files.
    """
    process = TrialProcess()
    try:
        kind, value = process.call(
            _inspect_here,
            str(path),
            max_rows,
            max_columns,
            context=(None, None),
            should_stop=lambda: False,
        )
    except TrialCrashed as exc:
        raise DatasetError(f"the table could not be read ({exc})", field="file") from exc
    finally:
        process.close()
    if kind == "error":
        raise DatasetError(value, field="file")
    return value


def _inspect_here(
    _context: None, path: str, max_rows: int, max_columns: int
) -> tuple[str, TableSummary | str]:
    try:
        df = read_table(Path(path), max_rows=max_rows, max_columns=max_columns)
    except DatasetError as exc:
        return "error", exc.detail
    return "ok", TableSummary(len(df), df.shape[1], profile_columns(df))


def _sniff_delimiter(path: Path) -> str:
    """The delimiter that splits the head of the file into the most regular table.

    Each candidate parses the first SNIFF_BYTES with :mod:`csv` (so quoted delimiters and
    newlines stay inside their field) and is scored by whether the header has several
    fields, the share of rows as wide as the header, then the width. ``csv.Sniffer`` was
    replaced because it guesses from character counts per line and is fooled by quoted
    text containing other delimiters or newlines.
    """
    with path.open("rb") as f:
        raw = f.read(SNIFF_BYTES)
    head = raw.decode("utf-8-sig", errors="ignore")
    truncated = len(raw) == SNIFF_BYTES
    best, best_score = ",", (False, 0.0, 0, 0)
    for rank, delimiter in enumerate(DELIMITERS):
        rows = [
            row for row in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter) if row
        ]
        if truncated and len(rows) > 1:
            rows = rows[:-1]  # the last row may be cut short mid-field
        if not rows:
            return ","
        width = len(rows[0])
        body = rows[1:]
        regular = sum(len(row) == width for row in body) / len(body) if body else 1.0
        score = (width > 1, regular, width, -rank)  # ties go to the earlier delimiter
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(path: Path, *, max_rows: int, max_columns: int) -> pd.DataFrame:
    """Parse the CSV at ``path``; raise :class:`DatasetError` naming the reason.

    UTF-8 (with or without a BOM), any of ``, ; tab |`` as the delimiter (sniffed), quoted
    fields (with delimiters, quotes or newlines inside) and CRLF line ends are accepted.
    Limits are enforced while reading.
    """
    path = Path(path)
    if path.stat().st_size == 0:
        raise DatasetError("the file is empty", field="file")
    sep = _sniff_delimiter(path)
    try:
        with warnings.catch_warnings():
            # Rows longer than the header would be cut short (or, without index_col=False,
            # shift the data under the wrong names): refuse them.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(
                path,
                sep=sep,
                encoding="utf-8-sig",
                nrows=max_rows + 1,
                index_col=False,
                # In chunks, a column can come out as numbers in one chunk and text in
                # another: a mix of ints and strings that no encoder accepts.
                low_memory=False,
            )
    except pd.errors.ParserWarning as exc:
        raise DatasetError(f"the CSV is malformed: {exc}", field="file") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(f"the file is not UTF-8 text: {exc.reason}", field="file") from exc
    except pd.errors.EmptyDataError as exc:
        raise DatasetError("the file has no header row", field="file") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise DatasetError(f"the CSV is malformed: {exc}".strip(), field="file") from exc
    if len(df) > max_rows:
        raise DatasetError(f"the table has more than {max_rows} rows", field="file")
    if df.shape[1] > max_columns:
        raise DatasetError(f"the table has more than {max_columns} columns", field="file")
    if df.empty:
        raise DatasetError("the table has a header but no data rows", field="file")
    unnamed = [str(c) for c in df.columns if str(c).startswith("Unnamed: ")]
    if unnamed:
        raise DatasetError(
            f"the header has empty column names ({', '.join(unnamed)})", field="file"
        )
    return df


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
