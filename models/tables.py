"""Read an uploaded CSV into a DataFrame and profile its columns."""

from __future__ import annotations

import csv
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from models.exceptions import DatasetError

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class ColumnProfile:
    """One column as the profile reports it."""

    name: str
    dtype: str  # integer | float | boolean | string
    n_missing: int
    n_unique: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sniff_delimiter(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES).decode("utf-8-sig", errors="ignore")
    first_line = head.splitlines()[0] if head else ""
    try:
        return csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # The sniffer gives up on one-column or irregular files; count on the header.
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_table(path: Path, *, max_rows: int, max_columns: int) -> pd.DataFrame:
    """Parse the CSV at ``path``; raise :class:`DatasetError` naming the reason.

    UTF-8 (with or without a BOM), any of ``, ; tab |`` as the delimiter (sniffed), quoted
    fields and CRLF line ends are accepted. Limits are enforced while reading.
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
                path, sep=sep, encoding="utf-8-sig", nrows=max_rows + 1, index_col=False
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
    if len(values) and values.map(lambda v: isinstance(v, bool)).all():
        return "boolean"
    return "string"


def profile_columns(df: pd.DataFrame) -> list[ColumnProfile]:
    """Name, dtype, missing and distinct counts for every column, in order."""
    return [
        ColumnProfile(
            name=str(name),
            dtype=column_dtype(df[name]),
            n_missing=int(df[name].isna().sum()),
            n_unique=int(df[name].nunique(dropna=True)),
        )
        for name in df.columns
    ]
