"""read_table parses what users upload and refuses what it cannot; profile_columns summarises."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.engine.reading import SNIFF_BYTES, Reading
from models.engine.tables import (
    ColumnProfile,
    Table,
    column_dtype,
    load_table,
    profile_columns,
    read_table,
)
from models.exceptions import DatasetError

LIMITS = {"max_rows": 100, "max_columns": 20}

WriteCsv = Callable[[bytes], Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write raw bytes to a fresh .csv file under tmp_path and return its path."""
    counter = iter(range(1_000))

    def write(content: bytes) -> Path:
        path = tmp_path / f"upload-{next(counter)}.csv"
        path.write_bytes(content)
        return path

    return write


def read(path: Path, **limits: int) -> pd.DataFrame:
    return read_table(path, **(LIMITS | limits))


def load(path: Path, **limits: int) -> Table:
    return load_table(path, **(LIMITS | limits))


# --- parsing -----------------------------------------------------------------------------


def test_reads_a_plain_csv_with_types(write_csv):
    # given a comma-separated file with an int, a float and a text column
    path = write_csv(b"a,b,c\n1,2.5,x\n2,3.5,y\n")
    # when it is read
    df = read(path)
    # then the columns, values and dtypes come through
    assert list(df.columns) == ["a", "b", "c"]
    assert df["a"].tolist() == [1, 2]
    assert df["b"].tolist() == [2.5, 3.5]
    assert df["c"].tolist() == ["x", "y"]
    assert [column_dtype(df[c]) for c in df.columns] == ["integer", "float", "string"]


@pytest.mark.parametrize(
    ("content", "description"),
    [
        (b"a,b\n1,2\n3,4\n", "commas"),
        ("\ufeffa,b\n1,2\n3,4\n".encode(), "utf-8 bom"),
        (b"a,b\r\n1,2\r\n3,4\r\n", "crlf"),
        (b"a;b\n1;2\n3;4\n", "semicolons"),
        (b"a\tb\n1\t2\n3\t4\n", "tabs"),
        (b"a|b\n1|2\n3|4\n", "pipes"),
        ("\ufeffa;b\r\n1;2\r\n3;4\r\n".encode(), "bom, semicolons and crlf"),
        (b"a,b\n1,2\n3,4", "no final newline"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_reads_the_same_table_whatever_the_dialect(write_csv, content, description):
    # given the same two-by-two table written in one of the accepted dialects
    path = write_csv(content)
    # when it is read
    df = read(path)
    # then the header is clean (no BOM, no \r) and the values are integers
    assert list(df.columns) == ["a", "b"], description
    assert df.to_dict("list") == {"a": [1, 3], "b": [2, 4]}


@pytest.mark.parametrize(
    ("content", "expected_text"),
    [
        (b'id,text\n1,"a, b, c"\n2,"d, e"\n', ["a, b, c", "d, e"]),
        (b'id;text\n1;"a, b, c"\n2;"d, e"\n', ["a, b, c", "d, e"]),
        (b"id\ttext\n1\ta, b, c\n2\td, e\n", ["a, b, c", "d, e"]),
        (b'id,text\n1,"a; b"\n2,"say ""hi"""\n', ["a; b", 'say "hi"']),
        (b'id|text\n1|"a, b; c"\n2|"d\te, f"\n', ["a, b; c", "d\te, f"]),
    ],
    ids=[
        "comma-quoted",
        "semicolon-quoted",
        "tab-unquoted",
        "comma-escaped-quote",
        "pipe-quoted-mixed",
    ],
)
def test_keeps_delimiters_inside_quoted_fields(write_csv, content, expected_text):
    # given a text column whose values contain commas or semicolons
    path = write_csv(content)
    # when it is read
    df = read(path)
    # then those values are not split
    assert list(df.columns) == ["id", "text"]
    assert df["text"].tolist() == expected_text
    assert df["id"].tolist() == [1, 2]


def test_a_quoted_quotation_with_a_comma_does_not_mislead_the_delimiter(write_csv):
    # given a semicolon file whose first field quotes a quotation with a comma in it
    path = write_csv(b'quote;id\n"""Wait, what?"", he asked";1\nfine;2\n')
    # when it is read
    df = read(path)
    # then the semicolon is the delimiter and the quotation is one value
    assert list(df.columns) == ["quote", "id"]
    assert df["quote"].tolist() == ['"Wait, what?", he asked', "fine"]


def test_reads_a_quoted_field_spanning_lines(write_csv):
    # given a quoted value containing a newline
    path = write_csv(b'id,note\n1,"first line\nsecond line"\n2,plain\n')
    # when it is read
    df = read(path)
    # then the value keeps its newline and the row count is right
    assert df["note"].tolist() == ["first line\nsecond line", "plain"]


@pytest.mark.parametrize(
    "sep", [b",", b";", b"\t", b"|"], ids=["comma", "semicolon", "tab", "pipe"]
)
def test_reads_quoted_fields_with_newlines_and_delimiters_in_any_dialect(write_csv, sep):
    # given a note that spans lines and holds every candidate delimiter, first in the file
    note = b'"line one, with; all\tof|them\nline two"'
    path = write_csv(b"note" + sep + b"n\r\n" + note + sep + b"1\r\nplain" + sep + b"2\r\n")
    # when it is read
    df = read(path)
    # then the delimiter is found, and the note keeps its delimiters and line break
    assert list(df.columns) == ["note", "n"]
    assert df["note"].tolist() == ["line one, with; all\tof|them\nline two", "plain"]
    assert df["n"].tolist() == [1, 2]


def test_a_single_column_keeps_unquoted_punctuation_in_its_values(write_csv):
    # given one column of sentences, some with commas, none quoted
    path = write_csv(b"sentence\nthe cat sat\na dog, a bone\nno; not this\n")
    # when it is read
    df = read(path)
    # then each line is one value, not split on the punctuation
    assert df["sentence"].tolist() == ["the cat sat", "a dog, a bone", "no; not this"]


def test_a_column_that_turns_to_text_late_in_a_long_file_is_all_text(write_csv):
    # given numbers for 2**18 rows (pandas' chunk size) and then 30,000 words (over a tenth
    # of the cells), in the same column
    rows = b"".join(b"%d,1\n" % i for i in range(2**18))
    words = b"".join(b"x%d,1\n" % i for i in range(30_000))
    path = write_csv(b"code,n\n" + rows + words)
    # when it is read
    df = read(path, max_rows=300_000)
    # then every value is a string, never a mix of ints and strings that encoders reject
    assert {type(v) for v in df["code"]} == {str}
    assert column_dtype(df["code"]) == "string"


def test_a_word_late_in_a_long_column_of_numbers_is_a_missing_number(write_csv):
    # given numbers for 2**18 rows (pandas' chunk size) and then one word, in the same column
    rows = b"".join(b"%d,1\n" % i for i in range(2**18))
    path = write_csv(b"code,n\n" + rows + b"x7,1\n")
    # when it is read
    table = load(path, max_rows=300_000)
    # then the column is numbers, the word a missing value, and a warning says so
    code = table.frame["code"]
    assert column_dtype(code) == "integer" and code.isna().tolist()[-2:] == [False, True]
    assert [(w.code, w.column) for w in table.warnings] == [("odd_cells_missing", "code")]
    assert "1 cell (such as 'x7')" in table.warnings[0].message


def test_keeps_non_ascii_column_names_and_values(write_csv):
    # given a UTF-8 file with accented and CJK header names
    path = write_csv("größe,café,名前\n1,2,José\n3,4,Zoë\n".encode())
    # when it is read
    df = read(path)
    # then names and values survive unchanged
    assert list(df.columns) == ["größe", "café", "名前"]
    assert df["名前"].tolist() == ["José", "Zoë"]


@pytest.mark.parametrize(
    "content",
    [b"name\nalice smith\nbob jones\n", b'name\n"Smith, John"\n"Doe, Jane"\n'],
    ids=["plain", "quoted-commas"],
)
def test_reads_a_single_column_file(write_csv, content):
    # given a file with just one column
    path = write_csv(content)
    # when it is read
    df = read(path)
    # then it has exactly that column and two rows
    assert list(df.columns) == ["name"]
    assert len(df) == 2


def test_empty_cells_become_missing_values(write_csv):
    # given a file with empty cells
    path = write_csv(b"a,b\n1,\n,x\n3,y\n")
    # when it is read
    df = read(path)
    # then they are missing, not empty strings
    assert df["a"].isna().tolist() == [False, True, False]
    assert df["b"].isna().tolist() == [True, False, False]


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n\n", "no header"),
        (b"a,b\n", "no data rows"),
        (b"a,b\r\n", "no data rows"),
        (b"a,b\n1,2\n3,4,5\n", "malformed"),
        (b"a,,c\n1,2,3\n", "column 2 of the header has no name"),
        (b",b\n1,2\n", "column 1 of the header has no name"),
    ],
    ids=[
        "empty-file",
        "blank-lines",
        "header-only",
        "header-only-crlf",
        "row-too-long",
        "blank-middle-name",
        "blank-first-name",
    ],
)
def test_unreadable_files_raise_dataset_error_on_file(write_csv, content, message):
    # given a file that cannot become a table
    path = write_csv(content)
    # when it is read
    # then a DatasetError names the "file" field and says why
    with pytest.raises(DatasetError, match=message) as info:
        read(path)
    assert info.value.field == "file"
    assert info.value.errors == {"file": [info.value.detail]}


def test_rows_all_longer_than_the_header_raise_dataset_error(write_csv):
    # given a header of two names and data rows of three fields each
    path = write_csv(b"a,b\n1,2,3\n4,5,6\n")
    # when it is read
    # then the mismatch is reported instead of shifting the data under the wrong names
    with pytest.raises(DatasetError) as info:
        read(path)
    assert info.value.field == "file"


def test_row_limit_allows_exactly_max_rows(write_csv):
    # given a file with exactly max_rows data rows
    path = write_csv(b"a\n" + b"".join(b"%d\n" % i for i in range(5)))
    # when it is read with max_rows=5
    df = read(path, max_rows=5)
    # then every row is there
    assert df["a"].tolist() == [0, 1, 2, 3, 4]


def test_row_limit_rejects_one_row_more(write_csv):
    # given a file with max_rows + 1 data rows
    path = write_csv(b"a\n" + b"".join(b"%d\n" % i for i in range(6)))
    # when it is read with max_rows=5
    # then it is refused, naming the limit
    with pytest.raises(DatasetError, match="more than 5 rows") as info:
        read(path, max_rows=5)
    assert info.value.field == "file"


def test_column_limit_allows_exactly_max_columns(write_csv):
    # given a file with exactly max_columns columns
    path = write_csv(b"c0,c1,c2\n1,2,3\n")
    # when it is read with max_columns=3
    df = read(path, max_columns=3)
    # then every column is there
    assert df.shape == (1, 3)


def test_column_limit_rejects_one_column_more(write_csv):
    # given a file with max_columns + 1 columns
    path = write_csv(b"c0,c1,c2,c3\n1,2,3,4\n")
    # when it is read with max_columns=3
    # then it is refused, naming the limit
    with pytest.raises(DatasetError, match="more than 3 columns") as info:
        read(path, max_columns=3)
    assert info.value.field == "file"


# --- profiling ---------------------------------------------------------------------------


@pytest.fixture
def profiled(write_csv) -> dict[str, ColumnProfile]:
    """Profiles of a small table with one column of each kind, keyed by column name."""
    path = write_csv(
        b"n_int,n_float,flag,flag_gaps,label,int_gaps\n"
        b"1,0.5,true,True,red,1\n"
        b"2,1.5,false,,blue,\n"
        b"2,,true,False,red,3\n"
        b"3,2.5,false,True,,3\n"
    )
    return {p.name: p for p in profile_columns(read(path))}


@pytest.mark.parametrize(
    ("column", "dtype", "n_missing", "n_unique"),
    [
        ("n_int", "integer", 0, 3),
        ("n_float", "float", 1, 3),
        ("flag", "boolean", 0, 2),
        ("flag_gaps", "boolean", 1, 2),
        ("label", "string", 1, 2),
        ("int_gaps", "integer", 1, 2),
    ],
)
def test_profile_reports_dtype_missing_and_unique_counts(
    profiled, column, dtype, n_missing, n_unique
):
    # given the profile of a mixed table
    # when one column is looked up
    profile = profiled[column]
    # then its dtype, missing count and distinct count (missing excluded) are right
    assert (profile.dtype, profile.n_missing, profile.n_unique) == (dtype, n_missing, n_unique)


def test_profile_keeps_column_order(profiled):
    # given the profile of a table
    # when its names are listed
    # then they are in the file's column order
    assert list(profiled) == ["n_int", "n_float", "flag", "flag_gaps", "label", "int_gaps"]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (
            "n_float",
            {"name": "n_float", "dtype": "float", "n_missing": 1, "n_unique": 3}
            | {"mean_length": None, "share_with_spaces": None},
        ),
        (
            "label",
            {"name": "label", "dtype": "string", "n_missing": 1, "n_unique": 2}
            | {"mean_length": 3.33, "share_with_spaces": 0.0},
        ),
    ],
    ids=["number", "text"],
)
def test_profile_to_dict_has_plain_json_types(profiled, column, expected):
    # given a column profile
    # when it is turned into a dict
    out = profiled[column].to_dict()
    # then it has exactly the profile's fields as plain Python values
    assert out == expected
    assert all(type(v) in (str, int, float, type(None)) for v in out.values())


def test_profile_measures_text_length_and_spaces(write_csv):
    # given a text column of short codes and one of sentences, with a gap in each
    path = write_csv(b"code,comment\nab,\n,the food was cold\nabcd,fine\nabcdef,too slow\n")
    # when it is profiled
    profiles = {p.name: p for p in profile_columns(read(path))}
    # then the mean length and share with spaces describe the non-missing values only
    assert (profiles["code"].mean_length, profiles["code"].share_with_spaces) == (4.0, 0.0)
    assert profiles["comment"].mean_length == 9.67
    assert profiles["comment"].share_with_spaces == 0.667


def test_profile_stringifies_non_string_column_names():
    # given a DataFrame built in code with integer column names
    df = pd.DataFrame({0: [1, 2], 1: ["a", "b"]})
    # when it is profiled
    names = [p.name for p in profile_columns(df)]
    # then the names are strings
    assert names == ["0", "1"]


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        (pd.Series([1, 2, 3]), "integer"),
        (pd.Series([1.0, np.nan]), "integer"),
        (pd.Series([1.5, np.nan]), "float"),
        (pd.Series([True, False]), "boolean"),
        (pd.Series([True, None, False], dtype=object), "boolean"),
        (pd.Series([True, "yes"], dtype=object), "string"),
        (pd.Series(["a", None]), "string"),
        (pd.Series([None, None], dtype=object), "string"),
        (pd.Series([1, 2], dtype="Int64"), "integer"),
        (pd.Series([True, None], dtype="boolean"), "boolean"),
        (pd.Series(["yes", "no", "yes"]), "boolean"),
        (pd.Series(["Yes", None, "NO", " no "]), "boolean"),
        (pd.Series(["Y", "n"]), "boolean"),
        (pd.Series(["true", "False"], dtype=object), "boolean"),
        (pd.Series(["yes", "no", "maybe"]), "string"),
        (pd.Series(["yes", "n"]), "string"),
    ],
    ids=[
        "int64",
        "whole-float-with-nan",
        "float-with-nan",
        "bool",
        "object-bools-with-none",
        "mixed-bool-and-text",
        "text-with-none",
        "all-missing-object",
        "nullable-int",
        "nullable-bool",
        "yes-no",
        "yes-no-mixed-case-with-gap",
        "y-n",
        "true-false-text",
        "yes-no-maybe",
        "words-from-two-pairs",
    ],
)
def test_column_dtype_classifies_series(series, expected):
    # given a pandas series
    # when its dtype is classified
    # then it maps to one of the four profile dtypes
    assert column_dtype(series) == expected


def test_whole_numbers_with_gaps_are_integers(write_csv):
    # given a 0/1 column with a missing value, which pandas reads as floats
    df = read(write_csv(b"label,x\n0,1.5\n1,2.5\n,3.5\n1,4.0\n"))
    # then it is profiled as integer, while a true float column stays float
    dtypes = {c.name: c.dtype for c in profile_columns(df)}
    assert dtypes == {"label": "integer", "x": "float"}


def test_yes_no_columns_are_boolean_but_keep_their_words(write_csv):
    # given a yes/no column with a gap
    df = read(write_csv(b"smoker,n\nyes,1\nno,2\n,3\nYes,4\n"))
    # when it is profiled
    (smoker, _) = profile_columns(df)
    # then it is boolean, while the values stay the words a prediction request will carry
    assert (smoker.dtype, smoker.n_missing, smoker.n_unique) == ("boolean", 1, 3)
    assert df["smoker"].tolist()[:2] == ["yes", "no"]


@pytest.mark.parametrize("seed", range(5))
def test_text_shape_counted_on_distinct_values_equals_counting_every_value(seed):
    rng = np.random.default_rng(seed)
    words = ["a", "b c", "déjà vu", "  padded ", "x\ty", "long text with spaces", "é"]
    values = rng.choice([*words, None], size=2000, p=[0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    series = pd.Series(values, dtype=object)

    (profile,) = profile_columns(pd.DataFrame({"text": series}))

    present = series.dropna().astype(str)
    assert profile.mean_length == round(float(present.str.len().mean()), 2)
    assert profile.share_with_spaces == round(float(present.str.contains(r"\s").mean()), 3)


def test_booleans_with_gaps_and_yes_no_words_in_any_case_are_boolean():
    frame = pd.DataFrame(
        {
            "flag": pd.Series([True, None, False, True], dtype=object),
            "answer": [" Yes", "no", None, "NO "],
            "mixed": pd.Series([True, "yes", None, 1], dtype=object),
        }
    )

    dtypes = {p.name: p.dtype for p in profile_columns(frame)}

    assert dtypes == {"flag": "boolean", "answer": "boolean", "mixed": "string"}


# --- what the reader detects, and says ----------------------------------------------------


def written(value: object, decimal: str = ".", thousands: str = "") -> str:
    """``value`` as a spreadsheet writes it: 12345.5 is "12,345.50", or "12.345,50" in Europe."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    return text.replace(",", "_").replace(".", decimal).replace("_", thousands)


def twin_files(sep: str, thousands: str, n: int = 60) -> tuple[bytes, bytes]:
    """The same table as a standard CSV and as a European spreadsheet export (``sep``, a
    decimal comma, ``thousands``): amounts with gaps, counts, signed ratios, accented
    text, dates with dots, and a yes/no label."""
    rng = np.random.default_rng(7)
    rows = [
        [
            None if i % 9 == 4 else round(float(rng.uniform(0, 20_000)), 2),
            int(rng.integers(0, 5_000)),
            round(float(rng.normal(0, 2)), 2),
            str(rng.choice(["Köln", "Zürich", "Genève"])),
            f"{1 + i % 28:02d}.{1 + i % 12:02d}.2024",
            "ja" if i % 2 else "nein",
        ]
        for i in range(n)
    ]
    header = ["betrag", "anzahl", "quote", "stadt", "tag", "kauf"]

    def write(delimiter: str, decimal: str, grouping: str) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([written(v, decimal, grouping) for v in row] for row in rows)
        return out.getvalue().encode()

    return write(",", ".", ""), write(sep, ",", thousands)


@pytest.mark.parametrize(
    ("sep", "thousands"),
    [(";", ""), (";", "."), ("\t", " "), ("|", "\u00a0"), (";", "\u202f"), ("\t", ".")],
    ids=[
        "semicolon",
        "semicolon-dots",
        "tab-spaces",
        "pipe-nbsp",
        "semicolon-narrow-nbsp",
        "tab-dots",
    ],
)
def test_a_european_export_reads_as_its_standard_twin(write_csv, sep, thousands):
    # given a table written as a standard CSV and as a European spreadsheet export
    standard, european = twin_files(sep, thousands)
    # when both are read
    twin = load(write_csv(standard))
    table = load(write_csv(european))
    # then they are the same table, with the same types and the same profile
    pd.testing.assert_frame_equal(table.frame, twin.frame)
    assert profile_columns(table.frame) == profile_columns(twin.frame)
    assert column_dtype(table.frame["betrag"]) == "float"
    assert column_dtype(table.frame["tag"]) == "string"  # 01.02.2024 is a date, not 1022024
    # and the European file says what was guessed; the standard one has nothing to say
    codes = [w.code for w in table.warnings]
    assert codes[:2] == ["dialect_guessed", "decimal_comma"]
    assert ("thousands_separator" in codes) is bool(thousands)
    assert twin.warnings == []


def test_a_semicolon_file_with_decimal_points_keeps_them(write_csv):
    # given semicolons between columns, but numbers written with a decimal point
    table = load(write_csv(b"x;y\n1.5;a\n2.25;b\n1.234;c\n"))
    # then the points are decimal points, and only the separator was guessed
    assert table.frame["x"].tolist() == [1.5, 2.25, 1.234]
    assert [w.code for w in table.warnings] == ["dialect_guessed"]
    assert "semicolons" in table.warnings[0].message


def test_quoted_numbers_with_thousands_commas_are_numbers(write_csv):
    # given a comma-separated file whose big numbers are quoted with thousands commas
    table = load(write_csv(b'amount,n\n"1,234.5",1\n"2,000",2\n3,3\n'))
    # then they are numbers, and a warning names the column
    assert table.frame["amount"].tolist() == [1234.5, 2000.0, 3.0]
    (warning,) = table.warnings
    assert warning.code == "thousands_separator" and "'amount'" in warning.message


def test_quoted_decimal_commas_in_a_comma_separated_file_are_numbers(write_csv):
    # given a comma-separated file of decimal points, where one column's numbers are
    # quoted with a decimal comma (as some spreadsheets export), one with a thousand
    table = load(write_csv(b'x,price,n\n1.5,"2,5",1\n2.25,"1.234,75",2\n3,"7",3\n'))
    # then that column is numbers, read with its own decimal comma, and the rest as before
    assert table.frame["price"].tolist() == [2.5, 1234.75, 7.0]
    assert table.frame["x"].tolist() == [1.5, 2.25, 3.0]
    assert column_dtype(table.frame["price"]) == "float"
    # and one warning names the column and says how it was read
    (warning,) = table.warnings
    assert (warning.code, warning.column) == ("column_decimal_comma", "price")
    assert "2,5 as 2.5" in warning.message


@pytest.mark.parametrize(
    "cells",
    [["1,234", "2,000"], ["a,b", "c,d"], ["1,2,3", "4,5,6"], ["2,5", "x", "y", "z"]],
    ids=["thousands", "words", "lists", "mostly-words"],
)
def test_quoted_cells_with_commas_that_are_not_decimal_numbers_are_not_read_as_them(
    write_csv, cells
):
    # given a quoted column of thousands, words, lists, or words with one "2,5"
    rows = "".join(f'"{cell}",{i}\n' for i, cell in enumerate(cells))
    table = load(write_csv(f"v,n\n{rows}".encode()))
    # then thousands stay thousands and the rest stays text, with no decimal-comma guess
    values = table.frame["v"].tolist()
    assert values == ([1234, 2000] if cells[0] == "1,234" else cells)
    assert "column_decimal_comma" not in [w.code for w in table.warnings]


@pytest.mark.parametrize(
    "content",
    [b"a,b,y,\n1,2,x,\n3,4,z,\n", b"a;b;y;\r\n1,5;2;x;\r\n3,5;4;z;\r\n"],
    ids=["commas", "semicolons-decimal-commas"],
)
def test_a_separator_at_the_end_of_every_line_adds_no_column(write_csv, content):
    # given a file whose lines all end with a separator (as some exports write them)
    table = load(write_csv(content))
    # then the empty, unnamed last column is left out, and a warning says so
    assert list(table.frame.columns) == ["a", "b", "y"]
    assert table.frame["y"].tolist() == ["x", "z"]
    (dropped,) = [w for w in table.warnings if w.code == "column_dropped"]
    assert dropped.message.startswith("Column 4 has no name and no values")


@pytest.mark.parametrize("start", [0, 1])
def test_a_written_row_index_is_left_out(write_csv, start):
    # given a table saved with pandas' to_csv, which writes the index as an unnamed column
    df = pd.DataFrame({"a": [1.5, 2.5, 3.5], "y": ["x", "y", "x"]})
    df.index += start
    table = load(write_csv(df.to_csv().encode()))
    # then the index is left out, and the table is the one that was saved
    pd.testing.assert_frame_equal(table.frame, df.reset_index(drop=True))
    (dropped,) = table.warnings
    assert dropped.code == "column_dropped"
    assert f"numbers the rows {start}, {start + 1}" in dropped.message


@pytest.mark.parametrize(
    ("content", "position"),
    [
        (b",a,y\n5,1,x\n9,2,y\n12,3,z\n", 1),
        (b"a,,y\n1,,x\n2,7,y\n", 2),
        (b"a,y,\n1,x,0\n2,y,1\n", 3),
    ],
    ids=["first-not-a-count", "middle-with-a-value", "last-counting"],
)
def test_an_unnamed_column_with_data_is_refused_naming_its_position(write_csv, content, position):
    with pytest.raises(DatasetError) as info:
        load(write_csv(content))
    assert info.value.detail.startswith(f"column {position} of the header has no name")
    assert info.value.field == "file"


@pytest.mark.parametrize(
    ("content", "sep"),
    [
        (b"sep=;\na;b;y\n1,5;2;x\n3;4;z\n", ";"),
        (b"SEP=,\r\na,b,y\r\n1.5,2,x\r\n3,4,z\r\n", ","),
        (b"sep=|\na|b|y\n1.5|2|x\n3|4|z\n", "|"),
    ],
    ids=["semicolon", "comma-upper-case-crlf", "pipe"],
)
def test_excel_s_sep_line_names_the_separator_and_is_not_a_row(write_csv, content, sep):
    # given a file whose first line is Excel's "sep=" hint
    table = load(write_csv(content))
    # then the table starts on the next line, split by the separator named there
    assert table.frame.to_dict("list") == {"a": [1.5, 3.0], "b": [2, 4], "y": ["x", "z"]}
    assert table.warnings[0].code == "sep_line"
    assert table.reading.sep == sep and table.reading.sep_line
    assert "dialect_guessed" not in [w.code for w in table.warnings]


def _zipped(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, content)
    return out.getvalue()


TABLE = b"a,b\n1,x\n2,y\n"


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (_zipped("xl/workbook.xml", b"<workbook/>"), "Excel workbook (.xlsx); save it as CSV"),
        (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504), "Excel 97-2003 workbook (.xls)"),
        (gzip.compress(TABLE), "gzip-compressed; upload the CSV uncompressed"),
        (bz2.compress(TABLE), "bzip2-compressed"),
        (lzma.compress(TABLE), "xz-compressed"),
        (b"PAR1\x15\x04" + bytes(200), "a Parquet file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", "a PDF document"),
        (b"SQLite format 3\x00" + bytes(200), "an SQLite database"),
        (b"\xef\xbb\xbf\n  <!DOCTYPE html><html><table></table></html>", "an HTML page"),
        (b'[\n  {"a": 1, "b": "x"},\n  {"a": 2, "b": "y"}\n]', "JSON records"),
        (b'{"a": {"0": 1}, "b": {"0": "x"}}', "a JSON document"),
    ],
    ids=[
        "xlsx",
        "xls",
        "gzip",
        "bzip2",
        "xz",
        "parquet",
        "pdf",
        "sqlite",
        "html",
        "json",
        "json-doc",
    ],
)
def test_a_file_in_another_format_is_refused_saying_what_it_is(write_csv, content, what):
    with pytest.raises(DatasetError) as info:
        load(write_csv(content))
    assert info.value.detail.startswith("the file is not a CSV table: it is ")
    assert what in info.value.detail and info.value.field == "file"


def test_a_binary_file_of_no_known_format_is_refused_as_not_text(write_csv):
    # given bytes of every value (control characters among them), as in binary files
    content = bytes(range(256)) * 40
    with pytest.raises(DatasetError) as info:
        load(write_csv(content))
    assert info.value.detail.startswith("the file is not text (1040 of its first 10240 bytes")


def test_nul_padding_after_a_table_is_not_taken_for_a_binary_file(write_csv):
    # given a table followed by a block of NUL bytes (a preallocated file cut short)
    table = load(write_csv(TABLE + bytes(4096)))
    # then the NULs are removed, as stray NULs are, and the table is read
    assert table.frame["b"].tolist() == ["x", "y"]
    assert [w.code for w in table.warnings] == ["nul_removed"]


def test_a_csv_whose_header_starts_like_a_format_is_still_a_table(write_csv):
    table = load(write_csv(b"PK,BZh,name\n1,2,{x}\n3,4,[y]\n"))
    assert list(table.frame.columns) == ["PK", "BZh", "name"]


def test_nul_bytes_are_removed_and_never_turn_numbers_into_text(write_csv):
    # given NUL bytes alone in a cell, inside a number and after a word
    table = load(write_csv(b"x,y\n1.5,a\n\x00,b\n2\x00.5,c\n3,d\x00\n"))
    # then the numbers stay numbers (the NUL-only cell is missing) and the text is clean
    assert table.frame["x"].tolist()[::2] == [1.5, 2.5] and np.isnan(table.frame["x"][1])
    assert column_dtype(table.frame["x"]) == "float"
    assert table.frame["y"].tolist() == ["a", "b", "c", "d"]
    (warning,) = table.warnings
    assert warning.code == "nul_removed" and "3 NUL bytes" in warning.message


def test_a_column_of_numbers_with_a_few_odd_cells_is_numbers_with_those_cells_missing(write_csv):
    # given a column of 40 numbers where four cells say "n/a", "-", "?" and "#DIV/0!"
    cells = [f"{i * 1.5}" for i in range(40)]
    cells[3], cells[7], cells[20], cells[30] = "n/a", "-", "?", "#DIV/0!"
    path = write_csv(("price,n\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))).encode())
    # when it is read
    table = load(path)
    # then the column is numbers, with exactly those cells missing
    price = table.frame["price"]
    assert column_dtype(price) == "float"
    assert price.isna().sum() == 4 and price[39] == 58.5
    # and a warning names the column, counts the odd cells (n/a is a missing value anyway)
    (warning,) = table.warnings
    assert (warning.code, warning.column) == ("odd_cells_missing", "price")
    assert "3 cells (such as '-', '?', '#DIV/0!')" in warning.message


def test_a_column_with_many_words_among_numbers_stays_text(write_csv):
    # given a column where a quarter of the cells are words
    cells = ["1", "2", "3", "large"] * 10
    table = load(write_csv(("size\n" + "\n".join(cells) + "\n").encode()))
    # then it is text, untouched
    assert column_dtype(table.frame["size"]) == "string" and table.warnings == []


@pytest.mark.parametrize(
    ("content", "encoding", "words", "text"),
    [
        ("name;prix\nCafé;2,5\nNaïve;3\n".encode("cp1252"), "cp1252", "Windows-1252", "Café"),
        (b"name,n\nx\x81y,1\nz,2\n", "latin-1", "Latin-1", "x\x81y"),
        ("name\tn\ncafé\t1\nz\t2\n".encode("utf-16"), "utf-16", "UTF-16", "café"),
    ],
    ids=["cp1252", "latin-1", "utf-16-with-bom"],
)
def test_a_file_that_is_not_utf8_is_read_in_the_encoding_that_fits(
    write_csv, content, encoding, words, text
):
    # given a file saved in another encoding than UTF-8
    table = load(write_csv(content))
    # then its text is read right, and a warning says which encoding was used
    assert table.frame["name"][0] == text
    assert table.reading.encoding == encoding
    assert table.warnings[0].code == "encoding" and words in table.warnings[0].message


def test_a_plain_utf8_file_has_no_warnings(write_csv):
    table = load(write_csv("\ufeffa,b\r\n1,x\r\n2.5,y\r\n".encode()))
    assert table.warnings == [] and table.reading.sep == ","


@pytest.mark.parametrize(
    ("header", "named"),
    [
        (b"a,b,a,c", "'a' (columns 1, 3)"),
        (b"a;b;a;b;a", "'a' (columns 1, 3, 5); 'b' (columns 2, 4)"),
        (b"a,a.1,a", "'a' (columns 1, 3)"),
    ],
    ids=["once", "twice-semicolons", "beside-pandas-rename"],
)
def test_a_header_that_repeats_a_name_is_refused_naming_it(write_csv, header, named):
    # given a header that repeats a column name (pandas would rename the repeat "a.1")
    sep = b";" if b";" in header else b","
    path = write_csv(header + b"\n" + sep.join([b"1"] * (header.count(sep) + 1)) + b"\n")
    # when it is read
    # then it is refused, naming each repeated name and where it is
    with pytest.raises(DatasetError, match="repeats column names") as info:
        read(path)
    assert named in info.value.detail and info.value.field == "file"


@pytest.mark.parametrize(
    "content",
    [
        twin_files(";", ".")[1],
        b"x,y\n1.5,a\n\x00,b\n2\x00.5,c\n" + b"".join(b"%d,z\n" % i for i in range(30)) + b"-,q\n",
        "name;prix\nCafé;2,5\nNaïve;?\n".encode("cp1252")
        + b"".join(b"x;%d\n" % i for i in range(20)),
        b'amount|n\n"1,234.5"|1\n2|2\n',
        "a\tb\n1,5\tx\n".encode("utf-16"),
        b'x,price\n1.5,"2,5"\n2,"1.234,75"\n3,-\n'
        + b"".join(b'%d,"%d,5"\n' % (i, i) for i in range(20)),
        b"a;b;y;\n1,5;2;x;\n3,5;4;z;\n",
        pd.DataFrame({"a": [1.5, 2.5, 3.5], "y": ["x", "y", "x"]}).to_csv().encode(),
        "sep=;\r\na;b\r\n1,5;x\r\n".encode("utf-16"),
    ],
    ids=[
        "european",
        "nul-and-odd-cells",
        "cp1252-odd-cell",
        "thousands-pipes",
        "utf-16",
        "quoted-decimal-commas",
        "trailing-separators",
        "pandas-index",
        "excel-sep-line-utf-16",
    ],
)
def test_the_recorded_reading_reads_the_table_again_to_the_same_frame(write_csv, content):
    # given an upload read with guesses, and what a dataset stores of it
    path = write_csv(content)
    table = load(path)
    stored = [w.to_dict() for w in table.warnings]
    profiles = [p.to_dict() for p in profile_columns(table.frame)]
    # when a worker reads it again from the stored warnings and profile
    again = read_table(path, **LIMITS, reading=Reading.recorded(stored, profiles))
    # then it gets exactly the same frame
    pd.testing.assert_frame_equal(again, table.frame)


def test_a_dataset_stored_before_warnings_is_read_as_it_was(write_csv):
    # given a semicolon file with decimal commas, stored without warnings (null)
    path = write_csv(b"x;y\n1,5;a\n2,5;b\n")
    profiles = [{"name": "x", "dtype": "string"}, {"name": "y", "dtype": "string"}]
    # when it is read from that record
    df = read_table(path, **LIMITS, reading=Reading.recorded(None, profiles))
    # then it is read as it was then: the separator sniffed, the numbers still text
    assert df["x"].tolist() == ["1,5", "2,5"]


# --- any bytes: a table or a DatasetError ---------------------------------------------------

SEPARATORS = ",;\t|"
ODD_CELLS = ["n/a", "-", "?", "", "\x00", "NaN", "inf", "1e5", "1,5e3", ".5", ",5", "+3", "--1"]
NUMBERS = st.floats(-1e9, 1e9, allow_nan=False)
CELLS = st.one_of(
    st.integers(-(10**15), 10**15).map(str),
    st.floats().map(repr),
    NUMBERS.map(written),
    NUMBERS.map(lambda x: written(x, ".", ",")),
    NUMBERS.map(lambda x: written(x, ",", ".")),
    NUMBERS.map(lambda x: written(x, ",", "\u00a0")),
    st.sampled_from([*ODD_CELLS, "1.2.3", "01.02.2020", "1,234", "1.234", '"', '""', "a\nb"]),
    st.text(
        alphabet=st.sampled_from(
            [*SEPARATORS, '"', "'", "\x00", "\r", "\n", " ", "é", "€", "字", "a", "1", ".", ","]
        ),
        max_size=8,
    ),
    st.text(max_size=6),
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A CSV as anything might write it: any cells and header names, any separator,
    quoted or not (so rows may be ragged), in one of the encodings people save in."""
    width = draw(st.integers(1, 4))
    header = draw(st.lists(st.one_of(st.text(max_size=6), CELLS), min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=12))
    sep = draw(st.sampled_from(SEPARATORS))
    if draw(st.booleans()):
        out = io.StringIO()
        csv.writer(
            out, delimiter=sep, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))
        ).writerows([header, *rows])
        text = out.getvalue()
    else:
        text = "".join(sep.join(row) + "\n" for row in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-32"]))
    return text.encode(encoding, errors="replace")


def read_or_refuse(path: Path) -> Table | None:
    """The table, or None when the reader refused the file with a DatasetError."""
    try:
        return load(path)
    except DatasetError as exc:
        assert exc.field == "file" and exc.detail
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=csv_files())
def test_any_csv_is_a_table_read_again_the_same_way_or_a_dataset_error(tmp_path_factory, content):
    # given any CSV file
    path = tmp_path_factory.mktemp("fuzz") / "upload.csv"
    path.write_bytes(content)
    # when it is read: it is refused with a DatasetError, or it is a table
    table = read_or_refuse(path)
    if table is None:
        return
    # that can be profiled, and that its recorded reading reads again identically
    profiles = [p.to_dict() for p in profile_columns(table.frame)]
    reading = Reading.recorded([w.to_dict() for w in table.warnings], profiles)
    pd.testing.assert_frame_equal(read_table(path, **LIMITS, reading=reading), table.frame)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=400))
def test_any_bytes_are_a_table_or_a_dataset_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("bytes") / "upload.csv"
    path.write_bytes(content)
    read_or_refuse(path)


# --- guesses from the first rows, checked on every row ----------------------------------
# The separator and decimal mark are guessed from the first SNIFF_BYTES; each file below
# holds more than that before the rest contradicts the guess.


def beyond_the_head(line: Callable[[int], str], header: str, tail: list[str]) -> bytes:
    """``header``, then ``line(i)`` for as many rows as fill the first SNIFF_BYTES and
    more, then the ``tail`` rows."""
    rows, size, i = [header], len(header), 0
    while size < SNIFF_BYTES + 1000:
        rows.append(line(i))
        size, i = size + len(rows[-1]) + 1, i + 1
    return ("\n".join(rows + tail) + "\n").encode()


def test_decimal_commas_only_after_the_first_rows_are_numbers_and_said(write_csv):
    # given a semicolon file of whole numbers for 64 KiB, with decimal commas after
    content = beyond_the_head(lambda i: f"{1000 + i};{i % 7}", "x;n", ["5123,45;1", "-0,5;2"])
    # when it is read
    table = load(write_csv(content), max_rows=20_000)
    # then x is numbers, the late ones read with their decimal comma
    x = table.frame["x"]
    assert column_dtype(x) == "float" and x.tolist()[-2:] == [5123.45, -0.5]
    assert table.reading.decimal == ","
    # and a warning says so, naming the column and the row that showed it
    (warning,) = [w for w in table.warnings if w.code == "decimal_comma"]
    assert f"column 'x' has '5123,45' in row {len(x) - 1}" in warning.message
    # and the recorded reading reads the same table again
    profiles = [p.to_dict() for p in profile_columns(table.frame)]
    reading = Reading.recorded([w.to_dict() for w in table.warnings], profiles)
    again = read(write_csv(content), max_rows=20_000, reading=reading)
    pd.testing.assert_frame_equal(again, table.frame)


def test_late_decimal_commas_in_one_column_of_a_file_of_decimal_points(write_csv):
    # given a semicolon file whose column a has decimal points, and b whole numbers then,
    # late, decimal commas
    content = beyond_the_head(lambda i: f"{i}.5;{i}", "a;b", ["1.5;2,25"])
    # when it is read
    table = load(write_csv(content), max_rows=20_000)
    # then each column is read with its own mark, and b's is said with its row
    assert table.frame["a"].iloc[-1] == 1.5 and table.frame["b"].iloc[-1] == 2.25
    assert table.reading.decimal == "." and table.reading.comma_decimal == ("b",)
    (warning,) = [w for w in table.warnings if w.code == "column_decimal_comma"]
    assert warning.column == "b" and f"'2,25' in row {len(table.frame)}" in warning.message


def test_late_decimal_points_in_a_file_of_decimal_commas_are_that_column_s_own(write_csv):
    # given a European file (decimal commas in a), whose column b turns to decimal points
    content = beyond_the_head(lambda i: f"{i},5;{i}", "a;b", ["1,5;2.25", "2,5;3.5"])
    # when it is read
    table = load(write_csv(content), max_rows=20_000)
    # then b is numbers read with its decimal point, and a warning names it and its row
    assert table.frame["a"].iloc[-1] == 2.5 and table.frame["b"].tolist()[-2:] == [2.25, 3.5]
    assert table.reading.decimal == "," and table.reading.point_decimal == ("b",)
    (warning,) = [w for w in table.warnings if w.code == "column_decimal_point"]
    assert warning.column == "b" and f"row {len(table.frame) - 1}" in warning.message
    profiles = [p.to_dict() for p in profile_columns(table.frame)]
    reading = Reading.recorded([w.to_dict() for w in table.warnings], profiles)
    pd.testing.assert_frame_equal(
        read(write_csv(content), max_rows=20_000, reading=reading), table.frame
    )


def test_a_file_whose_first_rows_alone_have_decimal_commas_is_read_with_decimal_points(
    write_csv,
):
    # given a semicolon file where only a has decimal commas in the first rows, and two
    # columns show decimal points after
    content = beyond_the_head(lambda i: f"{i},5;{i};{i}", "a;b;c", ["1,5;2.25;3.5"])
    # when it is read
    table = load(write_csv(content), max_rows=20_000)
    # then the file's mark is the point most columns show, a keeps its own comma
    assert table.frame.iloc[-1].tolist() == [1.5, 2.25, 3.5]
    assert table.reading.decimal == "." and table.reading.comma_decimal == ("a",)
    codes = [w.code for w in table.warnings]
    assert "decimal_point" in codes and "decimal_comma" not in codes
    (warning,) = [w for w in table.warnings if w.code == "decimal_point"]
    assert f"column 'b' has '2.25' in row {len(table.frame)}" in warning.message
    profiles = [p.to_dict() for p in profile_columns(table.frame)]
    reading = Reading.recorded([w.to_dict() for w in table.warnings], profiles)
    pd.testing.assert_frame_equal(
        read(write_csv(content), max_rows=20_000, reading=reading), table.frame
    )


@pytest.mark.parametrize(
    ("line", "header", "tail", "expected"),
    [
        (lambda i: f"{i},5;x", "n;t", ["1.234,5;y", "12.345.678,5;z"], [1234.5, 12345678.5]),
        (lambda i: f"{i}.5,x", "n,t", ['"1,234.5",y', '"12,345,678.5",z'], [1234.5, 12345678.5]),
        (lambda i: f"{i}.5;x", "n;t", ["1 234.5;y", "12 345 678.5;z"], [1234.5, 12345678.5]),
    ],
    ids=["european", "standard", "spaces"],
)
def test_late_thousands_separators_are_numbers(write_csv, line, header, tail, expected):
    table = load(write_csv(beyond_the_head(line, header, tail)), max_rows=20_000)
    assert table.frame["n"].tolist()[-2:] == expected


@pytest.mark.parametrize(
    ("header", "line", "tail", "said"),
    [
        ("x;n;y", lambda i: f"{i};{i % 7};1", ["5123,3,1", "17,2,0"], "separated by commas"),
        ("x,n,y", lambda i: f"{i},{i % 7},1", ["5123;3;1"], "separated by semicolons"),
        ("x,n,y", lambda i: f"{i},{i % 7},1", ["5123,45;3;1"], "separated by semicolons"),
    ],
    ids=["commas-after-semicolons", "semicolons-after-commas", "with-a-decimal-comma"],
)
def test_rows_with_another_separator_after_the_first_rows_are_refused_naming_the_row(
    write_csv, header, line, tail, said
):
    # given a file whose later rows are written with another separator
    content = beyond_the_head(line, header, tail)
    # then it is refused, naming the first such row and the separators
    with pytest.raises(DatasetError) as info:
        load(write_csv(content), max_rows=20_000)
    rows = content.decode().count("\n") - 1 - len(tail) + 1
    assert f"row {rows} is {said}" in info.value.detail and info.value.field == "file"


def test_text_with_commas_beside_an_empty_last_column_is_not_taken_for_another_separator(
    write_csv,
):
    # given a semicolon file whose comments hold two commas (the header's width less one)
    content = beyond_the_head(
        lambda i: f"{i};red, green, blue;", "n;comment;extra", ["1;one, two, three;"]
    )
    # then it is read as written
    table = load(write_csv(content), max_rows=20_000)
    assert table.frame["comment"].iloc[-1] == "one, two, three"
    assert table.frame["extra"].isna().all()


def test_late_words_in_a_column_of_numbers_are_missing_and_their_first_row_named(write_csv):
    content = beyond_the_head(lambda i: f"{i};{i % 7}", "x;n", ["oops;1", "n.a.;2"])
    table = load(write_csv(content), max_rows=20_000)
    assert column_dtype(table.frame["x"]) == "integer"
    (warning,) = [w for w in table.warnings if w.code == "odd_cells_missing"]
    assert f"the first in row {len(table.frame) - 1}" in warning.message


def test_a_column_of_numbers_whose_first_distinct_values_are_words_is_numbers(write_csv):
    # given 300 distinct words first, then 5,000 rows of a few numbers (94 % of the cells)
    cells = [f"w{i}" for i in range(300)] + [str(i % 50) for i in range(5000)]
    table = load(write_csv(("c\n" + "\n".join(cells) + "\n").encode()), max_rows=10_000)
    # then the column is numbers, the words missing
    c = table.frame["c"]
    assert column_dtype(c) == "integer" and c.isna().sum() == 300
    assert [w.code for w in table.warnings] == ["odd_cells_missing"]


def test_an_id_looking_column_that_repeats_after_the_first_rows_is_profiled_on_every_row(
    write_csv,
):
    # given a text column distinct in its first 3,000 rows, then 30,000 rows of 5 values
    cells = [f"c{i}" for i in range(3000)] + [f"c{i % 5}" for i in range(30_000)]
    table = load(
        write_csv(("c,n\n" + "".join(f"{c},1\n" for c in cells)).encode()), max_rows=40_000
    )
    (profile,) = [p for p in profile_columns(table.frame) if p.name == "c"]
    assert profile.n_unique == 3000 and profile.dtype == "string"


def test_bytes_that_are_not_utf8_after_the_first_rows_choose_the_encoding_and_name_the_line(
    write_csv,
):
    content = beyond_the_head(lambda i: f"{i},name{i}", "n,name", [])
    content += "1,Café\n".encode("cp1252")
    table = load(write_csv(content), max_rows=20_000)
    assert table.frame["name"].iloc[-1] == "Café" and table.reading.encoding == "cp1252"
    lines = content.count(b"\n")
    assert f"not UTF-8 (from line {lines} on)" in table.warnings[0].message


def test_a_table_followed_by_binary_data_is_refused_naming_the_line(write_csv):
    # given a table of more than the first 64 KiB, then 100 KB of binary data
    table = beyond_the_head(lambda i: f"{i},x", "n,t", [])
    # then it is refused as not text, from a line of the table's end on
    with pytest.raises(DatasetError) as info:
        load(write_csv(table + bytes(range(256)) * 400), max_rows=20_000)
    line = int(info.value.detail.removeprefix("the file is not text from line ").split()[0])
    assert table.count(b"\n") - 10_000 < line <= table.count(b"\n") + 1


WIDE_TABLE = "name,price,n\ncafé,2.5,1\n€ and Ω,3,2\nnaïve,,3\n" * 20


@pytest.mark.parametrize(
    "encoding", ["utf-32", "utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be", "utf-16"]
)
def test_utf16_and_utf32_with_or_without_a_byte_order_mark_read_as_the_utf8_table(
    write_csv, encoding
):
    # given the same table in UTF-8 and in a wide encoding (with a BOM, or without: -le/-be)
    plain = read(write_csv(WIDE_TABLE.encode()))
    # when the wide file is read
    table = load(write_csv(WIDE_TABLE.encode(encoding)))
    # then it is the same table, and the encoding is said
    pd.testing.assert_frame_equal(table.frame, plain)
    assert list(table.frame.columns) == ["name", "price", "n"]
    assert table.warnings[0].code == "encoding"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-32-be"])
def test_a_wide_file_without_a_byte_order_mark_that_does_not_decode_is_refused_naming_it(
    write_csv, encoding
):
    content = WIDE_TABLE.encode(encoding) + b"\x00\xd8\x00\xd8" * 3  # lone surrogates
    with pytest.raises(DatasetError) as info:
        load(write_csv(content))
    assert "is not UTF-" in info.value.detail and "without a byte-order mark" in info.value.detail
