"""A submit's data checks are answered once per table and check-relevant spec fields: many
small jobs on one table read it once, and every answer, refusals and warnings included, is
the one the rows gave (issue 17). Over HTTP, through the Flask app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from models.engine import data_checks
from tests.unit.test_api import assert_problem
from tests.unit.test_api_data import submit, table, upload


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The data checks' reads of a table (each in a child process), as they happen."""
    seen: list[str] = []
    call_once = data_checks.call_once

    def counted(function: Callable[..., Any], *args: Any) -> Any:
        seen.append(args[2].target)
        return call_once(function, *args)

    monkeypatch.setattr(data_checks, "call_once", counted)
    return seen


def test_many_submits_on_one_table_read_it_once(client, reads):
    # given a table
    dataset = upload(client, table().to_csv(index=False).encode())
    # when ten jobs that differ only in what the checks do not read are submitted
    for n_trials in range(1, 11):
        response = submit(client, dataset, target="bought", n_trials=n_trials, strategy="random")
        assert response.status_code == 202, response.json
    # then the rows were read once
    assert reads == ["bought"]


def test_a_field_the_checks_read_is_checked_against_the_rows_again(client, reads):
    # given 60 rows of "a", 60 of "b" and 4 of "c", accepted with 2 folds
    rows = [("a", i) for i in range(60)] + [("b", i) for i in range(60)]
    rows += [("c", i) for i in range(4)]
    csv = "label,x\n" + "".join(f"{label},{x}\n" for label, x in rows)
    dataset = upload(client, csv.encode())
    assert submit(client, dataset, target="label", cv={"folds": 2}).status_code == 202
    # when 4 folds are asked for, twice
    first = submit(client, dataset, target="label", cv={"folds": 4})
    second = submit(client, dataset, target="label", cv={"folds": 4})
    # then both are the rows' 422 naming cv.folds with the counts, read once for 4 folds
    for response in (first, second):
        problem = assert_problem(response, 422, "cv.folds")
        assert "'c': 3" in problem["detail"]
    assert first.json["detail"] == second.json["detail"]
    assert len(reads) == 2
    # and without a test split the same folds are a new question, which the rows accept
    assert submit(client, dataset, target="label", cv={"folds": 4}, test_size=0).status_code == 202
    assert len(reads) == 3


def test_a_remembered_answer_keeps_the_warnings(client, reads):
    # given a table with a column that leaks the target
    df = table()
    df["outcome_copy"] = df["bought"].map({"yes": "Y", "no": "N"})
    df["note"] = np.where(df.index % 3 == 0, "x", "y")
    dataset = upload(client, df.to_csv(index=False).encode())
    # when two jobs are submitted on it
    first = submit(client, dataset, target="bought", n_trials=1)
    second = submit(client, dataset, target="bought", n_trials=2)
    # then both carry the leak warning, from one read of the rows
    assert first.status_code == second.status_code == 202
    assert [w["column"] for w in second.json["warnings"]] == ["outcome_copy"]
    assert second.json["warnings"] == first.json["warnings"]
    assert len(reads) == 1
    # and leaving the leak out is checked anew: no warning
    third = submit(client, dataset, target="bought", exclude_columns=["outcome_copy"])
    assert third.status_code == 202 and third.json["warnings"] == []
    assert len(reads) == 2
