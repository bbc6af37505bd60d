"""read_table parses what users upload and refuses what it cannot; profile_columns summarises."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.engine.tables import ColumnProfile, column_dtype, profile_columns, read_table
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
    # given numbers for 2**18 rows (pandas' chunk size) and then a word, in the same column
    rows = b"".join(b"%d,1\n" % i for i in range(2**18))
    path = write_csv(b"code,n\n" + rows + b"x7,1\n")
    # when it is read
    df = read(path, max_rows=300_000)
    # then every value is a string, never a mix of ints and strings that encoders reject
    assert {type(v) for v in df["code"]} == {str}
    assert column_dtype(df["code"]) == "string"


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
        ("a,b\ncaf\xe9,1\n".encode("latin-1"), "not UTF-8"),
        (b"a,b\n\xff\xfe,1\n", "not UTF-8"),
        (b"a,,c\n1,2,3\n", "empty column names"),
        (b",b\n1,2\n", "empty column names"),
    ],
    ids=[
        "empty-file",
        "blank-lines",
        "header-only",
        "header-only-crlf",
        "row-too-long",
        "latin-1",
        "invalid-bytes",
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
