"""How an uploaded file is written: its encoding, separator and decimal mark.

:func:`detect` looks at the file once, at upload, and returns a :class:`Reading` with
the :class:`TableWarning` for each thing it had to guess. Each of those warnings carries
the option it set (its ``reading``), and the dataset stores its warnings: so
:meth:`Reading.recorded` rebuilds the same reading when a worker loads the table to
train on it, and training sees exactly the types the profile reported.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import IO, Any

from models.exceptions import DatasetError

SNIFF_BYTES = 64 * 1024
SCAN_BYTES = 1024 * 1024
DELIMITERS = ",;\t|"
SEPARATOR_NAMES = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}
# Tried in order; latin-1 decodes any bytes, so it is the last resort.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
ENCODING_NAMES = {
    "cp1252": "Windows-1252 (Western European)",
    "latin-1": "Latin-1 (ISO 8859-1)",
    "utf-16": "UTF-16",
}
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# The first bytes of files people upload instead of a CSV, and what to tell them.
SAVE_AS_CSV = "save it as CSV (in Excel: File > Save As > CSV UTF-8) and upload that"
_TEXT_START = rb"(?:\xef\xbb\xbf)?\s*"  # a UTF-8 BOM, blank space
OTHER_FORMATS = tuple(
    (re.compile(start), what)
    for start, what in (
        (rb"PK\x03\x04", f"a ZIP archive, such as an Excel workbook (.xlsx); {SAVE_AS_CSV}"),
        (rb"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", f"an Excel 97-2003 workbook (.xls); {SAVE_AS_CSV}"),
        (rb"\x1f\x8b", "gzip-compressed; upload the CSV uncompressed"),
        (rb"BZh[1-9]1AY&SY", "bzip2-compressed; upload the CSV uncompressed"),
        (rb"\xfd7zXZ\x00", "xz-compressed; upload the CSV uncompressed"),
        (rb"PAR1", "a Parquet file; write it out as CSV (pandas: to_csv) and upload that"),
        (rb"%PDF-", "a PDF document; export the table as CSV and upload that"),
        (rb"SQLite format 3\x00", "an SQLite database; export the table as CSV and upload that"),
        (_TEXT_START + rb"(?i:<!doctype html|<html)", "an HTML page; export the table as CSV"),
        (
            _TEXT_START + rb"\[\s*\{",
            "JSON records; write them out as CSV (pandas: read_json, then to_csv)",
        ),
        (_TEXT_START + rb'\{\s*"', "a JSON document; write the table out as CSV"),
    )
)
# Control bytes no text has (NUL aside: stray NULs are removed, see nul_removed). Random
# or compressed bytes have about 10 % of them; above this share of a file's head, it is
# not text.
CONTROL_BYTES = bytes([*range(1, 9), 11, 14, *range(16, 27), *range(28, 32), 127])
MAX_CONTROL_SHARE = 0.01
# Excel's first line naming the separator ("sep=;"), which it reads and writes.
_SEP_LINE = re.compile(r"sep=(?P<sep>[,;\t|])[ \t]*\r?\n", re.IGNORECASE)
# Cells that vote for a decimal mark. "1,234" and "1.234" could be either a decimal or a
# thousands separator: they vote only when nothing else does.
_GROUPS = r"[+-]?\d{1,3}(?:(?P<g>[.\s\u00a0\u202f'])\d{3})(?:(?P=g)\d{3})*"
_COMMA_DECIMAL = re.compile(rf"(?:{_GROUPS}|[+-]?\d*),\d+")
_DOT_DECIMAL = re.compile(r"(?:[+-]?\d{1,3}(?:,\d{3})+|[+-]?\d*)\.\d+")
_AMBIGUOUS = re.compile(r"[+-]?\d{1,3}[.,]\d{3}")
# Two or more groups of three (1.234.567) can only be thousands.
_DOT_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3}){2,}")
_COMMA_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3}){2,}")


@dataclass(frozen=True)
class TableWarning:
    """Something the reader guessed or changed, said in words a user understands.

    ``reading`` is the reader option the guess set (``{"sep": ";"}``); it is stored with
    the dataset but not shown.
    """

    code: str
    message: str
    column: str | None = None
    reading: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.column is not None:
            out["column"] = self.column
        if self.reading:
            out["reading"] = dict(self.reading)
        return out


@dataclass(frozen=True)
class Reading:
    """How to read a file: what :func:`detect` decided, and what a later read repeats.

    ``sep`` None means "sniff it" (datasets stored before readings were recorded).
    ``numeric`` names the columns to read as numbers: where pandas reads one as text (a
    thousands separator, an odd cell), its numbers are parsed and the other cells become
    missing values. ``comma_decimal`` names those of them written with a decimal comma in
    a file of decimal points (quoted ``"2,5"`` in a comma-separated file). ``dropped``
    names the columns left out (as pandas names them: ``Unnamed: 3``), unnamed ones with
    nothing in them or a row index.
    """

    sep: str | None = ","
    encoding: str = "utf-8-sig"
    decimal: str = "."
    strip_nul: bool = False
    numeric: tuple[str, ...] = ()
    comma_decimal: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    sep_line: bool = False  # the first line is Excel's "sep=;": skipped

    @classmethod
    def recorded(
        cls, warnings: list[dict[str, Any]] | None, profiles: list[dict[str, Any]]
    ) -> Reading:
        """The reading a dataset was uploaded with, from its stored warnings and profile.

        A dataset stored before warnings (``None``) was read with a sniffed separator,
        UTF-8, a decimal point and nothing else.
        """
        if warnings is None:
            return cls(sep=None)
        lists = ("comma_decimal", "dropped")  # each warning adds its columns
        known = {f.name for f in fields(cls)} - {"numeric", *lists}
        options: dict[str, Any] = {}
        columns: dict[str, list[str]] = {name: [] for name in lists}
        for warning in warnings:
            recorded = warning.get("reading") or {}
            options.update((k, v) for k, v in recorded.items() if k in known)
            for name in lists:
                columns[name] += recorded.get(name, [])
        numeric = tuple(p["name"] for p in profiles if p["dtype"] in ("integer", "float"))
        return cls(**options, numeric=numeric, **{k: tuple(v) for k, v in columns.items()})

    def decimal_of(self, column: str) -> str:
        """The decimal mark of ``column``'s numbers."""
        return "," if column in self.comma_decimal else self.decimal

    def with_numeric(self, columns: list[str]) -> Reading:
        """This reading, with ``columns`` read as numbers."""
        return replace(self, numeric=tuple(columns))


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while chunk := f.read(SCAN_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _scan(path: Path) -> tuple[str, int]:
    """The first of ENCODINGS that decodes the whole file, and its count of NUL bytes.

    A file starting with a UTF-16 byte-order mark (Excel's "Unicode text") is UTF-16.
    """
    with path.open("rb") as f:
        if f.read(2) in UTF16_BOMS:
            return "utf-16", 0
    nul, utf8 = 0, codecs.getincrementaldecoder(ENCODINGS[0])()
    is_utf8 = True
    with path.open("rb") as f:
        while chunk := f.read(SCAN_BYTES):
            nul += chunk.count(b"\x00")
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
            return ENCODINGS[0], nul
        except UnicodeDecodeError:
            pass
    encoding = next(e for e in ENCODINGS[1:] if e == ENCODINGS[-1] or _decodes(path, e))
    return encoding, nul


class _WithoutNul(io.RawIOBase):
    """A binary file with its NUL bytes left out (a NUL-only cell becomes empty)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while data := self._raw.read(len(buffer)):
            data = data.replace(b"\x00", b"")
            if data:
                buffer[: len(data)] = data
                return len(data)
        return 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_bytes(path: Path, reading: Reading) -> IO[bytes]:
    """The file's bytes as ``reading`` says to read them (without NULs if asked)."""
    raw = path.open("rb")
    if not reading.strip_nul:
        return raw
    return io.BufferedReader(_WithoutNul(raw), buffer_size=SCAN_BYTES)


def _head(path: Path, reading: Reading) -> tuple[str, bool]:
    """The first SNIFF_BYTES as text, and whether the file goes on after them."""
    with open_bytes(path, reading) as f:
        raw = f.read(SNIFF_BYTES)
    return raw.decode(reading.encoding, errors="ignore"), len(raw) == SNIFF_BYTES


def _rows(head: str, truncated: bool, delimiter: str) -> list[list[str]]:
    try:
        rows = [
            row for row in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter) if row
        ]
    except csv.Error:  # a field longer than csv's limit: this delimiter cannot tell
        return []
    if truncated and len(rows) > 1:
        rows = rows[:-1]  # the last row may be cut short mid-field
    return rows


def sniff_delimiter(head: str, truncated: bool) -> tuple[str, list[list[str]]]:
    """The delimiter that splits ``head`` into the most regular table, and its rows.

    Each candidate parses the head with :mod:`csv` (so quoted delimiters and newlines
    stay inside their field) and is scored by whether the header has several fields, the
    share of rows as wide as the header, then the width. ``csv.Sniffer`` was replaced
    because it guesses from character counts per line and is fooled by quoted text
    containing other delimiters or newlines.
    """
    best, best_rows, best_score = ",", [], (False, 0.0, 0, 0)
    for rank, delimiter in enumerate(DELIMITERS):
        rows = _rows(head, truncated, delimiter)
        if not rows:
            continue
        width = len(rows[0])
        body = rows[1:]
        regular = sum(len(row) == width for row in body) / len(body) if body else 1.0
        score = (width > 1, regular, width, -rank)  # ties go to the earlier delimiter
        if score > best_score:
            best, best_rows, best_score = delimiter, rows, score
    return best, best_rows


def sniff(path: Path) -> str:
    """The delimiter of a file read as UTF-8 (how datasets were read before detection)."""
    return sniff_delimiter(*_head(path, Reading()))[0]


def is_comma_decimal(cell: str) -> bool:
    """Whether ``cell`` can only be a number with a decimal comma ("2,5", "1.234,5")."""
    cell = cell.strip()
    return bool(_COMMA_DECIMAL.fullmatch(cell)) and not _AMBIGUOUS.fullmatch(cell)


def decimal_mark(rows: list[list[str]], sep: str) -> str:
    """``,`` when the numbers in ``rows`` (the data rows of the head) use a decimal comma.

    Only possible where the separator is not a comma. Unambiguous cells ("2,5",
    "1.234,5", "1.234.567") vote first; "1,234" and "1.234" decide only a tie.
    """
    if sep == ",":
        return "."
    votes: Counter[str] = Counter()
    for row in rows[1:]:
        for cell in row:
            cell = cell.strip()
            if not cell or not (cell[0].isdigit() or cell[0] in "+-.,"):
                continue
            if _AMBIGUOUS.fullmatch(cell):
                votes["weak," if "," in cell else "weak."] += 1
            elif _COMMA_DECIMAL.fullmatch(cell) or _DOT_THOUSANDS.fullmatch(cell):
                votes[","] += 1
            elif _DOT_DECIMAL.fullmatch(cell) or _COMMA_THOUSANDS.fullmatch(cell):
                votes["."] += 1
    if votes[","] != votes["."]:
        return "," if votes[","] > votes["."] else "."
    return "," if votes["weak,"] > votes["weak."] else "."


def _refuse_other_formats(path: Path) -> None:
    """Refuse a file whose first bytes say it is a workbook, an archive, a web page…"""
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    for pattern, what in OTHER_FORMATS:
        if pattern.match(head):
            raise DatasetError(f"the file is not a CSV table: it is {what}", field="file")
    if head.startswith(UTF16_BOMS):
        return  # two bytes a character: controls are parts of characters
    control = len(head) - len(head.translate(None, CONTROL_BYTES))
    if control > MAX_CONTROL_SHARE * len(head):
        raise DatasetError(
            f"the file is not text ({control} of its first {len(head)} bytes are control "
            "characters): upload the table as a CSV file",
            field="file",
        )


def detect(path: Path) -> tuple[Reading, list[TableWarning]]:
    """How ``path`` is written, and a warning for each thing that is not the default;
    :class:`DatasetError` for a file that is not text (a workbook, an archive)."""
    _refuse_other_formats(path)
    encoding, nul = _scan(path)
    reading = Reading(encoding=encoding, strip_nul=nul > 0)
    head, truncated = _head(path, reading)
    named = _SEP_LINE.match(head)
    if named:
        head = head[named.end() :]
    sep, rows = sniff_delimiter(head, truncated)
    if named:
        sep, rows = named["sep"], _rows(head, truncated, named["sep"])
    decimal = decimal_mark(rows, sep)
    reading = replace(reading, sep=sep, decimal=decimal, sep_line=bool(named))
    warnings = []
    if encoding != ENCODINGS[0]:
        warnings.append(
            TableWarning(
                "encoding",
                f"The file is not UTF-8; it was read as {ENCODING_NAMES[encoding]}. "
                "Check that accented letters look right, or upload it saved as UTF-8.",
                reading={"encoding": encoding},
            )
        )
    if nul:
        warnings.append(
            TableWarning(
                "nul_removed",
                f"The file contains {nul} NUL byte{'s' if nul > 1 else ''} (\\0), which "
                "were removed; a cell left empty is a missing value.",
                reading={"strip_nul": True},
            )
        )
    if named:
        warnings.append(
            TableWarning(
                "sep_line",
                f"The first line, {named[0].strip()}, names the separator (as Excel writes "
                "it); the table starts on the next line.",
                reading={"sep": sep, "sep_line": True},
            )
        )
    elif sep != ",":
        warnings.append(
            TableWarning(
                "dialect_guessed",
                f"The columns are separated by {SEPARATOR_NAMES[sep]}, found from the first rows.",
                reading={"sep": sep},
            )
        )
    if decimal == ",":
        warnings.append(
            TableWarning(
                "decimal_comma",
                "Numbers are written with a decimal comma, found from the first rows: "
                "2,5 was read as 2.5, and 1.234,5 as 1234.5.",
                reading={"decimal": ","},
            )
        )
    return reading, warnings
