"""What a submit reads: its dataset's row once.

Services that call tuneforge send many small jobs, so a submit's reads are paid at every
one: the row was read by ``resolve_spec`` and again by ``check_data``. A dataset deleted
between the read and the insert is still refused (the insert checks under the tenant's
lock; ``tests/unit/test_races.py``).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event

from models.store.records import JobStatus

OWNER = "default"
SPEC = {"target": "target", "estimator": "decision_tree", "n_trials": 2}
# a SELECT of the datasets table's rows (the insert's EXISTS check is not one)
READS_A_ROW = re.compile(r"^\s*SELECT\s+datasets\.id\b.*\bFROM datasets\b", re.S | re.I)


def test_a_submit_reads_its_dataset_row_once(service, breast_cancer_csv):
    # given a dataset, its data checks already answered once (kept, as for a service
    # sending many jobs on one table)
    dataset = service.upload_dataset(OWNER, [breast_cancer_csv], "bc.csv")
    request = {"dataset_id": dataset.id, **SPEC}
    service.submit_job(OWNER, request)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(service.engine, "before_cursor_execute", seen)
    try:
        # when another job is submitted on it
        job = service.submit_job(OWNER, request)
    finally:
        event.remove(service.engine, "before_cursor_execute", seen)
    # then it is queued, having read the dataset's row once
    assert service.get_job(OWNER, job.id).status == JobStatus.QUEUED
    assert len([s for s in statements if READS_A_ROW.match(s)]) == 1, statements
