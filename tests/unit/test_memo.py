"""``Memo``: each key computed once, even when asked for at the same moment."""

from __future__ import annotations

import threading
import time

import pytest

from models.plumbing.memo import Memo


def test_callers_asking_at_once_share_one_computation():
    memo: Memo[int] = Memo(4)
    calls = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(memo.get("k", slow))) for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [42] * 5 and len(calls) == 1


def test_a_failure_is_not_remembered_and_old_answers_make_room():
    memo: Memo[int] = Memo(2)

    def fail() -> int:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        memo.get("k", fail)
    assert memo.get("k", lambda: 1) == 1
    memo.get("a", lambda: 2)
    memo.get("b", lambda: 3)  # "k" is now the oldest of three: dropped
    assert memo.get("k", lambda: 9) == 9 and memo.get("b", lambda: 0) == 3
