"""How an uploaded file is written: its encoding, separator and decimal mark.

:func:`detect` looks at the file at upload and returns a :class:`Reading` with the
:class:`TableWarning` for each thing it had to guess. Each of those warnings carries
the option it set (its ``reading``), and the dataset stores its warnings: so
:meth:`Reading.recorded` rebuilds the same reading when a worker loads the table to
train on it, and training sees exactly the types the profile reported.

The separator and decimal mark are guessed from the first SNIFF_BYTES; the encoding (and
whether the file is text at all) from one pass over every byte (:func:`_scan`). The
guesses from the head are then checked against the whole parsed table
(:mod:`models.engine.tables`): a wrong one is corrected, or the file refused.
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

import pandas as pd

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
    "utf-32": "UTF-32",
    "utf-16-le": "UTF-16 little-endian, without a byte-order mark",
    "utf-16-be": "UTF-16 big-endian, without a byte-order mark",
    "utf-32-le": "UTF-32 little-endian, without a byte-order mark",
    "utf-32-be": "UTF-32 big-endian, without a byte-order mark",
}
# The UTF-32-LE mark (FF FE 00 00) starts with the UTF-16-LE one (FF FE): test it first.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Text in UTF-16 or UTF-32 without a byte-order mark: mostly Latin text has a NUL byte at
# the same places of every 2 or 4 bytes. (position of each NUL byte, of each other byte)
# within the unit; the byte at ``nul`` positions is NUL in at least WIDE_NUL_SHARE of the
# units, the one at ``letters`` in at most half.
WIDE_NUL_SHARE = 0.9
NUL_PATTERNS = (
    ("utf-32-le", 4, (2, 3), (0,)),
    ("utf-32-be", 4, (0, 1), (3,)),
    ("utf-16-le", 2, (1,), (0,)),
    ("utf-16-be", 2, (0,), (1,)),
)
# The windows of a file whose share of control bytes is checked (see MAX_CONTROL_SHARE).
CONTROL_WINDOW = SNIFF_BYTES

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
    a file of decimal points (quoted ``"2,5"`` in a comma-separated file), and
    ``point_decimal`` those written with a decimal point in a file of decimal commas. ``dropped``
    names the columns left out (as pandas names them: ``Unnamed: 3``), unnamed ones with
    nothing in them or a row index.
    """

    sep: str | None = ","
    encoding: str = "utf-8-sig"
    decimal: str = "."
    strip_nul: bool = False
    numeric: tuple[str, ...] = ()
    comma_decimal: tuple[str, ...] = ()
    point_decimal: tuple[str, ...] = ()
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
        lists = ("comma_decimal", "point_decimal", "dropped")  # each warning adds its columns
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
        if column in self.comma_decimal:
            return ","
        return "." if column in self.point_decimal else self.decimal

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


@dataclass(frozen=True)
class Scan:
    """What one pass over every byte of a file found: the encoding that decodes all of
    it, its NUL bytes (in a file of one byte a character), and the line of the first byte
    that is not UTF-8 (None if all are)."""

    encoding: str
    nul: int = 0
    not_utf8_line: int | None = None


def wide_encoding(head: bytes) -> str | None:
    """UTF-32 or UTF-16 (which byte order, when no mark says) for a file starting with
    ``head``: from its byte-order mark, else from where its NUL bytes are; None for a
    file of one byte a character."""
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding
    for encoding, width, nul, letters in NUL_PATTERNS:
        units = len(head) // width
        if units < 2:
            continue
        share = [head[i : units * width : width].count(0) / units for i in range(width)]
        if all(share[i] >= WIDE_NUL_SHARE for i in nul) and all(share[i] <= 0.5 for i in letters):
            return encoding
    return None


_CONTROL_CHARACTERS = dict.fromkeys(CONTROL_BYTES)


def _control_count(data: bytes | str) -> int:
    if isinstance(data, str):
        return len(data) - len(data.translate(_CONTROL_CHARACTERS))
    return len(data) - len(data.translate(None, CONTROL_BYTES))


def _refuse_control(data: bytes | str, offset: int, line: int) -> None:
    """Refuse a file with more than MAX_CONTROL_SHARE control characters in a window of
    CONTROL_WINDOW (bytes, or characters of a UTF-16/32 file) of ``data``, the part of
    the file that starts ``offset`` into it, on ``line``: random or compressed bytes have
    about 10 %; a table followed by a binary tail is not text either."""
    for start in range(0, len(data), CONTROL_WINDOW):
        window = data[start : start + CONTROL_WINDOW]
        control = _control_count(window)
        if offset + start == 0 and control > MAX_CONTROL_SHARE * len(window):
            raise DatasetError(
                f"the file is not text ({control} of its first {len(window)} bytes are control "
                "characters): upload the table as a CSV file",
                field="file",
            )
        if control > MAX_CONTROL_SHARE * CONTROL_WINDOW:
            where = line + data.count("\n" if isinstance(data, str) else b"\n", 0, start)
            raise DatasetError(
                f"the file is not text from line {where} on ({control} of the "
                f"{len(window)} characters from there are control characters, as in binary "
                "data): upload the table alone as a CSV file",
                field="file",
            )


def _scan(path: Path, wide: str | None) -> Scan:
    """Read every byte once: the first of ENCODINGS that decodes the whole file (or
    ``wide``, UTF-16 or UTF-32, which must), its NUL bytes, and text all through (see
    :func:`_refuse_control`)."""
    if wide:
        return _scan_wide(path, wide)
    nul, lines, offset, not_utf8 = 0, 1, 0, None
    utf8 = codecs.getincrementaldecoder(ENCODINGS[0])()
    with path.open("rb") as f:
        while chunk := f.read(SCAN_BYTES):
            nul += chunk.count(b"\x00")
            _refuse_control(chunk, offset, lines)
            if not_utf8 is None:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as exc:
                    not_utf8 = lines + chunk.count(b"\n", 0, max(exc.start, 0))
            lines += chunk.count(b"\n")
            offset += len(chunk)
    if not_utf8 is None:
        try:
            utf8.decode(b"", final=True)
            return Scan(ENCODINGS[0], nul)
        except UnicodeDecodeError:
            not_utf8 = lines
    encoding = next(e for e in ENCODINGS[1:] if e == ENCODINGS[-1] or _decodes(path, e))
    return Scan(encoding, nul, not_utf8)


def _scan_wide(path: Path, encoding: str) -> Scan:
    """:func:`_scan` of a UTF-16 or UTF-32 file: refused, naming the encoding, where it
    does not decode."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines, offset = 1, 0
    try:
        with path.open("rb") as f:
            while chunk := f.read(SCAN_BYTES):
                text = decoder.decode(chunk)
                _refuse_control(text, offset, lines)
                lines += text.count("\n")
                offset += len(text)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"the file is not {ENCODING_NAMES[encoding]} text, as its first bytes say "
            f"({exc.reason} on line {lines} or the next); save it as CSV UTF-8 and upload that",
            field="file",
        ) from exc
    return Scan(encoding)


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


def marked(values: pd.Series, mark: str) -> pd.Series:
    """Which strings of ``values`` can only be numbers written with the decimal ``mark``
    ("2,5" and "1.234.567" for a comma; "2.5" and "1,234,567" for a point), vectorised."""
    text = values.astype(str).str.strip()
    if mark == ",":
        decimal, thousands = _COMMA_DECIMAL, _DOT_THOUSANDS
    else:
        decimal, thousands = _DOT_DECIMAL, _COMMA_THOUSANDS
    ambiguous = text.str.fullmatch(_AMBIGUOUS).fillna(False).astype(bool)
    found = text.str.fullmatch(decimal).fillna(False).astype(bool) & ~ambiguous
    return found | text.str.fullmatch(thousands).fillna(False).astype(bool)


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


def _refuse_other_formats(head: bytes) -> None:
    """Refuse a file whose first bytes say it is a workbook, an archive, a web page…"""
    for pattern, what in OTHER_FORMATS:
        if pattern.match(head):
            raise DatasetError(f"the file is not a CSV table: it is {what}", field="file")


def detect(path: Path) -> tuple[Reading, list[TableWarning]]:
    """How ``path`` is written, and a warning for each thing that is not the default;
    :class:`DatasetError` for a file that is not text (a workbook, an archive)."""
    with path.open("rb") as f:
        _refuse_other_formats(first := f.read(SNIFF_BYTES))
    scan = _scan(path, wide_encoding(first))
    encoding, nul = scan.encoding, scan.nul
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
        where = "" if scan.not_utf8_line is None else f" (from line {scan.not_utf8_line} on)"
        warnings.append(
            TableWarning(
                "encoding",
                f"The file is not UTF-8{where}; it was read as {ENCODING_NAMES[encoding]}. "
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
