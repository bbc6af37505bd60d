"""One watcher per API process: a follower is woken when its job changes and only then,
and followers at one cursor share one read."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from api.watch import SubjectWatch

INTERVAL = 0.02


class Jobs:
    """What the watcher reads: each job's progress, and what is new after a cursor."""

    def __init__(self) -> None:
        self.progress = {"job_a": ("running", 0, None), "job_b": ("queued", 0, None)}
        self.reads: list[tuple[str, str, int]] = []
        self.away = False
        self.after_read = lambda: None

    def read_progress(self, job_ids):
        if self.away:
            raise ConnectionError("the database is away")
        return {job_id: self.progress[job_id] for job_id in job_ids if job_id in self.progress}

    def read_news(self, owner, job_id, cursor):
        self.reads.append((owner, job_id, cursor))
        answer = f"after {cursor}", self.progress[job_id]
        self.after_read()
        return answer


@pytest.fixture
def jobs():
    return Jobs()


@pytest.fixture
def watch(jobs):
    return SubjectWatch(jobs.read_progress, jobs.read_news, INTERVAL, "job-watch")


def woken(follower, within=1.0):
    follower.wait(within)
    return follower.changed.is_set()


def settled(follower):
    """The follower after its first wake-up (a job seen for the first time counts as
    changed) and a read, which clears it."""
    assert woken(follower)
    follower.news(0)
    return follower


def test_a_follower_is_woken_when_its_job_changes_and_only_then(watch, jobs):
    with watch.follow("alice", "job_a") as a, watch.follow("alice", "job_b") as b:
        settled(a), settled(b)
        assert not woken(a, within=5 * INTERVAL)
        jobs.progress["job_a"] = ("running", 1, 0)
        assert woken(a)
        assert not woken(b, within=5 * INTERVAL)


def test_a_change_during_a_read_wakes_the_next_wait(watch, jobs):
    with watch.follow("alice", "job_a") as a:
        settled(a)
        a.news(0)  # clears, then reads...
        jobs.progress["job_a"] = ("running", 1, 0)  # ...while the job changes
        assert woken(a)


def test_followers_at_one_cursor_share_one_read_until_the_job_changes(watch, jobs):
    with watch.follow("alice", "job_a") as a, watch.follow("alice", "job_a") as b:
        settled(a), settled(b)
        jobs.reads.clear()
        assert a.news(3) == b.news(3) == ("after 3", ("running", 0, None))
        assert len(jobs.reads) == 1
        b.news(4)  # another cursor: its own read
        assert len(jobs.reads) == 2
        jobs.progress["job_a"] = ("running", 1, 0)
        assert woken(a)
        assert a.news(3) == ("after 3", ("running", 1, 0))  # read again, not the old answer
        assert len(jobs.reads) == 3


def test_followers_that_ask_while_a_read_is_under_way_wait_for_it(watch, jobs):
    with watch.follow("alice", "job_a") as a, watch.follow("alice", "job_a") as b:
        settled(a), settled(b)
        jobs.reads.clear()
        reading, release = threading.Event(), threading.Event()
        jobs.after_read = lambda: reading.set() or release.wait(5)
        first = threading.Thread(target=a.news, args=(3,))
        first.start()
        assert reading.wait(5)  # a's read is under way when b asks
        answers = []
        second = threading.Thread(target=lambda: answers.append(b.news(3)))
        second.start()
        time.sleep(5 * INTERVAL)
        assert answers == []  # b waits for a's read...
        release.set()
        first.join(5), second.join(5)
        assert answers == [("after 3", ("running", 0, None))]  # ...and shares it
        assert len(jobs.reads) == 1


def test_a_failed_read_fails_its_waiters_and_the_next_follower_reads_again(watch, jobs):
    with watch.follow("alice", "job_a") as a:
        settled(a)
        jobs.reads.clear()

        def fail():
            jobs.after_read = lambda: None
            raise ConnectionError("the database is away")

        jobs.after_read = fail
        with pytest.raises(ConnectionError):
            a.news(3)
        assert a.news(3) == ("after 3", ("running", 0, None))
        assert len(jobs.reads) == 2


def test_followers_of_other_tenants_do_not_share_reads(watch, jobs):
    with watch.follow("alice", "job_a") as a, watch.follow("mallory", "job_a") as m:
        settled(a), settled(m)
        jobs.reads.clear()
        a.news(3), m.news(3)
        assert [owner for owner, _, _ in jobs.reads] == ["alice", "mallory"]


def test_an_answer_read_while_the_job_changed_is_not_shared(watch, jobs):
    with watch.follow("alice", "job_a") as a, watch.follow("alice", "job_a") as b:
        settled(a), settled(b)
        jobs.reads.clear()

        def change():  # the job changes after the read, and the watcher sees it
            jobs.after_read = lambda: None
            jobs.progress["job_a"] = ("running", 1, 0)
            assert woken(b)

        jobs.after_read = change
        assert a.news(3) == ("after 3", ("running", 0, None))
        assert b.news(3) == ("after 3", ("running", 1, 0))  # not the answer from before
        assert len(jobs.reads) == 2


def test_a_job_that_is_gone_wakes_its_followers(watch, jobs):
    with watch.follow("alice", "job_a") as a:
        settled(a)
        del jobs.progress["job_a"]
        assert woken(a)


def test_the_poller_runs_only_while_a_job_is_followed(watch):
    def polling():
        return any(t.name == "job-watch" for t in threading.enumerate())

    def stopped():  # a poller stops within an interval of its last follower leaving
        deadline = time.monotonic() + 1
        while polling() and time.monotonic() < deadline:
            time.sleep(INTERVAL)
        return not polling()

    assert stopped()  # the other tests' pollers
    with watch.follow("alice", "job_a") as a:
        settled(a)
        assert polling()
    assert stopped()


def test_a_failed_read_is_logged_and_the_poller_goes_on(watch, jobs, caplog):
    with watch.follow("alice", "job_a") as a:
        settled(a)
        jobs.away = True
        with caplog.at_level(logging.ERROR, logger="api.watch"):
            time.sleep(5 * INTERVAL)
        assert "could not read the progress of 1 followed subjects (job-watch)" in caplog.text
        jobs.away = False
        jobs.progress["job_a"] = ("running", 1, 0)
        assert woken(a)
