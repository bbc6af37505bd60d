"""Jobs and datasets listed in every order, page after page, with names, tags and the
dataset's name kept on the job: on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from models.engine.labels import Labels
from models.exceptions import SpecError
from models.store import datasets, jobs
from models.store.list_order import DATASET_SORTS, JOB_SORTS
from models.store.records import Dataset, Job, JobTag, utcnow
from tests.backends import on_every_database
from tests.unit.store_helpers import SPEC as STORE_SPEC
from tests.unit.store_helpers import add_dataset

pytestmark = on_every_database

OWNER = "default"
SPEC = dataclasses.replace(STORE_SPEC, dataset_id="ds_a")
# Names that sort the same under byte order and PostgreSQL's collations; a repeat, and
# jobs without a name or a score, to see ties and the missing ones placed.
NAMES = ["beta", None, "alpha", "gamma", "alpha", None, "delta"]
SCORES = [0.5, None, 0.9, -3.25, 0.9, 0.1, None]


def submit(session, name=None, tags=(), dataset_id="ds_a") -> Job:
    spec = dataclasses.replace(SPEC, dataset_id=dataset_id)
    return jobs.submit_job(session, OWNER, spec, max_active=1000, labels=Labels(name, tags))


def newest_first(ids: list[str]) -> list[str]:
    """Newest first, as ids say (jobs submitted in one millisecond are ordered at random)."""
    return sorted(ids, reverse=True)


@pytest.fixture
def listed(sessions) -> dict[str, dict]:
    """Seven jobs, by id: their names and best scores (those above)."""
    keys = {}
    with sessions() as session:
        add_dataset(session, OWNER, "ds_a")
        for name, score in zip(NAMES, SCORES, strict=True):
            job = submit(session, name)
            session.execute(update(Job).where(Job.id == job.id).values(best_score=score))
            session.commit()
            keys[job.id] = {"name": name, "best_score": score}
    return keys


def expected(listed: dict[str, dict], sort: str) -> list[str]:
    """The order ``sort`` promises: by the key, rows without it last, ties newest first."""
    ids = newest_first(list(listed))
    key = sort.lstrip("-")
    if key == "created_at":
        return ids if sort.startswith("-") else ids[::-1]
    with_key = [i for i in ids if listed[i][key] is not None]
    # stable, reversed too: ties stay newest first
    with_key.sort(key=lambda i: listed[i][key], reverse=sort.startswith("-"))
    return with_key + [i for i in ids if listed[i][key] is None]


def every_page(session, sort: str, limit: int, **where) -> list[str]:
    seen, cursor = [], None
    while True:
        page = jobs.list_jobs(session, OWNER, limit, cursor, jobs.JobFilter(**where), sort)
        seen += [job.id for job in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", JOB_SORTS)
@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_every_sort_pages_through_every_job_once_in_its_order(sessions, listed, sort, limit):
    with sessions() as session:
        assert every_page(session, sort, limit) == expected(listed, sort)


def test_a_job_submitted_between_pages_does_not_shift_the_next_page(sessions, listed):
    # given the first page of jobs by name
    with sessions() as session:
        first = jobs.list_jobs(session, OWNER, 3, None, sort="name")
        # when a job that sorts first is submitted before the next page is read
        submit(session, "aardvark")
        rest = jobs.list_jobs(session, OWNER, 100, first.next_cursor, sort="name")
    # then the next page starts exactly after the last one shown
    shown = [j.id for j in first.items] + [j.id for j in rest.items]
    assert shown == expected(listed, "name")


def test_a_cursor_is_only_good_for_the_sort_that_made_it(sessions, listed):
    with sessions() as session:
        by_name = jobs.list_jobs(session, OWNER, 2, None, sort="name").next_cursor
        newest = jobs.list_jobs(session, OWNER, 2, None).next_cursor
        with pytest.raises(SpecError, match="sorted by name") as other:
            jobs.list_jobs(session, OWNER, 2, by_name, sort="-best_score")
        assert other.value.field == "cursor"
        with pytest.raises(SpecError, match="sorted by -created_at"):
            jobs.list_jobs(session, OWNER, 2, newest, sort="created_at")
        with pytest.raises(SpecError, match="sorted by name"):
            jobs.list_jobs(session, OWNER, 2, by_name)
        some_id = next(iter(listed))
        for forged in ('name:"x:job_1', f"name:42:{some_id}", f"-best_score:nan:{some_id}"):
            sort = forged.partition(":")[0]
            with pytest.raises(SpecError, match="not a cursor") as bad:
                jobs.list_jobs(session, OWNER, 2, forged, sort=sort)
            assert bad.value.field == "cursor"


def test_an_unknown_sort_is_refused_naming_sort(sessions, listed):
    with sessions() as session, pytest.raises(SpecError) as refused:
        jobs.list_jobs(session, OWNER, 2, None, sort="status")
    assert refused.value.field == "sort" and "-best_score" in refused.value.detail


def test_a_name_with_quotes_colons_and_accents_pages_on(sessions):
    with sessions() as session:
        add_dataset(session, OWNER, "ds_a")
        ids = [submit(session, name).id for name in ('a "b": c', "é:1", 'a "b": c')]
        assert every_page(session, "name", 1) == [*newest_first([ids[0], ids[2]]), ids[1]]


def test_the_tag_filter_keeps_jobs_with_every_tag(sessions):
    with sessions() as session:
        add_dataset(session, OWNER, "ds_a")
        add_dataset(session, OWNER, "ds_b")
        both = submit(session, "both", ("prod", "v2")).id
        prod = submit(session, "prod", ("prod",)).id
        other = submit(session, "other", ("prod", "v2"), dataset_id="ds_b").id
        submit(session, "none")
        assert every_page(session, "-created_at", 1, tags=["prod"]) == newest_first(
            [other, prod, both]
        )
        assert every_page(session, "name", 1, tags=["v2", "prod"]) == [both, other]
        assert every_page(session, "name", 5, tags=["v2"], dataset_id="ds_a") == [both]
        assert every_page(session, "name", 5, tags=["nope"]) == []


def test_a_submit_keeps_the_name_the_tags_and_the_datasets_name(sessions):
    with sessions() as session:
        session.add(
            Dataset(
                id="ds_iris",
                owner=OWNER,
                name="iris.csv",
                storage_key="datasets/ds_iris.csv",
                n_rows=0,
                n_columns=0,
                columns=[],
                sha256="0" * 64,
                size_bytes=0,
            )
        )
        session.commit()
        job_id = submit(session, "first try", ("prod", "v2", "prod"), "ds_iris").id
    with sessions() as session:
        job = session.get(Job, job_id)
        assert (job.name, job.tags, job.dataset_name) == ("first try", ["prod", "v2"], "iris.csv")
        assert session.scalars(select(JobTag.tag).where(JobTag.job_id == job_id)).all() in (
            ["prod", "v2"],
            ["v2", "prod"],
        )
        # and withdrawing the job takes its tags' rows with it
        jobs.withdraw_job(session, OWNER, job_id)
        assert session.scalar(select(func.count()).select_from(JobTag)) == 0


def test_a_jobs_duration_runs_from_its_start_to_its_end_or_now():
    start = utcnow()
    job = Job(started_at=None, finished_at=None)
    assert jobs.duration_seconds(job) is None
    job.started_at = start
    assert jobs.duration_seconds(job, now=start + timedelta(seconds=3.04)) == 3.0
    job.finished_at = start + timedelta(seconds=75.26)
    assert jobs.duration_seconds(job, now=start + timedelta(hours=1)) == 75.3


@pytest.mark.parametrize("sort", DATASET_SORTS)
def test_datasets_page_by_name_and_by_creation(sessions, sort):
    names = ["b.csv", "a.csv", "c.csv", "a.csv"]
    with sessions() as session:
        ids = []
        for number, name in enumerate(names):
            ids.append(f"ds_{number:028x}")
            add_dataset(session, OWNER, ids[-1], name)
        seen, cursor = [], None
        while True:
            page = datasets.list_datasets(session, OWNER, 1, cursor, sort)
            seen += [d.name for d in page.items]
            if not (cursor := page.next_cursor):
                break
    in_order = {
        "-created_at": names[::-1],
        "created_at": names,
        "name": sorted(names),
        "-name": sorted(names, reverse=True),
    }
    assert seen == in_order[sort]
