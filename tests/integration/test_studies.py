"""Studies against a started API: the SDK tunes a function, parallel clients, the README."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import optuna
import pytest

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "sdk" / "python"
if str(SDK) not in sys.path:
    sys.path.append(str(SDK))

import tuneforge  # noqa: E402

pytestmark = pytest.mark.integration
README_URL = "http://127.0.0.1:8000"
SPACE = {"x": {"type": "float", "low": -5, "high": 5}, "y": {"type": "float", "low": -5, "high": 5}}


def quadratic(x: float, y: float) -> float:
    return (x - 1) ** 2 + (y + 2) ** 2


def _section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Studies: tune any objective (ask and tell)\n", 1)[1].split("\n## ")[0]


def test_the_readme_example_tunes_a_function(shared_service, capsys):
    code = re.search(r"```python\n(.*?)```", _section(), re.S).group(1)
    assert README_URL in code
    exec(compile(code.replace(README_URL, shared_service.url), "README", "exec"), {})
    printed = capsys.readouterr().out
    assert "'number'" in printed and "'value'" in printed


def test_the_readme_curl_walkthrough_works_as_written(shared_service, tmp_path):
    script = re.search(r"```sh\n(.*?)```", _section(), re.S).group(1)
    script = script.replace(f"API={README_URL}", f"API={shared_service.url}")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"state":"completed"' in done.stdout and '"succeeded":3' in done.stdout


def test_the_best_matches_a_local_optuna_run_of_the_same_budget(shared_service):
    with tuneforge.Client(shared_service.url) as api:
        study = api.create_study(space=SPACE, direction="minimize", n_trials=40, random_state=0)
        for trial in study.trials():
            trial.report(quadratic(**trial.params))
        best = study.best
        assert study.state == "completed"
    local = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    local.optimize(
        lambda t: quadratic(t.suggest_float("x", -5, 5), t.suggest_float("y", -5, 5)),
        n_trials=40,
    )
    # both near the optimum (0); neither far behind the other
    assert best["value"] < 1.0 and local.best_value < 1.0
    assert abs(best["value"] - local.best_value) < 1.0


def test_two_parallel_clients_never_share_a_trial(shared_service):
    with tuneforge.Client(shared_service.url) as api:
        study = api.create_study(space=SPACE, direction="minimize", n_trials=24, random_state=1)
    seen: list[list[int]] = [[], []]

    def work(slot: int) -> None:
        with tuneforge.Client(shared_service.url) as api:
            for trial in api.study(study.id).trials(batch=2):
                seen[slot].append(trial.number)
                trial.report(quadratic(**trial.params))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not set(seen[0]) & set(seen[1])
    assert sorted(seen[0] + seen[1]) == list(range(24))
    assert seen[0] and seen[1]


def test_unhappy_reports_through_the_sdk(shared_service):
    with tuneforge.Client(shared_service.url) as api:
        with pytest.raises(tuneforge.ValidationError) as bad:
            api.create_study(space={"x": {"type": "int", "low": 3, "high": 1}}, n_trials=3)
        assert "space.x" in str(bad.value.errors)
        study = api.create_study(space=SPACE, n_trials=3, strategy="random")
        (trial,) = study.ask()["items"]
        with pytest.raises(tuneforge.SpecError):
            trial.report(float("nan"))
        with pytest.raises(tuneforge.ValidationError) as not_finite:
            study._post(f"trials/{trial.number}", {"value": "1.5"})
        assert "value" in not_finite.value.errors
        trial.report(1.0)
        assert trial.report(1.0)["value"] == 1.0
        with pytest.raises(tuneforge.Conflict):
            trial.report(2.0)
        (second,) = study.ask()["items"]
        second.fail("diverged")
        with pytest.raises(tuneforge.NotFound):
            study._post("trials/99", {"value": 1.0})
        study.delete()
        with pytest.raises(tuneforge.NotFound):
            api.study(study.id)


@pytest.fixture
def two_tenants(tmp_path: Path):
    """An API (no worker: studies need none) with two tenants' keys and 2 s streams."""
    from tests.integration.conftest import Service

    svc = Service(tmp_path, "", TUNEFORGE_API_KEYS="acme:k-acme,other:k-other")
    svc.env["TUNEFORGE_EVENTS_STREAM_SECONDS"] = "2"
    try:
        svc.start("api")
        yield svc
    finally:
        svc.close()


def test_a_study_streams_its_events_to_the_end_and_resumes(two_tenants):
    url = two_tenants.url
    with tuneforge.Client(url, key="k-acme") as api:
        study = api.create_study(space=SPACE, n_trials=4, strategy="random", random_state=2)
        seen: list[tuneforge.events.StudyEvent] = []
        follower = threading.Thread(target=lambda: seen.extend(study.events()))
        follower.start()
        for number, trial in enumerate(study.trials(batch=2)):
            if number == 2:
                time.sleep(2.5)  # past the stream's 2 s: the SDK resumes it with Last-Event-ID
            trial.report(quadratic(**trial.params))
        follower.join(30)
        assert not follower.is_alive(), "the stream did not end when the study completed"
        # every event once, in order, whatever the reconnects
        assert [e.id for e in seen] == [str(n) for n in range(1, len(seen) + 1)]
        kinds = [e.event for e in seen if e.event != "best"]
        assert kinds == ["suggested", "reported", "reported"] * 2 + ["completed"]
        assert seen[0].data["numbers"] == [0, 1] and "best" in {e.event for e in seen}
        reported = [e.data for e in seen if e.event == "reported"]
        assert [r["number"] for r in reported] == [0, 1, 2, 3]
        assert seen[-1].data["best_value"] == study.best["value"]
        # a reader resuming after the third event gets the rest, and the stream ends
        resumed = httpx.get(
            f"{url}/v1/studies/{study.id}/events",
            headers={"X-API-Key": "k-acme", "Last-Event-ID": "3"},
            timeout=30,
        )
        ids = re.findall(r"^id: (\d+)$", resumed.text, re.M)
        assert ids == [e.id for e in seen[3:]]
    with tuneforge.Client(url, key="k-other") as other:
        with pytest.raises(tuneforge.NotFound):
            other.study(study.id)
        with pytest.raises(tuneforge.NotFound):
            next(tuneforge.studies.Study(other, study.id, {}).events())
