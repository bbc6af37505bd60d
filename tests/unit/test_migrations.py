"""Migrations: the schema they build, the rows they keep, and many processes at once.

Each behaviour runs on a SQLite file and on a fresh PostgreSQL database (127.0.0.1:5432,
trust auth; ``.ci/run`` starts it when it is down, and a test fails when it is not
reachable).
"""

from __future__ import annotations

import itertools
import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Engine, MetaData, event, func, inspect, select, text

from api.launcher import main
from models.documents import DatasetSchema, JobSchema
from models.store.db import make_engine, make_sessionmaker
from models.store.deliveries import delivery_of, unsettled_finished
from models.store.idempotency import IdempotencyRecord
from models.store.migrate import BASELINE, current, head, is_current, revision_of, upgrade
from models.store.migrate import _config as migrate_config
from models.store.records import Base, Dataset, Job, JobTag, Trial

PROCESSES = 4
# Statements that change the schema or its revision.
WRITES = ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE")
T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

# Rows as the baseline schema holds them; written through reflected tables, not the ORM
# classes, so they stay valid when later revisions change the classes.
DATASET = {
    "id": "ds_old",
    "owner": "default",
    "name": "old.csv",
    "storage_key": "datasets/ds_old.csv",
    "n_rows": 3,
    "n_columns": 2,
    "columns": [{"name": "x", "dtype": "int64", "n_missing": 0, "n_unique": 3}],
    "sha256": "0" * 64,
    "size_bytes": 12,
    "created_at": T0,
}
OLD_RESULT = {"best_params": {"n_neighbors": 3}, "best_score": 0.9, "test_score": 0.8}
NEW_RESULT = {**OLD_RESULT, "scores": {"accuracy": 0.8}, "n_pruned_trials": 2}


def job(job_id: str, result: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": job_id,
        "owner": "default",
        "dataset_id": "ds_old",
        "spec": {"estimator": "knn", "target": "y"},
        "status": "succeeded" if result else "queued",
        "trials_total": 2,
        "trials_completed": 2 if result else 0,
        "best_score": 0.9 if result else None,
        "result": result,
        "created_at": T0,
        "attempts": 1,
    }


JOBS = [job("job_old", OLD_RESULT), job("job_new", NEW_RESULT), job("job_queued", None)]
TRIALS = [
    {
        "job_id": "job_old",
        "number": number,
        "params": {"n_neighbors": 3 + number},
        "state": "complete",
        "fold_scores": [0.9, 0.9],
        "mean_score": 0.9,
        "std_score": 0.0,
        "fit_time_s": 0.1,
        "score_time_s": 0.01,
        "metrics": {},
        "finished_at": T0,
    }
    for number in range(2)
]
KEY = {
    "owner": "default",
    "scope": "jobs",
    "key": "retry-1",
    "fingerprint": "f" * 64,
    "status": 202,
    "headers": {"Location": "/v1/jobs/job_old"},
    "body": "{}",
    "created_at": T0,
    "expires_at": T0 + timedelta(hours=24),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'tuneforge.db'}"
    return request.getfixturevalue("postgres_url")


def fill(database_url: str) -> None:
    """A dataset, three jobs (old-shaped result, new-shaped, none), trials and a key."""
    engine = make_engine(database_url)
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        connection.execute(tables.tables["datasets"].insert(), [DATASET])
        connection.execute(tables.tables["jobs"].insert(), JOBS)
        connection.execute(tables.tables["trials"].insert(), TRIALS)
        connection.execute(tables.tables["idempotency_keys"].insert(), [KEY])
    engine.dispose()


def assert_rows_kept_with_result_defaults(database_url: str) -> None:
    """Every row reads back through today's records; old results gained the defaults."""
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        dataset = session.get(Dataset, "ds_old")
        assert dataset is not None and dataset.columns == DATASET["columns"]
        assert dataset.created_at == T0
        results = {j.id: j.result for j in session.scalars(select(Job))}
        assert results == {
            "job_old": {**OLD_RESULT, "scores": {}, "n_pruned_trials": 0},
            "job_new": NEW_RESULT,
            "job_queued": None,
        }
        trials = session.scalars(select(Trial).order_by(Trial.number)).all()
        assert [(t.job_id, t.number, t.params) for t in trials] == [
            (row["job_id"], row["number"], row["params"]) for row in TRIALS
        ]
        key = session.scalars(select(IdempotencyRecord)).one()
        assert (key.key, key.status, key.headers) == (KEY["key"], 202, KEY["headers"])
    engine.dispose()


def version_rows(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        found = list(rows)
    engine.dispose()
    return found


def test_a_database_upgraded_to_head_has_the_schema_of_the_records(database_url):
    # Given an empty database; when it is upgraded to head
    upgrade(database_url)
    # then it holds exactly what Base.metadata describes (tables, columns, types,
    # indexes, unique constraints, foreign keys), deleting a job deletes its trials
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        foreign_keys = inspect(connection).get_foreign_keys("trials")
    engine.dispose()
    assert differences == []
    assert [(fk["referred_table"], fk["options"].get("ondelete")) for fk in foreign_keys] == [
        ("jobs", "CASCADE")
    ]


def test_upgrading_from_the_baseline_keeps_every_row_and_fills_result_defaults(database_url):
    # Given a database at the baseline revision, with rows of every kind
    assert upgrade(database_url, BASELINE) == BASELINE
    fill(database_url)
    # When it is upgraded to head
    reached = upgrade(database_url)
    # Then it is at head, and every row is still there, old results with the defaults
    assert reached == head() == current(database_url)
    assert_rows_kept_with_result_defaults(database_url)


def test_a_database_made_before_migrations_is_stamped_and_upgraded(database_url):
    # Given a database as the code before migrations made it (create_all made exactly the
    # baseline's tables): the baseline without its alembic_version table, then rows.
    upgrade(database_url, revision=BASELINE)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    fill(database_url)
    assert current(database_url) is None
    # When it is upgraded
    upgrade(database_url)
    # Then it was adopted at the baseline and brought to head, rows kept
    assert version_rows(database_url) == [head()]
    assert_rows_kept_with_result_defaults(database_url)


def _upgrade_when_all_are_ready(database_url: str, start: Any) -> None:
    start.wait()
    upgrade(database_url)


def test_processes_upgrading_one_fresh_database_at_once_all_succeed(database_url):
    # Given several processes that start upgrading the same empty database together
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    processes = [
        context.Process(target=_upgrade_when_all_are_ready, args=(database_url, start))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    # Then every one succeeds (one migrates, the others wait on the lock and find nothing
    # to do), and the database is at head once
    assert [p.exitcode for p in processes] == [0] * PROCESSES
    assert version_rows(database_url) == [head()]


def test_every_statement_of_an_upgrade_runs_in_the_transaction_that_holds_its_lock(
    postgres_url,
):
    # Given every statement PostgreSQL receives, with the transaction it runs in: PgBouncer
    # in transaction mode gives each transaction a server connection, so a lock held by a
    # session would stay on one of its pooled connections after the migration is done
    transactions = itertools.count(1)
    current_transaction = [0]
    statements: list[tuple[int, str]] = []

    def began(connection: Any) -> None:
        current_transaction[0] = next(transactions)

    def executed(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append((current_transaction[0], statement))

    event.listen(Engine, "begin", began)
    event.listen(Engine, "before_cursor_execute", executed)
    try:
        # When a fresh database is upgraded
        upgrade(postgres_url)
    finally:
        event.remove(Engine, "before_cursor_execute", executed)
        event.remove(Engine, "begin", began)
    # Then the lock is the migration transaction's own, taken before anything else in it,
    # and every revision (tables made, alembic_version written) runs in that transaction
    locks = [i for i, (_, sql) in enumerate(statements) if "advisory" in sql]
    assert [statements[i][1] for i in locks] == ["SELECT pg_advisory_xact_lock(%(key)s)"]
    locked_in = statements[locks[0]][0]
    after = statements[locks[0] :]
    assert any("CREATE TABLE rate_buckets" in sql for _, sql in after)
    assert any("UPDATE alembic_version" in sql for _, sql in after)
    writes = [(t, sql) for t, sql in after if sql.lstrip().upper().startswith(WRITES)]
    assert {t for t, _ in writes} == {locked_in}


def test_current_is_none_before_upgrade_and_head_after(database_url):
    assert current(database_url) is None and not is_current(database_url)
    upgrade(database_url)
    assert current(database_url) == head() and is_current(database_url)


def test_db_upgrade_command_creates_the_tables_and_twice_is_a_no_op(tmp_path):
    # Given a fresh data dir
    env = {"TUNEFORGE_DATA_DIR": str(tmp_path / "var"), "TUNEFORGE_DATABASE_URL": ""}
    database_url = f"sqlite:///{tmp_path / 'var' / 'tuneforge.db'}"
    runner = CliRunner()
    # When `tuneforge db upgrade` runs
    first = runner.invoke(main, ["db", "upgrade"], env=env)
    # Then it says it reached head, and the tables are there
    assert first.exit_code == 0, first.output
    assert head() in first.output
    engine = make_engine(database_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.begin() as connection:
        connection.execute(Dataset.__table__.insert(), [DATASET])
    # When it runs again, it changes nothing
    second = runner.invoke(main, ["db", "upgrade"], env=env)
    assert second.exit_code == 0, second.output
    assert second.output == first.output
    assert version_rows(database_url) == [head()]
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Dataset.__table__)) == 1
    engine.dispose()


BEFORE_WEBHOOK_STATE = "4c1d2e3f5a6b"
HOOK = {"estimator": "knn", "target": "y", "webhook_url": "https://example.com/hook"}
RETRYING = {"state": "retrying", "attempts": 2, "next_retry_at": "2025-01-02T03:05:00+00:00"}
# Deliveries stored before their state was: attempts, last_status, last_error, delivered_at.
LEGACY_DELIVERED = {"attempts": 2, "delivered_at": "2025-01-02T03:05:00+00:00"}
LEGACY_REFUSED = {"attempts": 1, "last_error": "refused: 10.0.0.1 is not public"}
LEGACY_FAILED = {"attempts": 9, "last_status": 500, "last_error": "HTTP 500"}


def test_upgrading_gives_each_webhook_delivery_its_state_column(database_url):
    # Given jobs as the revision before kept their deliveries (the state in the JSON, or
    # no state at all in rows older still), and a job without webhook_url
    assert upgrade(database_url, BEFORE_WEBHOOK_STATE) == BEFORE_WEBHOOK_STATE
    rows = {
        "job_none": (job("job_none", OLD_RESULT), None),
        "job_pending": ({**job("job_pending", OLD_RESULT), "spec": HOOK}, None),
        "job_retrying": ({**job("job_retrying", OLD_RESULT), "spec": HOOK}, RETRYING),
        "job_delivered": ({**job("job_delivered", OLD_RESULT), "spec": HOOK}, LEGACY_DELIVERED),
        "job_refused": ({**job("job_refused", OLD_RESULT), "spec": HOOK}, LEGACY_REFUSED),
        "job_failed": ({**job("job_failed", OLD_RESULT), "spec": HOOK}, LEGACY_FAILED),
    }
    engine = make_engine(database_url)
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        connection.execute(
            tables.tables["jobs"].insert(),
            [{**row, "webhook": hook} for row, hook in rows.values()],
        )
    # When it is upgraded to head
    upgrade(database_url)
    # Then each delivery reads in the state it was in (legacy rows as final), the rest of
    # it kept, and the webhook sweep's query finds the unsettled ones only
    with make_sessionmaker(engine)() as session:
        read = {job_id: delivery_of(session.get(Job, job_id)) for job_id in rows}
        unsettled = sorted(job.id for job in session.scalars(unsettled_finished()))
    engine.dispose()
    assert {job_id: d and d.state for job_id, d in read.items()} == {
        "job_none": None,
        "job_pending": "pending",
        "job_retrying": "retrying",
        "job_delivered": "delivered",
        "job_refused": "refused",
        "job_failed": "failed",
    }
    assert read["job_retrying"].attempts == 2 and read["job_retrying"].next_retry_at is not None
    assert read["job_failed"].last_error == "HTTP 500"
    assert unsettled == ["job_pending", "job_retrying"]


def test_downgrading_puts_each_webhook_state_back_into_the_json(database_url):
    # Given a database at head with a delivery retrying after two attempts
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        row = {**job("job_retrying", OLD_RESULT), "spec": HOOK, "warnings": None}
        connection.execute(
            Job.__table__.insert(),
            [{**row, "webhook_state": "retrying", "webhook": {"attempts": 2}}],
        )
    # When it is taken back to the revision before the state had a column
    with engine.connect() as connection, connection.begin():
        command.downgrade(migrate_config(connection), BEFORE_WEBHOOK_STATE)
    # Then the JSON holds the state again, as the code of that revision reads it
    tables = MetaData()
    tables.reflect(engine)
    with engine.connect() as connection:
        (webhook,) = connection.execute(select(tables.tables["jobs"].c.webhook)).scalars()
        revision = revision_of(connection)
    engine.dispose()
    assert revision == BEFORE_WEBHOOK_STATE
    assert webhook == {"attempts": 2, "state": "retrying"}
    assert "webhook_state" not in tables.tables["jobs"].c


BEFORE_NAMES = "f52b7bdfa6a0"


def test_upgrading_gives_each_job_its_datasets_name_and_no_name_or_tags_of_its_own(
    database_url,
):
    # Given a database at the revision before names, with a dataset, a job on it and a job
    # whose dataset was deleted
    assert upgrade(database_url, BEFORE_NAMES) == BEFORE_NAMES
    engine = make_engine(database_url)
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        connection.execute(tables.tables["datasets"].insert(), [DATASET])
        connection.execute(
            tables.tables["jobs"].insert(),
            [job("job_old", OLD_RESULT), {**job("job_orphan", None), "dataset_id": "ds_gone"}],
        )
    # When it is upgraded to head
    upgrade(database_url)
    # Then each job names its dataset where the dataset is still there, and the job and
    # dataset documents carry no name of the job's own and empty tags
    with make_sessionmaker(engine)() as session:
        named = {j.id: (j.dataset_name, j.name) for j in session.scalars(select(Job))}
        document = JobSchema().dump(session.get(Job, "job_old"))
        dataset = DatasetSchema().dump(session.get(Dataset, "ds_old"))
    engine.dispose()
    assert named == {"job_old": ("old.csv", None), "job_orphan": (None, None)}
    assert (document["name"], document["tags"], document["dataset_name"]) == (None, [], "old.csv")
    assert (dataset["name"], dataset["tags"]) == ("old.csv", [])


def test_downgrading_from_names_drops_them_and_the_tag_rows(database_url):
    # Given a database at head with a named, tagged job
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(Dataset.__table__.insert(), [{**DATASET, "tags": ["a"]}])
        row = {**job("job_named", None), "name": "n", "tags": ["t"], "dataset_name": "old.csv"}
        connection.execute(Job.__table__.insert(), [row])
        connection.execute(JobTag.__table__.insert(), [{"job_id": "job_named", "tag": "t"}])
    # When it is taken back to the revision before names
    with engine.connect() as connection, connection.begin():
        command.downgrade(migrate_config(connection), BEFORE_NAMES)
    # Then the columns and the tag table are gone, and the job is still there
    tables = MetaData()
    tables.reflect(engine)
    with engine.connect() as connection:
        ids = connection.execute(select(tables.tables["jobs"].c.id)).scalars().all()
    engine.dispose()
    assert "job_tags" not in tables.tables and ids == ["job_named"]
    assert not {"name", "tags", "dataset_name"} & set(tables.tables["jobs"].c.keys())
    assert "tags" not in tables.tables["datasets"].c
