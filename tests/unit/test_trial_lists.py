"""``GET /v1/jobs/{id}/trials``: sorted, filtered and paged, on SQLite and on PostgreSQL.

The trials are written straight into the database, so their scores (ties, nulls) are
exactly the ones each order has to cope with.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from models.engine.spec import CVSpec, SearchSpec
from models.store import jobs
from models.store.records import Trial, TrialState
from tests.backends import on_every_database
from tests.unit.store_helpers import add_dataset

pytestmark = on_every_database

SPEC = SearchSpec(
    dataset_id="ds_x",
    target="y",
    task="classification",
    estimator="knn",
    strategy="random",
    param_space={"n_neighbors": {"type": "int", "low": 1, "high": 30, "log": False}},
    n_trials=12,
    timeout_s=60,
    cv=CVSpec(5, "stratified", True, 0),
    scoring="accuracy",
    test_size=0.2,
    random_state=0,
)
# number → score: ties at 0.9 and 0.7, failed and pruned trials without a score.
SCORES = {
    0: 0.7,
    1: None,
    2: 0.9,
    3: 0.8,
    4: 0.9,
    5: None,
    6: 0.7,
    7: 0.95,
    8: 0.9,
    9: None,
    10: 0.1 + 0.2,  # not a "round" float: the cursor must carry it exactly
    11: 0.3,
}
STATE = {1: TrialState.FAILED, 5: TrialState.PRUNED, 9: TrialState.FAILED}


@pytest.fixture
def job_id(client, sessions) -> str:
    with sessions() as session:
        add_dataset(session, "default", SPEC.dataset_id)
        job = jobs.submit_job(session, "default", SPEC, max_active=100)
        for number, score in SCORES.items():
            session.add(
                Trial(
                    job_id=job.id,
                    number=number,
                    params={"n_neighbors": number + 1},
                    state=STATE.get(number, TrialState.SUCCEEDED),
                    fold_scores=[] if score is None else [score] * 5,
                    mean_score=score,
                    std_score=None if score is None else 0.0,
                )
            )
        session.commit()
        return job.id


def walk(client, url: str) -> tuple[list[int], list[str]]:
    """Every trial number, following ``next`` from ``url``, and the cursors seen."""
    numbers, cursors = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json
        numbers += [t["number"] for t in response.json["items"]]
        url = response.json["next"]
        if url:
            cursors += parse_qs(urlsplit(url).query)["cursor"]
    return numbers, cursors


def expected(sort: str) -> list[int]:
    scored = [n for n, s in SCORES.items() if s is not None]
    unscored = [n for n, s in SCORES.items() if s is None]
    if sort == "number":
        return sorted(SCORES)
    if sort == "-number":
        return sorted(SCORES, reverse=True)
    sign = -1 if sort == "-mean_score" else 1
    return sorted(scored, key=lambda n: (sign * SCORES[n], n)) + sorted(unscored)


def test_trials_come_by_number_by_default(client, job_id):
    body = client.get(f"/v1/jobs/{job_id}/trials?limit=100").json
    assert [t["number"] for t in body["items"]] == list(range(12))
    assert body["next"] is None


@pytest.mark.parametrize("sort", ["number", "-number", "mean_score", "-mean_score"])
@pytest.mark.parametrize("limit", [1, 2, 5, 100])
def test_every_page_size_walks_every_trial_once_in_the_sort_order(client, job_id, sort, limit):
    numbers, _ = walk(client, f"/v1/jobs/{job_id}/trials?sort={sort}&limit={limit}")
    assert numbers == expected(sort)


def test_best_first_puts_ties_by_number_and_unscored_trials_last(client, job_id):
    numbers, cursors = walk(client, f"/v1/jobs/{job_id}/trials?sort=-mean_score&limit=2")
    assert numbers == [7, 2, 4, 8, 3, 0, 6, 10, 11, 1, 5, 9]
    # pages end inside the 0.9 tie, on an inexact float and among the unscored trials
    assert cursors[0] == "-mean_score:0.9:2"
    assert "-mean_score:0.30000000000000004:10" in cursors and cursors[-1] == "-mean_score:null:1"


def test_the_filter_keeps_the_states_asked_for(client, job_id):
    url = f"/v1/jobs/{job_id}/trials"
    one = client.get(f"{url}?state=failed").json["items"]
    assert [t["number"] for t in one] == [1, 9]
    listed = client.get(f"{url}?state=failed,pruned&sort=-number").json["items"]
    repeated = client.get(f"{url}?state=failed&state=pruned&sort=-number").json["items"]
    assert [t["number"] for t in listed] == [t["number"] for t in repeated] == [9, 5, 1]


def test_the_next_link_keeps_the_sort_and_the_filter(client, job_id):
    first = client.get(f"/v1/jobs/{job_id}/trials?state=succeeded,pruned&sort=mean_score&limit=3")
    query = parse_qs(urlsplit(first.json["next"]).query)
    assert query["sort"] == ["mean_score"] and query["state"] == ["succeeded,pruned"]
    numbers, _ = walk(client, f"/v1/jobs/{job_id}/trials?state=succeeded,pruned&sort=mean_score")
    assert numbers == [n for n in expected("mean_score") if n not in (1, 9)]


def assert_problem(response, field: str) -> str:
    assert response.status_code == 422, response.json
    assert response.content_type == "application/problem+json"
    return " ".join(response.json["errors"][field])


def test_an_unknown_sort_is_422_listing_the_allowed_ones(client, job_id):
    message = assert_problem(client.get(f"/v1/jobs/{job_id}/trials?sort=score"), "sort")
    assert "number, -number, mean_score, -mean_score" in message


def test_an_unknown_state_is_422_naming_state(client, job_id):
    message = assert_problem(client.get(f"/v1/jobs/{job_id}/trials?state=failed,done"), "state")
    assert "'done'" in message and "succeeded, failed, pruned" in message


def test_a_cursor_from_another_sort_is_422_naming_cursor(client, job_id):
    url = f"/v1/jobs/{job_id}/trials"
    cursor = parse_qs(urlsplit(client.get(f"{url}?limit=2").json["next"]).query)["cursor"][0]
    message = assert_problem(client.get(f"{url}?sort=-mean_score&cursor={cursor}"), "cursor")
    assert "sort=number" in message


@pytest.mark.parametrize(
    "cursor",
    ["5", "mean_score:5", "mean_score:nan:3", "mean_score:inf:3", "number:x", "-number:", "x:1"],
)
def test_a_cursor_this_service_did_not_issue_is_422_naming_cursor(client, job_id, cursor):
    sort = cursor.split(":")[0] if ":" in cursor and cursor[0] != "x" else "number"
    assert_problem(client.get(f"/v1/jobs/{job_id}/trials?sort={sort}&cursor={cursor}"), "cursor")


def test_jobs_filter_by_several_statuses_the_same_way(client, job_id):
    assert [j["id"] for j in client.get("/v1/jobs?status=running,queued").json["items"]] == [job_id]
    assert client.get("/v1/jobs?status=running&status=failed").json["items"] == []
    assert_problem(client.get("/v1/jobs?status=queued,sleeping"), "status")
