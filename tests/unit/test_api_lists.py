"""Telling jobs apart over HTTP: names and tags on jobs and datasets, what a list of jobs
shows, its filters and sorts; and ``tuneforge jobs list`` against the same API over
loopback. Flask's app on a real SQLite file and storage folder; no worker runs."""

from __future__ import annotations

import io
import json
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event
from tuneforge.cli import main as cli
from werkzeug.serving import make_server

from api.services import EXTENSION

PROBLEM = "application/problem+json"


def table(rows: int, seed: int) -> str:
    """Numbers, a category, a two-class, a three-class and a continuous column."""
    rng = random.Random(seed)
    lines = ["size,rooms,region,sold,kind,price"]
    for i in range(rows):
        size = rng.uniform(20, 200)
        lines.append(
            f"{size:.2f},{rng.randint(1, 6)},{rng.choice('nesw')},{i % 2},"
            f"{'abc'[i % 3]},{size * 3000 + rng.gauss(0, 9000):.2f}"
        )
    return "\n".join(lines) + "\n"


def upload(client, filename: str, seed: int = 0, **form: str) -> dict:
    data = {"file": (io.BytesIO(table(60, seed).encode()), filename), **form}
    response = client.post("/v1/datasets", data=data)
    assert response.status_code == 201, response.json
    return response.json


def submit(client, dataset: dict, **spec: Any) -> dict:
    body = {"dataset_id": dataset["id"], "target": "sold", "estimator": "knn", **spec}
    response = client.post("/v1/jobs", json=body)
    assert response.status_code == 202, response.json
    return response.json


def listed(client, query: str = "") -> list[dict]:
    """Every job the list gives for ``query``, following ``next``."""
    items, url = [], f"/v1/jobs?limit=3&{query}"
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.json
        items += page.json["items"]
        url = page.json["next"]
    return items


def assert_problem(response, status: int, field: str) -> dict:
    assert response.status_code == status, response.json
    assert response.content_type == PROBLEM
    assert field in response.json["errors"], response.json
    return response.json


@pytest.fixture
def houses(client) -> dict:
    return upload(client, "houses.csv")


# ------------------------------------------------------------------------------ jobs


def test_a_job_carries_its_name_tags_and_datasets_name(client, houses):
    # when a job is submitted with a name and tags (a tag repeated)
    job = submit(client, houses, name="knn, scaled", tags=["baseline", "v2", "baseline"])
    # then the job, as submitted, read and listed, carries them and its dataset's name
    read = client.get(f"/v1/jobs/{job['id']}").json
    (item,) = listed(client)
    for document in (job, read, item):
        assert document["name"] == "knn, scaled"
        assert document["tags"] == ["baseline", "v2"]
        assert (document["dataset_id"], document["dataset_name"]) == (houses["id"], "houses.csv")
        assert document["created_at"] and document["finished_at"] is None
        assert document["duration_s"] is None  # not started yet
    # and what it searches is in its spec, as before
    assert (read["spec"]["target"], read["spec"]["task"]) == ("sold", "classification")
    assert (read["spec"]["scoring"], read["spec"]["strategy"]) == ("roc_auc", "random")


def test_a_job_without_a_name_or_tags_has_null_and_empty(client, houses):
    job = submit(client, houses)
    assert (job["name"], job["tags"], job["dataset_name"]) == (None, [], "houses.csv")


@pytest.mark.parametrize(
    ("labels", "field", "reason"),
    [
        ({"name": ""}, "name", "between 1 and 255"),
        ({"name": "   "}, "name", "blank"),
        ({"name": "n" * 256}, "name", "between 1 and 255"),
        ({"name": 7}, "name", "Not a valid string"),
        ({"tags": "prod"}, "tags", "Not a valid list"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags", "at most 20 tags"),
        ({"tags": ["ok", "t" * 41]}, "tags.1", "1 to 40 characters"),
        ({"tags": ["a,b"]}, "tags.0", "without commas"),
        ({"tags": [" lead"]}, "tags.0", "spaces at either end"),
        ({"tags": [""]}, "tags.0", "1 to 40 characters"),
        ({"tags": [3]}, "tags.0", "Not a valid string"),
    ],
)
def test_a_name_or_tags_out_of_bounds_is_422_naming_the_field_and_the_bound(
    client, houses, labels, field, reason
):
    body = {"dataset_id": houses["id"], "target": "sold", "estimator": "knn", **labels}
    problem = assert_problem(client.post("/v1/jobs", json=body), 422, field)
    assert reason in " ".join(problem["errors"][field])
    assert listed(client) == []


def test_the_longest_name_and_the_most_tags_are_taken(client, houses):
    tags = [f"{i:02d}" + "t" * 38 for i in range(20)]
    job = submit(client, houses, name="n" * 255, tags=tags)
    assert (len(job["name"]), job["tags"]) == (255, tags)


def test_a_jobs_echoed_spec_with_a_new_name_makes_a_named_job_with_the_same_spec(client, houses):
    first = submit(client, houses, name="first", tags=["a"])
    again = submit(client, houses, **{**first["spec"], "name": "again", "tags": ["b"]})
    assert again["spec"] == first["spec"]
    assert (again["name"], again["tags"]) == ("again", ["b"])


def test_ten_jobs_on_three_datasets_are_told_apart_in_the_list(client):
    # given three tables and ten searches on them: classification and regression, several
    # metrics (the list mixed AUC, R² and negative RMSE in one column)
    houses, flats, offices = (upload(client, f"{n}.csv", seed) for seed, n in enumerate(
        ["houses", "flats", "offices"]))  # fmt: skip
    searches = [
        (houses, "houses auc", "sold", {}),
        (houses, "houses price r2", "price", {}),
        (houses, "houses price rmse", "price", {"scoring": "neg_root_mean_squared_error"}),
        (houses, "houses kind", "kind", {}),
        (flats, "flats auc", "sold", {}),
        (flats, "flats accuracy", "sold", {"scoring": "accuracy"}),
        (flats, "flats price mae", "price", {"scoring": "neg_mean_absolute_error"}),
        (offices, "offices kind f1", "kind", {"scoring": "f1_macro"}),
        (offices, "offices price", "price", {"strategy": "grid"}),
        (offices, "offices sold", "sold", {"strategy": "bayesian"}),
    ]
    for dataset, name, target, extra in searches:
        submit(client, dataset, name=name, target=target, **extra)
    # when the jobs are listed
    items = listed(client)
    # then each row shows what tells it apart: no two alike, each as submitted
    shown = [
        (j["name"], j["dataset_name"], j["spec"]["target"], j["spec"]["task"], j["spec"]["scoring"])
        for j in items
    ]
    assert len(shown) == len(set(shown)) == 10
    by_name = {row[0]: row for row in shown}
    assert by_name["houses price rmse"][1:] == (
        "houses.csv", "price", "regression", "neg_root_mean_squared_error")  # fmt: skip
    assert by_name["offices kind f1"][1:] == ("offices.csv", "kind", "classification", "f1_macro")
    assert {row[1] for row in shown} == {"houses.csv", "flats.csv", "offices.csv"}
    assert {j["spec"]["strategy"] for j in items} == {"random", "grid", "bayesian"}


def test_the_list_names_each_jobs_dataset_without_a_query_per_job(app, client, houses):
    # given two jobs, then ten
    def statements_to_list() -> list[str]:
        seen: list[str] = []
        engine = app.extensions[EXTENSION].engine

        def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", note)
        try:
            assert client.get("/v1/jobs?limit=100").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", note)
        return seen

    for _ in range(2):
        submit(client, houses)
    few = statements_to_list()
    for _ in range(8):
        submit(client, houses)
    many = statements_to_list()
    # then each job names its dataset, yet listing ten costs what listing two did (no
    # query per job) and reads none of the datasets
    assert {j["dataset_name"] for j in listed(client)} == {"houses.csv"}
    assert len(many) == len(few)
    assert not [s for s in many if "FROM datasets" in s]


# --------------------------------------------------------------------- filters, sorts


@pytest.fixture
def tagged(client, houses) -> dict[str, dict]:
    flats = upload(client, "flats.csv", 1)
    jobs = {
        "b-prod": submit(client, houses, name="b", tags=["prod", "v2"]),
        "a-prod": submit(client, flats, name="a", tags=["prod"]),
        "c-v2": submit(client, houses, name="c", tags=["v2"]),
        "unnamed": submit(client, flats),
    }
    client.post(f"/v1/jobs/{jobs['c-v2']['id']}/cancel")
    return jobs


def test_jobs_filter_by_tag_dataset_and_status_together(client, tagged):
    def names(query: str) -> list[str | None]:
        return [j["name"] for j in listed(client, query)]

    houses = tagged["b-prod"]["dataset_id"]
    assert names("tag=prod&sort=name") == ["a", "b"]
    assert names("tag=prod,v2") == names("tag=prod&tag=v2") == ["b"]
    assert names(f"tag=v2&dataset_id={houses}&sort=name") == ["b", "c"]
    assert names("tag=v2&status=cancelled") == ["c"]
    assert names("tag=v2&status=queued,running") == ["b"]
    assert names("tag=nothing") == []
    assert_problem(client.get("/v1/jobs?tag=" + "t" * 41), 422, "tag")


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("-created_at", ["unnamed", "c-v2", "a-prod", "b-prod"]),
        ("created_at", ["b-prod", "a-prod", "c-v2", "unnamed"]),
        ("name", ["a-prod", "b-prod", "c-v2", "unnamed"]),
        ("-name", ["c-v2", "b-prod", "a-prod", "unnamed"]),
    ],
)
def test_jobs_sort_and_every_page_follows_the_last(client, tagged, sort, order):
    ids = [j["id"] for j in listed(client, f"sort={sort}")]
    assert ids == [tagged[key]["id"] for key in order]
    # a page of one at a time gives the same
    items, url = [], f"/v1/jobs?limit=1&sort={sort}"
    while url:
        page = client.get(url).json
        items += page["items"]
        url = page["next"]
        assert url is None or f"sort={sort}" in url
    assert [j["id"] for j in items] == ids


def test_an_unknown_sort_is_422_naming_sort_and_the_allowed_ones(client, tagged):
    problem = assert_problem(client.get("/v1/jobs?sort=status"), 422, "sort")
    assert "-best_score" in str(problem["errors"]["sort"])
    assert_problem(client.get("/v1/datasets?sort=-best_score"), 422, "sort")


def test_a_cursor_under_another_sort_is_422_naming_cursor(client, tagged):
    next_url = client.get("/v1/jobs?limit=1&sort=name").json["next"]
    cursor = next_url.split("cursor=")[1]
    problem = assert_problem(client.get(f"/v1/jobs?limit=1&cursor={cursor}"), 422, "cursor")
    assert "sort=name" in problem["errors"]["cursor"][0]


# -------------------------------------------------------------------------- datasets


def test_a_dataset_takes_tags_in_the_form_or_the_query(client):
    form = upload(client, "houses.csv", tags="prod, v2")
    repeated = client.post(
        "/v1/datasets",
        data={"file": (io.BytesIO(table(10, 0).encode()), "t.csv"), "tags": ["a", "b,a"]},
    )
    raw = client.post(
        "/v1/datasets?tags=raw&tags=x", data=table(10, 0).encode(), content_type="text/csv"
    )
    assert form["tags"] == ["prod", "v2"]
    assert repeated.json["tags"] == ["a", "b"] and raw.json["tags"] == ["raw", "x"]
    assert client.get(f"/v1/datasets/{form['id']}").json["tags"] == ["prod", "v2"]


@pytest.mark.parametrize(
    ("tags", "field"),
    [(",".join(f"t{i}" for i in range(21)), "tags"), ("ok," + "t" * 41, "tags.1")],
)
def test_dataset_tags_out_of_bounds_are_422_naming_the_field(client, settings, tags, field):
    response = client.post(
        f"/v1/datasets?tags={tags}", data=table(10, 0).encode(), content_type="text/csv"
    )
    assert_problem(response, 422, field)
    assert client.get("/v1/datasets").json["items"] == []


def test_datasets_sort_by_name_page_after_page(client):
    for name in ("b.csv", "c.csv", "a.csv"):
        upload(client, name)
    names, url = [], "/v1/datasets?limit=1&sort=-name"
    while url:
        page = client.get(url).json
        names += [d["name"] for d in page["items"]]
        url = page["next"]
    assert names == ["c.csv", "b.csv", "a.csv"]
    assert [d["name"] for d in client.get("/v1/datasets").json["items"]] == [
        "a.csv", "c.csv", "b.csv"]  # fmt: skip


# ------------------------------------------------------------------ tuneforge jobs list


@pytest.fixture
def api_url(app) -> Iterator[str]:
    """The app served over loopback, as ``tuneforge`` reaches a service."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def jobs_list(api_url: str, *args: str):
    return CliRunner().invoke(cli, ["jobs", "list", "--api", api_url, *args])


def test_jobs_list_shows_what_tells_jobs_apart(api_url, client, tagged):
    # when the jobs are listed by name
    result = jobs_list(api_url, "--sort", "name")
    # then each row names the job, its dataset, target, task, metric and strategy
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == [
        "ID", "NAME", "DATASET", "TARGET", "TASK", "METRIC", "BEST", "STRATEGY", "ESTIMATOR",
        "STATUS", "CREATED", "DURATION"]  # fmt: skip
    cells = [row.split() for row in rows]
    assert [c[0] for c in cells] == [
        tagged[k]["id"] for k in ("a-prod", "b-prod", "c-v2", "unnamed")
    ]
    first = ["a", "flats.csv", "sold", "classification", "roc_auc", "-", "random", "knn"]
    assert cells[0][1:10] == [*first, "queued"]
    assert cells[2][1:3] == ["c", "houses.csv"] and cells[2][9] == "cancelled"
    assert cells[3][1] == "-"


def test_jobs_list_filters_by_dataset_status_and_tag(api_url, client, tagged):
    houses = tagged["b-prod"]["dataset_id"]
    result = jobs_list(api_url, "--dataset", houses, "--tag", "v2", "--sort", "-name", "--json")
    assert result.exit_code == 0, result.output
    assert [j["name"] for j in json.loads(result.output)] == ["c", "b"]
    both = jobs_list(api_url, "--tag", "prod", "--tag", "v2", "--json")
    assert [j["name"] for j in json.loads(both.output)] == ["b"]
    cancelled = jobs_list(api_url, "--status", "cancelled", "--json")
    assert [j["name"] for j in json.loads(cancelled.output)] == ["c"]


def test_jobs_list_refuses_an_unknown_sort_before_asking(api_url):
    result = jobs_list(api_url, "--sort", "status")
    assert result.exit_code == 2 and "-best_score" in result.output
