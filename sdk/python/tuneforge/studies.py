"""Studies: tune an objective computed here, on the service's strategies (ask and tell).

>>> study = api.create_study(space={"x": {"low": -5.0, "high": 5.0}},  # doctest: +SKIP
...                          direction="minimize", n_trials=30)
>>> for trial in study.trials():                                     # doctest: +SKIP
...     trial.report((trial.params["x"] - 1) ** 2)
>>> study.best                                                       # doctest: +SKIP
{'number': 17, 'params': {'x': 1.02}, 'value': 0.0004}

Several processes or threads may iterate the same study (``api.study(study_id)``): each
trial goes to one of them. A trial not reported before its lease lapses (the process
died) is handed out again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuneforge.errors import SpecError
from tuneforge.events import StudyEvent, parse_study

if TYPE_CHECKING:
    from tuneforge.client import Client

# The longest a waiting iteration sleeps between asks, whatever the service says.
MAX_WAIT_S = 5.0


@dataclass
class StudyTrial:
    """A trial leased to this client: evaluate ``params``, then :meth:`report` the value
    (or :meth:`fail`); :meth:`should_stop` asks the pruner mid-way."""

    study: Study
    number: int
    params: dict[str, Any]
    lease_expires_at: str
    reported: dict[str, Any] | None = field(default=None, repr=False)

    def report(self, value: float) -> dict[str, Any]:
        """Record the objective's value (a finite number); the trial as recorded.
        Raises :class:`~tuneforge.errors.SpecError` for NaN or an infinity (JSON has
        neither: nothing is sent), as the service answers 422 for what is no number."""
        return self._send({"value": _finite(value)})

    def fail(self, error: str = "") -> dict[str, Any]:
        """Record that the objective could not be computed."""
        return self._send({"state": "failed", "error": str(error)[:4000]})

    def prune(self) -> dict[str, Any]:
        """Record that the trial was stopped early (after :meth:`should_stop`)."""
        return self._send({"state": "pruned"})

    def should_stop(self, step: int, value: float) -> bool:
        """Report the value at ``step`` (0, 1, ...): whether the pruner says to stop."""
        body = {"intermediate": {"step": int(step), "value": _finite(value)}}
        return bool(self.study._post(f"trials/{self.number}", body)["should_stop"])

    def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        self.reported = self.study._post(f"trials/{self.number}", body)
        return self.reported


def _finite(value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise SpecError({"value": [f"must be a finite number, not {number!r}"]})
    return number


@dataclass
class Study:
    """A study on the service, as :meth:`Client.create_study` or :meth:`Client.study`
    return it; ``document`` is its JSON when last fetched."""

    client: Client
    id: str
    document: dict[str, Any]

    def refresh(self) -> Study:
        self.document = self.client._request("GET", f"/v1/studies/{self.id}").json()
        return self

    @property
    def state(self) -> str:
        return self.refresh().document["state"]

    @property
    def best(self) -> dict[str, Any] | None:
        """The best trial so far, ``{"number", "params", "value"}`` (``None`` before one)."""
        return self.refresh().document["best"]

    def ask(self, count: int = 1) -> dict[str, Any]:
        """One ask: ``{"items", "state", "remaining", "retry_after_s"}`` as the service
        answers it, with ``items`` as :class:`StudyTrial` s."""
        answer = self._post("suggestions", {"count": count})
        answer["items"] = [
            StudyTrial(self, t["number"], t["params"], t["lease_expires_at"])
            for t in answer["items"]
        ]
        return answer

    def trials(self, batch: int = 1) -> Iterator[StudyTrial]:
        """Trials to evaluate, ``batch`` leased at a time, until the study is done. While
        every trial left is leased to other clients, it waits (as the service says) for
        them to report, or for a lease to lapse."""
        while True:
            answer = self.ask(batch)
            if answer["items"]:
                yield from answer["items"]
                continue
            if answer["state"] != "running":
                return
            time.sleep(min(MAX_WAIT_S, answer["retry_after_s"] or 1.0))

    def events(self) -> Iterator[StudyEvent]:
        """The study's live events, until (and including) ``completed``; resumed with
        ``Last-Event-ID`` each time the service closes the stream."""
        url = f"/v1/studies/{self.id}/events"
        return self.client._follow(url, parse_study, lambda event: event.last)

    def delete(self) -> None:
        self.client._request("DELETE", f"/v1/studies/{self.id}")

    def _post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self.client._request("POST", f"/v1/studies/{self.id}/{path}", json=body).json()
