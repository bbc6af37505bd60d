"""Issue 16's wrong result, from outside: a European file whose first 64 KiB hold only
whole numbers, with decimal commas after, uploaded over HTTP and trained by a worker,
scores as its standard twin does (it scored AUC 0.498 against 0.987), and its profile says
why."""

from __future__ import annotations

import pytest

from tests.integration.conftest import SHARED, backends
from tests.unit.test_whole_file_guesses import SPEC, late_decimal_commas

pytestmark = pytest.mark.integration


@backends(*SHARED)
def test_late_decimal_commas_over_http_train_the_model_of_the_standard_twin(shared_service):
    # given the file and its standard twin, uploaded over HTTP
    late, twin = late_decimal_commas()
    european = shared_service.upload(late, "late3.csv")
    standard = shared_service.upload(twin, "twin.csv")
    # then x is a float column, and the decimal comma is said
    assert {c["name"]: c["dtype"] for c in european["columns"]}["x"] == "float"
    assert "decimal_comma" in [w["code"] for w in european["warnings"]]
    # when the same search runs on each
    scores = []
    for dataset in (european, standard):
        job = shared_service.submit(dataset_id=dataset["id"], **SPEC)
        done = shared_service.wait_for(job["id"], timeout=300)
        assert done["status"] == "succeeded", done
        scores.append(done["best_score"])
    # then the European file's model scores as its twin's
    assert scores[1] > 0.95 and scores[0] == pytest.approx(scores[1], abs=0.01)
