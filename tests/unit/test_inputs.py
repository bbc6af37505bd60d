"""No input gets a 5xx, on SQLite and on PostgreSQL: hostile cases written out, then
property-based tests (hypothesis) over every parser of the HTTP layer: path ids, query
parameters, cursors, headers and JSON bodies. Each answer must be a success or a 4xx
``application/problem+json`` whose body says what is wrong."""

from __future__ import annotations

import io
import json
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import idempotency as api_idempotency
from models.store import idempotency

pytestmark = pytest.mark.every_database

PROBLEM = "application/problem+json"
SPEC = {"target": "y", "estimator": "decision_tree", "strategy": "random"}
ROWS = "x,s,y\n" + "\n".join(f"{i},{'ab'[i % 2]},{i % 2}" for i in range(40)) + "\n"
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def dataset_id(client) -> str:
    response = client.post("/v1/datasets?name=t", data=ROWS.encode(), content_type="text/csv")
    assert response.status_code == 201
    return response.json["id"]


def assert_answer(response) -> None:
    """A success, or a 4xx problem that says what is wrong; never a 5xx."""
    assert response.status_code < 500, response.data[:300]
    if response.status_code >= 400:
        assert response.content_type == PROBLEM, response.data[:300]
        body = response.json
        assert body["status"] == response.status_code and body["detail"]


@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        ("text/plain", "'text/plain'"),
        ("text/plain; charset=utf-8", "'text/plain'"),
        ("application/x-www-form-urlencoded", "'application/x-www-form-urlencoded'"),
        ("multipart/form-data; boundary=x", "'multipart/form-data'"),
        ("application/jsonp", "'application/jsonp'"),
        (None, "no Content-Type"),
    ],
)
def test_a_json_body_sent_as_another_media_type_is_415_naming_both(
    client, dataset_id, content_type, named
):
    # given a spec that would be accepted as JSON, labelled as something else
    body = json.dumps({**SPEC, "dataset_id": dataset_id}).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/v1/jobs", data=body, headers=headers)
    # then it is refused 415, naming the media type it got and the one it takes
    assert response.status_code == 415, response.json
    assert response.content_type == PROBLEM
    problem = response.json
    assert problem["status"] == 415
    assert named in problem["detail"] and "application/json" in problem["detail"]
    assert list(problem["errors"]) == ["Content-Type"]
    # and no job was made
    jobs = client.get("/v1/jobs")
    assert jobs.json.get("items") == [], jobs.json


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/vnd.tuneforge+json"],
)
def test_json_media_types_are_still_accepted(client, dataset_id, content_type):
    body = json.dumps({**SPEC, "dataset_id": dataset_id}).encode()
    response = client.post("/v1/jobs", data=body, headers={"Content-Type": content_type})
    assert response.status_code == 202, response.json


def test_json_nested_ten_thousand_deep_is_400(client):
    for body in ("[" * 10_000 + "]" * 10_000, '{"a":' * 5_000 + "1" + "}" * 5_000):
        response = client.post("/v1/jobs", data=body, content_type="application/json")
        assert response.status_code == 400 and "nested too deeply" in response.json["detail"]


def test_json_deeper_than_the_limit_names_its_field(client, dataset_id):
    spec = {"dataset_id": dataset_id, "target": "y", "param_space": {"x": [[[[[[[]]]]]]] * 1}}
    deep: list = []
    for _ in range(40):
        deep = [deep]
    spec["param_space"] = {"max_depth": deep}
    response = client.post("/v1/jobs", json=spec)
    assert response.status_code == 422 and "param_space" in response.json["errors"]


def test_an_integer_python_will_not_convert_is_400(client):
    body = '{"n_trials": ' + "9" * 5_000 + "}"
    response = client.post("/v1/jobs", data=body, content_type="application/json")
    assert response.status_code == 400 and "cannot be read" in response.json["detail"]


def test_a_json_body_over_a_megabyte_is_413(client):
    body = json.dumps({"target": "x" * 2_000_000})
    assert client.post("/v1/jobs", data=body, content_type="application/json").status_code == 413


@pytest.mark.parametrize(
    "path",
    ["/v1/jobs/job_%00x", "/v1/datasets/ds_%00", "/v1/jobs/%00/trials", "/v1/jobs/a%00/events"],
)
def test_a_nul_in_the_path_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.content_type == PROBLEM


@pytest.mark.parametrize(
    ("query", "field"),
    [("dataset_id=a%00b", "dataset_id"), ("status=%00", "status"), ("cursor=%00", "cursor")],
)
def test_a_nul_in_a_query_parameter_is_422_naming_it(client, query, field):
    response = client.get(f"/v1/jobs?{query}")
    assert response.status_code == 422 and field in response.json["errors"]


def test_a_nul_in_a_dataset_name_is_422_naming_it(client):
    raw = client.post("/v1/datasets?name=a%00b", data=ROWS.encode(), content_type="text/csv")
    assert raw.status_code == 422 and "name" in raw.json["errors"]
    form = client.post(
        "/v1/datasets", data={"name": "a\x00", "file": (io.BytesIO(ROWS.encode()), "t.csv")}
    )
    assert form.status_code == 422 and "name" in form.json["errors"]
    assert client.get("/v1/datasets").json["items"] == []


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"target": "y\x00"}, "target"),
        ({"target": "y", "webhook_url": "http://a\x00b/"}, "webhook_url"),
        ({"target": "y", "exclude_columns": ["x", "s\x00"]}, "exclude_columns.1"),
    ],
)
def test_a_nul_in_a_json_string_is_422_naming_the_field(client, dataset_id, spec, field):
    response = client.post("/v1/jobs", json={"dataset_id": dataset_id, **spec})
    assert response.status_code == 422 and field in response.json["errors"]


SURROGATE = "\udfff"  # a lone surrogate: JSON can write it ("\\udfff"), UTF-8 cannot


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"dataset_id": "ds_" + SURROGATE}, "dataset_id"),
        ({"target": "y" + SURROGATE}, "target"),
        ({"webhook_url": "https://example.com/" + SURROGATE}, "webhook_url"),
        ({"exclude_columns": ["x", SURROGATE]}, "exclude_columns.1"),
        ({"scoring": ["roc_auc", "\ud800"]}, "scoring.1"),
        ({"param_space": {"max_depth": [2, "a" + SURROGATE]}}, "param_space.max_depth.1"),
        ({"cv": {"kind": "group", "group_column": SURROGATE}}, "cv.group_column"),
    ],
)
def test_a_lone_surrogate_in_a_json_string_is_422_naming_the_field(client, dataset_id, spec, field):
    # given a spec whose string holds a lone surrogate, written as JSON's \u escape
    body = json.dumps({**SPEC, "dataset_id": dataset_id, **spec})
    # when it is submitted
    response = client.post("/v1/jobs", data=body, content_type="application/json")
    # then it is refused, naming the field and saying why
    assert response.status_code == 422, response.data[:300]
    assert response.content_type == PROBLEM
    assert "surrogate" in response.json["errors"][field][0]
    assert client.get("/v1/jobs").json["items"] == []


def test_a_lone_surrogate_in_a_json_key_is_422_naming_it_escaped(client, dataset_id):
    body = json.dumps({**SPEC, "dataset_id": dataset_id, "param_space": {"a\udfff": [1]}})
    response = client.post("/v1/jobs", data=body, content_type="application/json")
    assert response.status_code == 422
    # the field is named as text any JSON reader takes: the surrogate written out
    assert list(response.json["errors"]) == ["param_space.a\\udfff"]
    assert "\\udfff" in response.get_data(as_text=True)  # no raw surrogate in the answer


def test_a_surrogate_sent_as_utf8_bytes_is_422_naming_the_field(client, dataset_id):
    # given the three bytes UTF-8 would give U+DFFF (json.loads reads them as a surrogate)
    body = b'{"dataset_id": "%s", "target": "y\xed\xbf\xbf", "estimator": "knn"}' % (
        dataset_id.encode()
    )
    response = client.post("/v1/jobs", data=body, content_type="application/json")
    assert response.status_code in (400, 422), response.data[:300]
    assert response.content_type == PROBLEM


@pytest.mark.parametrize("header", ["Idempotency-Key", "Last-Event-ID", "X-Request-Note"])
@pytest.mark.parametrize("bad", ["\udfff", "\x00"])
def test_a_header_holding_a_surrogate_or_nul_is_a_4xx_naming_it(client, dataset_id, header, bad):
    spec = {**SPEC, "dataset_id": dataset_id}
    response = client.post("/v1/jobs", json=spec, headers={header: "k" + bad})
    assert 400 <= response.status_code < 500 and response.content_type == PROBLEM
    assert [name.lower() for name in response.json["errors"]] == [header.lower()]
    assert client.get("/v1/jobs").json["items"] == []


def test_a_dataset_name_holding_a_surrogate_is_422_naming_it(client):
    # a multipart field carries bytes; werkzeug reads them as UTF-8 and replaces what is not
    # UTF-8, so a surrogate reaches the name only through a caller that builds the form
    # itself: the name is checked where it is read
    from api import datasets

    with (
        client.application.test_request_context("/v1/datasets"),
        pytest.raises(datasets.DatasetError) as info,
    ):
        datasets._name("a\udfff")
    assert info.value.field == "name" and "surrogate" in info.value.detail


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('"n_trials": NaN', "n_trials"),
        ('"timeout_s": Infinity', "timeout_s"),
        ('"test_size": -Infinity', "test_size"),
        ('"random_state": 1e400', "random_state"),
        ('"max_parallel": ' + "9" * 400, "max_parallel"),
        ('"cv": {"folds": -' + "9" * 400 + "}", "cv.folds"),
        ('"param_space": {"max_depth": [1, ' + "9" * 400 + "]}", "param_space.max_depth.1"),
    ],
)
def test_a_number_json_cannot_carry_is_422_naming_the_field(client, dataset_id, body, field):
    # given a number beyond a double's range, or NaN / Infinity (which are not JSON)
    text = json.dumps({**SPEC, "dataset_id": dataset_id})[:-1] + ", " + body + "}"
    response = client.post("/v1/jobs", data=text, content_type="application/json")
    # then it is refused at the door, naming the field
    assert response.status_code == 422, response.data[:300]
    assert field in response.json["errors"]


@pytest.mark.parametrize("count", ["n_trials", "timeout_s", "max_parallel", "random_state"])
def test_a_fractional_count_is_422_naming_it(client, dataset_id, count):
    spec = {**SPEC, "dataset_id": dataset_id, count: 2.5}
    response = client.post("/v1/jobs", json=spec)
    assert response.status_code == 422 and count in response.json["errors"]


# Property-based: every parser, any input ------------------------------------------------

# Any character, lone surrogates (category Cs, which UTF-8 cannot encode) drawn often, and
# the few that broke parsers before: NUL, CR, LF, space.
CHARACTERS = (
    st.characters(exclude_categories=[])
    | st.characters(categories=["Cs"])
    | st.sampled_from("\x00\r\n \u00e9\u20ac\U0001f600")
)
# Lists joined, not st.text: st.text over a union of alphabets never draws a surrogate.
TEXT = st.lists(CHARACTERS, max_size=40).map("".join)
PATH_TEXT = st.lists(st.sampled_from(string.printable) | CHARACTERS, max_size=40).map("".join)
# Integers of any size: Python's own range (hypothesis' unbounded draws), and beyond a
# double (1.8e308) up to 1,000 digits; json.dumps writes up to 4,300.
INTEGERS = (
    st.integers()
    | st.integers(min_value=-(10**1000), max_value=10**1000)
    | st.sampled_from([2**53 + 1, 2**63, 2**64, 10**308, 2**1024, -(2**1024), 10**400])
)
NUMBERS = INTEGERS | st.floats(allow_nan=True, allow_infinity=True)
JSON = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)


def quoted(text: str) -> str:
    """``text`` percent-encoded as UTF-8, a lone surrogate as the three bytes it would be
    (what a client that does not check sends)."""
    return quote(text, safe="", errors="surrogatepass")


SPEC_FIELDS = st.sampled_from(
    [
        "dataset_id",
        "target",
        "estimator",
        "strategy",
        "n_trials",
        "timeout_s",
        "max_parallel",
        "random_state",
        "scoring",
        "refit",
        "cv",
        "halving",
        "param_space",
        "exclude_columns",
        "test_size",
        "webhook_url",
        "task",
    ]
)


@FUZZ
@given(resource=st.sampled_from(["datasets", "jobs"]), ident=PATH_TEXT)
def test_any_path_id_is_answered(client, resource, ident):
    for suffix in ("", "/trials", "/result", "/model", "/cancel"):
        if resource == "datasets" and suffix:
            continue
        path = f"/v1/{resource}/{quoted(ident)}{suffix}"
        assert_answer(client.get(path))
        if suffix == "/cancel":
            assert_answer(client.post(path))
    assert_answer(client.delete(f"/v1/datasets/{quoted(ident)}"))


@FUZZ
@given(
    path=st.sampled_from(["/v1/jobs", "/v1/datasets", "/v1/jobs/job_x/trials"]),
    params=st.dictionaries(
        st.sampled_from(["limit", "cursor", "status", "dataset_id", "name", "x"]),
        PATH_TEXT | INTEGERS.map(str),
        max_size=4,
    ),
)
def test_any_query_parameters_are_answered(client, path, params):
    query = "&".join(f"{quoted(k)}={quoted(v)}" for k, v in params.items())
    assert_answer(client.get(f"{path}?{query}"))


@FUZZ
@given(cursor=st.binary(max_size=64) | PATH_TEXT)
def test_any_cursor_is_answered(client, dataset_id, cursor):
    if isinstance(cursor, bytes):
        import base64

        cursor = base64.urlsafe_b64encode(cursor).decode()
    for path in ("/v1/jobs", "/v1/datasets", "/v1/jobs/job_x/trials"):
        assert_answer(client.get(f"{path}?cursor={quoted(cursor)}"))


# What a WSGI server passes (Latin-1), and what a caller in the process may (any text but
# CR and LF, which werkzeug's test client refuses to send).
HEADER_TEXT = st.lists(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF)
    | CHARACTERS.filter(lambda c: c not in "\r\n"),
    max_size=60,
).map("".join)


@FUZZ
@given(
    idempotency_key=HEADER_TEXT,
    last_event_id=HEADER_TEXT,
    authorization=HEADER_TEXT,
    api_key=HEADER_TEXT,
)
def test_any_header_values_are_answered(
    client, dataset_id, idempotency_key, last_event_id, authorization, api_key
):
    headers = {"Authorization": authorization, "X-API-Key": api_key}
    spec = {**SPEC, "dataset_id": dataset_id, "n_trials": 1}
    assert_answer(
        client.post("/v1/jobs", json=spec, headers={**headers, "Idempotency-Key": idempotency_key})
    )
    assert_answer(client.get("/v1/jobs/job_x/events", headers={"Last-Event-ID": last_event_id}))
    assert_answer(client.get("/v1/datasets", headers=headers))


@FUZZ
@given(body=JSON)
def test_any_json_body_is_answered(client, body):
    text = json.dumps(body)  # NaN and Infinity too, as Python writes them
    assert_answer(client.post("/v1/jobs", data=text, content_type="application/json"))


@FUZZ
@given(fields=st.dictionaries(SPEC_FIELDS, JSON, max_size=6))
def test_any_spec_fields_are_answered(client, dataset_id, fields):
    spec = {**SPEC, "dataset_id": dataset_id, **fields}
    response = client.post("/v1/jobs", data=json.dumps(spec), content_type="application/json")
    assert_answer(response)


# Where a spec holds a number, each as a function of that number; the rest of the spec is
# valid, so the number reaches the check that should refuse it (schema, catalog, halving).
HALVED = {"estimator": "random_forest", "strategy": "halving"}
NUMBER_SLOTS = {
    "n_trials": lambda n: {"n_trials": n},
    "timeout_s": lambda n: {"timeout_s": n},
    "max_parallel": lambda n: {"max_parallel": n},
    "random_state": lambda n: {"random_state": n},
    "test_size": lambda n: {"test_size": n},
    "n_classes": lambda n: {"n_classes": n},
    "cv.folds": lambda n: {"cv": {"folds": n}},
    "cv.random_state": lambda n: {"cv": {"random_state": n, "shuffle": True}},
    "cv.validation_size": lambda n: {"cv": {"kind": "holdout", "validation_size": n}},
    "param_space.max_depth": lambda n: {"param_space": {"max_depth": [2, n]}},
    "param_space.max_depth.low": lambda n: {
        "param_space": {"max_depth": {"type": "int", "low": n, "high": 8}}
    },
    "param_space.max_depth.high": lambda n: {
        "param_space": {"max_depth": {"type": "int", "low": 1, "high": n}}
    },
    "param_space.max_features": lambda n: {"param_space": {"max_features": [n]}},
    "param_space.max_features.low": lambda n: {
        "param_space": {"max_features": {"type": "float", "low": n, "high": 0.9, "log": True}}
    },
    "param_space.max_features.high": lambda n: {
        "param_space": {"max_features": {"type": "float", "low": 0.1, "high": n}}
    },
    "param_space.criterion": lambda n: {
        "param_space": {"criterion": {"type": "categorical", "choices": ["gini", n]}}
    },
    "param_space.max_depth.when": lambda n: {
        "param_space": {
            "criterion": ["gini", "entropy"],
            "max_depth": {"type": "int", "low": 1, "high": 4, "when": {"criterion": [n]}},
        }
    },
    "halving.factor": lambda n: {**HALVED, "halving": {"factor": n}},
    "halving.min_resources": lambda n: {**HALVED, "halving": {"min_resources": n}},
    "halving.max_resources": lambda n: {
        **HALVED,
        "halving": {"resource": "n_estimators", "max_resources": n},
    },
    "halving.n_candidates": lambda n: {**HALVED, "halving": {"n_candidates": n}},
}
NOT_A_DOUBLE = ["9" * 400, "-" + "9" * 400, "1e400", "NaN", "Infinity", "-Infinity"]


def with_number(dataset_id: str, slot: str, number: str) -> str:
    """The spec with ``number`` (as JSON text, written as given) in ``slot``."""
    spec = {**SPEC, "dataset_id": dataset_id, **NUMBER_SLOTS[slot]("NUMBER")}
    return json.dumps(spec).replace('"NUMBER"', number)


@pytest.mark.parametrize("slot", list(NUMBER_SLOTS))
def test_every_number_field_refuses_what_no_double_holds_naming_it(client, dataset_id, slot):
    for number in NOT_A_DOUBLE:
        text = with_number(dataset_id, slot, number)
        response = client.post("/v1/jobs", data=text, content_type="application/json")
        assert response.status_code == 422, (number, response.data[:300])
        field = slot.split(".")[0]
        assert any(name.startswith(field) for name in response.json["errors"]), response.json


@settings(FUZZ, max_examples=100)
@given(slot=st.sampled_from(list(NUMBER_SLOTS)), number=NUMBERS)
def test_any_number_in_any_spec_field_is_answered(client, dataset_id, slot, number):
    text = with_number(dataset_id, slot, json.dumps(number))  # NaN, Infinity as Python writes
    assert_answer(client.post("/v1/jobs", data=text, content_type="application/json"))


# Where a spec holds text, each as a function of that text.
TEXT_SLOTS = {
    "dataset_id": lambda t: {"dataset_id": t},
    "target": lambda t: {"target": t},
    "estimator": lambda t: {"estimator": t},
    "strategy": lambda t: {"strategy": t},
    "task": lambda t: {"task": t},
    "scoring": lambda t: {"scoring": t},
    "scoring.list": lambda t: {"scoring": ["roc_auc", t]},
    "refit": lambda t: {"scoring": ["roc_auc", "accuracy"], "refit": t},
    "metrics": lambda t: {"metrics": [t]},
    "webhook_url": lambda t: {"webhook_url": t},
    "webhook_url.path": lambda t: {"webhook_url": "https://example.com/" + t},
    "exclude_columns": lambda t: {"exclude_columns": [t]},
    "cv.kind": lambda t: {"cv": {"kind": t}},
    "cv.group_column": lambda t: {"cv": {"kind": "group", "group_column": t}},
    "halving.resource": lambda t: {**HALVED, "halving": {"resource": t}},
    "halving.min_resources": lambda t: {**HALVED, "halving": {"min_resources": t}},
    "param_space.key": lambda t: {"param_space": {t: [1]}},
    "param_space.choice": lambda t: {"param_space": {"criterion": [t]}},
    "param_space.type": lambda t: {"param_space": {"max_depth": {"type": t, "choices": [1]}}},
    "param_space.when": lambda t: {
        "param_space": {
            "criterion": ["gini"],
            "max_depth": {"type": "int", "low": 1, "high": 4, "when": {"criterion": [t]}},
        }
    },
    "unknown field": lambda t: {t: 1},
}


@settings(FUZZ, max_examples=100)
@given(slot=st.sampled_from(list(TEXT_SLOTS)), text=TEXT)
def test_any_text_in_any_spec_field_is_answered(client, dataset_id, slot, text):
    spec = {**SPEC, "dataset_id": dataset_id, **TEXT_SLOTS[slot](text)}
    body = json.dumps(spec)  # a lone surrogate as its \u escape
    assert_answer(client.post("/v1/jobs", data=body, content_type="application/json"))


@FUZZ
@given(name=TEXT, filename=TEXT)
def test_any_multipart_name_and_file_name_are_answered(client, name, filename):
    # the bytes a client that does not check would send: a surrogate as UTF-8 would write it
    def raw(text: str) -> bytes:
        return text.encode("utf-8", "surrogatepass").replace(b'"', b"%22")

    body = (
        b'--XX\r\nContent-Disposition: form-data; name="name"\r\n\r\n%s\r\n'
        b'--XX\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
        b"Content-Type: text/csv\r\n\r\n%s\r\n--XX--\r\n"
    ) % (raw(name), raw(filename), ROWS.encode())
    response = client.post(
        "/v1/datasets", data=body, content_type="multipart/form-data; boundary=XX"
    )
    assert_answer(response)


@FUZZ
@given(
    count=st.sampled_from(["n_trials", "timeout_s", "max_parallel", "random_state"]),
    value=st.floats(min_value=1.01, max_value=1e6).filter(lambda v: v != int(v)),
)
def test_any_fractional_count_is_422(client, dataset_id, count, value):
    spec = {**SPEC, "dataset_id": dataset_id, count: value}
    response = client.post("/v1/jobs", json=spec)
    assert response.status_code == 422 and count in response.json["errors"]


# A request that fails after its side effect leaves nothing behind ------------------------


@pytest.fixture
def remembering_fails(monkeypatch):
    """The first attempt to remember an idempotent response fails, as a database that
    drops the connection would."""
    calls = []
    real = idempotency.complete

    def complete(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(api_idempotency.idempotency, "complete", complete)
    return calls


def test_an_upload_that_cannot_be_remembered_leaves_nothing_and_frees_its_key(
    client, remembering_fails
):
    headers = {"Idempotency-Key": "upload-1"}
    first = client.post(
        "/v1/datasets", data=ROWS.encode(), content_type="text/csv", headers=headers
    )
    assert first.status_code == 500
    assert client.get("/v1/datasets").json["items"] == []
    retry = client.post(
        "/v1/datasets", data=ROWS.encode(), content_type="text/csv", headers=headers
    )
    assert retry.status_code == 201  # not 409 "in flight"
    again = client.post(
        "/v1/datasets", data=ROWS.encode(), content_type="text/csv", headers=headers
    )
    assert again.headers["Idempotent-Replayed"] == "true" and again.json["id"] == retry.json["id"]
    assert [d["id"] for d in client.get("/v1/datasets").json["items"]] == [retry.json["id"]]


def test_a_submit_that_cannot_be_remembered_leaves_nothing_and_frees_its_key(
    client, dataset_id, remembering_fails
):
    headers = {"Idempotency-Key": "submit-1"}
    spec = {**SPEC, "dataset_id": dataset_id, "n_trials": 2}
    assert client.post("/v1/jobs", json=spec, headers=headers).status_code == 500
    assert client.get("/v1/jobs").json["items"] == []
    retry = client.post("/v1/jobs", json=spec, headers=headers)
    assert retry.status_code == 202
    again = client.post("/v1/jobs", json=spec, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json["id"] == retry.json["id"]
    assert [j["id"] for j in client.get("/v1/jobs").json["items"]] == [retry.json["id"]]


@pytest.mark.parametrize("how", ["query", "form"])
def test_a_dataset_name_longer_than_its_column_is_a_422_naming_it(client, how):
    # given a name of 256 characters (the column holds 255; PostgreSQL refused it with a 500)
    name = "n" * 256
    if how == "query":
        response = client.post(f"/v1/datasets?name={name}", data=ROWS, content_type="text/csv")
    else:
        form = {"file": (io.BytesIO(ROWS.encode()), "t.csv"), "name": name}
        response = client.post("/v1/datasets", data=form, content_type="multipart/form-data")
    # then it is refused, naming the field and the limit
    assert response.status_code == 422, response.data[:300]
    assert response.json["errors"] == {
        "name": ["a dataset's name is at most 255 characters; this one has 256"]
    }
    # and a name of 255 is stored whole
    ok = client.post(f"/v1/datasets?name={name[:255]}", data=ROWS, content_type="text/csv")
    assert ok.status_code == 201 and ok.json["name"] == name[:255]


def test_a_file_name_longer_than_a_dataset_name_is_shortened_to_its_end(client):
    filename = "d" * 300 + ".csv"
    form = {"file": (io.BytesIO(ROWS.encode()), filename)}
    response = client.post("/v1/datasets", data=form, content_type="multipart/form-data")
    assert response.status_code == 201, response.data[:300]
    assert response.json["name"] == filename[-255:]
