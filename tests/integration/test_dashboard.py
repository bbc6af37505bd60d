"""The dashboard under ``/ui`` in a real browser (Debian's chromium driven by Playwright)
against a live API and worker: upload, start a search from the form, watch it, read its
plots; with API keys; a 500-trial job drawn in under a second. Every request the page
makes is recorded: none may leave the service's host. Screenshots are kept in
``var/test-artifacts/dashboard/``.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.integration.conftest import ROOT, Service

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "dashboard"
KEY = "dash-key-0123456789"
SPACE = {
    "n_estimators": {"type": "int", "low": 10, "high": 40},
    "max_depth": {"type": "int", "low": 1, "high": 16, "log": True},
    "max_features": {"type": "categorical", "choices": ["sqrt", 0.5, None]},
}


def table(rows: int, seed: int = 0, sep: str = ",", decimal: str = ".") -> bytes:
    """A small two-class table: two numbers, a category and the target ``y``."""
    rng = random.Random(seed)
    lines = [sep.join(["a", "b", "colour", "y"])]
    for _ in range(rows):
        a, b = rng.gauss(0, 1), rng.gauss(0, 1)
        y = int(a + 0.5 * b + rng.gauss(0, 0.7) > 0)
        cells = [f"{a:.3f}".replace(".", decimal), f"{b:.3f}".replace(".", decimal)]
        lines.append(sep.join([*cells, rng.choice(["red", "green", "blue"]), str(y)]))
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Tab:
    """A browser page and what it did: every request's URL, every uncaught error."""

    page: Page
    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def assert_stayed_on(self, origin: str) -> None:
        elsewhere = [u for u in self.urls if not u.startswith((f"{origin}/", "data:", "blob:"))]
        assert self.urls and not elsewhere, elsewhere
        assert not self.errors, self.errors


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # A failure, not a skip: `make test` and .ci/run install chromium.
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    opened = Tab(page)
    page.on("request", lambda request: opened.urls.append(request.url))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    yield opened
    context.close()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One API and worker (no keys) shared by this module's tests without keys."""
    svc = Service(tmp_path_factory.mktemp("dashboard"), "")
    try:
        svc.start("api", "worker")
        yield svc
    finally:
        svc.close()


def drop_file(page: Page, name: str, content: bytes) -> None:
    """Drop a file on the drop zone, as dragging it from the desktop does."""
    transfer = page.evaluate_handle(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, { type: "text/csv" }));
            return transfer;
        }""",
        [name, content.decode()],
    )
    page.dispatch_event("[data-testid=dropzone]", "dragover", {"dataTransfer": transfer})
    page.dispatch_event("[data-testid=dropzone]", "drop", {"dataTransfer": transfer})


def uploaded_id(page: Page, name: str) -> str:
    status = page.locator("[data-testid=upload-status]", has_text=f"Uploaded {name}")
    status.wait_for()
    return status.get_attribute("data-dataset-id")


def watch_progress(page: Page, svc: Service, job_id: str) -> list[float]:
    """Every width the job page's progress bar showed until the job finished."""
    bar = page.locator("[data-testid=job-progress] .bar")
    seen: list[float] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pct = float(bar.get_attribute("data-pct"))
        if not seen or seen[-1] != pct:
            seen.append(pct)
        if page.locator("[data-testid=job-status]").inner_text() in ("succeeded", "failed"):
            return seen
        page.wait_for_timeout(50)
    raise AssertionError(f"job {job_id} did not finish: {svc.job(job_id)['status']}")


def test_a_person_uploads_starts_a_search_and_reads_its_plots(dashboard: Service, tab: Tab):
    page, svc = tab.page, dashboard
    # Given the front page, its link leads to the dashboard.
    page.goto(f"{svc.url}/")
    page.click("[data-testid=ui-link]")
    page.wait_for_url(f"{svc.url}/ui")
    page.click("[data-testid=nav-datasets]")

    # When a European CSV is chosen with the picker and another dropped on the zone,
    european = table(60, seed=1, sep=";", decimal=",")
    page.set_input_files(
        "[data-testid=file-input]",
        files=[{"name": "european.csv", "mimeType": "text/csv", "buffer": european}],
    )
    european_id = uploaded_id(page, "european.csv")
    drop_file(page, "dropped.csv", table(240))
    dropped_id = uploaded_id(page, "dropped.csv")

    # then both are listed, and a profile shows its columns and the reader's warnings.
    page.locator(f"[data-testid=dataset-row][data-id='{dropped_id}']").wait_for()
    assert page.locator(f"[data-testid=dataset-row][data-id='{european_id}']").count() == 1
    tab.screenshot("1-datasets")
    page.goto(f"{svc.url}/ui#/datasets/{european_id}")
    page.locator("[data-testid=columns-table] tbody tr").first.wait_for()
    profile = svc.get(f"/v1/datasets/{european_id}").json()
    assert page.locator("[data-testid=columns-table] tbody tr").count() == profile["n_columns"]
    assert profile["warnings"], "a decimal comma is reported"
    warnings = page.locator("[data-testid=dataset-warnings] li.warning")
    assert warnings.count() == len(profile["warnings"])
    assert profile["warnings"][0]["message"] in warnings.first.inner_text()

    # When the form is filled in with a budget the API refuses, its field error is shown;
    page.click("[data-testid=nav-jobs]")
    form = page.locator("[data-testid=search-form]")
    form.wait_for()
    page.select_option("[data-testid=f-dataset]", dropped_id)
    assert page.input_value("[data-testid=f-target]") == "y"
    page.select_option("[data-testid=f-estimator]", "random_forest")
    default = json.loads(page.input_value("[data-testid=f-space]"))
    catalog = {e["name"]: e for e in svc.get("/v1/estimators").json()["items"]}
    assert default == catalog["random_forest"]["default_space"]["classification"]
    page.fill("[data-testid=f-space]", json.dumps(SPACE))
    page.fill("[data-testid=f-trials]", "0")
    page.click("[data-testid=f-submit]")
    expect(form.locator("[data-error-for=n_trials]")).to_contain_text("greater than or equal to 1")
    expect(page.locator("[data-testid=form-errors]")).to_contain_text("n_trials")
    tab.screenshot("2-form-error")

    # and with a budget of 24 trials the search starts and its page follows it live.
    page.fill("[data-testid=f-trials]", "24")
    page.click("[data-testid=f-submit]")
    page.wait_for_url("**/ui#/jobs/job_*")
    job_id = page.url.rsplit("/", 1)[-1]
    page.locator("[data-testid=job-progress]").wait_for()
    widths = watch_progress(page, svc, job_id)
    assert len({w for w in widths if 0 < w < 100}) >= 1 and len(set(widths)) >= 2, widths

    # Then the finished job's plots: one history point per trial, one plot per parameter
    # (log where the space says log), importance bars.
    job = svc.wait_for(job_id)
    assert job["status"] == "succeeded", job
    trials = svc.trials(job_id)
    assert len(trials) == job["progress"]["trials_completed"] == 24
    page.locator("[data-testid=result] [data-testid=best-params]").wait_for()
    points = page.locator("[data-testid=history-plot] circle.pt")
    assert points.count() == len(trials)
    assert page.locator("[data-testid=history-plot-best-line]").count() == 1
    plots = page.locator("[data-testid=param-plot]")
    assert plots.count() == len(SPACE)
    assert page.get_attribute("[data-testid=param-plot][data-param=max_depth]", "data-scale") == (
        "log"
    )
    scale = page.get_attribute("[data-testid=param-plot][data-param=max_features]", "data-scale")
    assert scale == "band"
    tab.screenshot("3-job")

    # A parameter whose chosen value is null says so in the trials table.
    nulls = [t["number"] for t in trials if t["params"]["max_features"] is None]
    assert nulls  # 24 draws from 3 choices
    row = page.locator(f"[data-testid=trial-row][data-number='{nulls[0]}']")
    assert "null" in row.inner_text().split()

    # When the trials table is sorted by score, the best trial comes first, then last.
    best = max(trials, key=lambda t: t["mean_score"])["mean_score"]
    worst = min(trials, key=lambda t: t["mean_score"])["mean_score"]
    rows = page.locator("[data-testid=trial-row]")
    page.click("[data-testid=sort-mean_score]")
    first = int(rows.first.get_attribute("data-number"))
    assert next(t for t in trials if t["number"] == first)["mean_score"] == best
    page.click("[data-testid=sort-mean_score]")
    first = int(rows.first.get_attribute("data-number"))
    assert next(t for t in trials if t["number"] == first)["mean_score"] == worst

    # and the model downloads through the API, the same bytes it serves.
    with page.expect_download() as download:
        page.click("[data-testid=download-joblib]")
    saved = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"{job_id}.joblib"
    assert saved == svc.get(f"/v1/jobs/{job_id}/model?format=joblib").content

    # The jobs list shows it finished with its best score; nothing left the host.
    page.click("[data-testid=nav-jobs]")
    row = page.locator(f"[data-testid=job-row][data-id='{job_id}']")
    row.wait_for()
    assert row.get_attribute("data-status") == "succeeded"
    assert f"{job['best_score']:.4f}" in row.inner_text()
    tab.screenshot("4-jobs")
    tab.assert_stayed_on(svc.url)

    # The importance bars, one per parameter the API rates (GET /v1/jobs/{id}/importance).
    page.goto(f"{svc.url}/ui#/jobs/{job_id}")
    page.locator("[data-testid=job-view][data-drawn-ms]").wait_for()
    importance = svc.get(f"/v1/jobs/{job_id}/importance")
    assert importance.status_code == 200, importance.text
    bars = page.locator("[data-testid=importance-plot] rect.bar")
    assert bars.count() == len(importance.json()["importances"]) > 0
    tab.screenshot("3-job-importance")


def test_a_job_page_with_500_trials_is_drawn_in_under_a_second(dashboard: Service, tab: Tab):
    # Given a finished job of 500 cheap trials,
    dataset = dashboard.upload(table(40, seed=2), "tiny.csv")
    job = dashboard.submit(
        dataset_id=dataset["id"],
        target="y",
        estimator="decision_tree",
        strategy="random",
        n_trials=500,
        cv={"folds": 2},
        test_size=0,
    )
    job = dashboard.wait_for(job["id"], timeout=240)
    assert job["status"] == "succeeded", job
    assert job["progress"]["trials_completed"] == 500

    # when its page is opened,
    # (opened three times: the best of three is the page's cost, not the machine's load)
    tab.page.goto(f"{dashboard.url}/ui#/jobs/{job['id']}")
    view = tab.page.locator("[data-testid=job-view][data-drawn-ms]")
    times = []
    for attempt in range(3):
        if attempt:
            tab.page.reload()
        view.wait_for()
        times.append(float(view.get_attribute("data-drawn-ms")))
        since_navigation = tab.page.evaluate("performance.now()")
    drawn_ms = min(times)

    # then every trial is drawn, fetched, plotted and tabled within a second.
    print(
        f"\n500-trial job page: drawn {', '.join(f'{t:.0f}' for t in times)} ms after the "
        f"view started (fetching job, trials, result and importance included); "
        f"{since_navigation:.0f} ms after navigation (the last)"
    )
    assert tab.page.locator("[data-testid=history-plot] circle.pt").count() == 500
    assert tab.page.locator("[data-testid=trial-row]").count() == 500
    assert tab.page.locator("[data-testid=param-plot]").count() == len(job["spec"]["param_space"])
    tab.screenshot("5-job-500-trials")
    assert drawn_ms < 1000
    tab.assert_stayed_on(dashboard.url)


@pytest.fixture(scope="module")
def finished_job(dashboard: Service) -> dict[str, Any]:
    """A succeeded job of three cheap trials, for the tests that need a finished one."""
    dataset = dashboard.upload(table(40, seed=3), "finished.csv")
    job = dashboard.submit(
        dataset_id=dataset["id"],
        target="y",
        estimator="decision_tree",
        strategy="random",
        n_trials=3,
        cv={"folds": 2},
    )
    job = dashboard.wait_for(job["id"], timeout=60)
    assert job["status"] == "succeeded", job
    return job


def test_the_cancel_button_stops_a_running_search(dashboard: Service, tab: Tab):
    # Given a search far longer than the test, running,
    page, svc = tab.page, dashboard
    dataset = svc.upload(table(240, seed=4), "slow.csv")
    job = svc.submit(
        dataset_id=dataset["id"],
        target="y",
        estimator="random_forest",
        strategy="random",
        n_trials=500,
    )
    try:
        svc.wait_for(job["id"], ("running",), timeout=30)
        # when its page is opened and the cancel button clicked,
        page.goto(f"{svc.url}/ui#/jobs/{job['id']}")
        status = page.locator("[data-testid=job-status]")
        expect(status).to_have_text("running")
        page.click("[data-testid=cancel]")

        # then the page and the API both say cancelled, and the button is gone.
        expect(status).to_have_text("cancelled")
        expect(page.locator("[data-testid=cancel]")).to_have_count(0)
        assert svc.job(job["id"])["status"] == "cancelled"
        tab.screenshot("8-job-cancelled")
        tab.assert_stayed_on(svc.url)
    finally:
        svc.cancel_unfinished()  # the worker is free for the next test, even on a failure


def test_the_skops_button_downloads_the_models_bytes(
    dashboard: Service, tab: Tab, finished_job: dict[str, Any]
):
    # Given a finished job's page, with its result drawn,
    page, job_id = tab.page, finished_job["id"]
    page.goto(f"{dashboard.url}/ui#/jobs/{job_id}")
    page.locator("[data-testid=download-skops]").wait_for()

    # when the skops button is clicked,
    with page.expect_download() as download:
        page.click("[data-testid=download-skops]")

    # then the file is named for the job and holds the bytes the API serves.
    saved = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"{job_id}.skops"
    served = dashboard.get(f"/v1/jobs/{job_id}/model?format=skops")
    assert served.status_code == 200, served.text
    assert saved == served.content and saved[:2] == b"PK"  # a skops file is a zip
    tab.assert_stayed_on(dashboard.url)


def test_the_jobs_list_shows_a_new_job_and_its_end_without_a_reload(
    dashboard: Service, tab: Tab, finished_job: dict[str, Any]
):
    # Given the jobs view open while no job runs (the page then has nothing to follow),
    page, svc = tab.page, dashboard
    svc.cancel_unfinished()
    page.goto(f"{svc.url}/ui#/jobs")
    page.locator(f"[data-testid=job-row][data-id='{finished_job['id']}']").wait_for()
    page.evaluate("window.sameDocument = true")  # gone if the page is reloaded

    # when a search of a few seconds is submitted through the API,
    job = svc.submit(
        dataset_id=finished_job["dataset_id"],
        target="y",
        estimator="decision_tree",
        strategy="random",
        n_trials=500,
        timeout_s=8,  # longer than the idle refresh; out of time, it succeeds with what it ran
        cv={"folds": 2},
    )

    # then its row appears while it is under way, and turns succeeded, in the same page.
    row = page.locator(f"[data-testid=job-row][data-id='{job['id']}']")
    expect(row).to_have_attribute("data-status", re.compile("queued|running"), timeout=10_000)
    expect(row).to_have_attribute("data-status", "succeeded", timeout=20_000)
    assert svc.job(job["id"])["status"] == "succeeded"
    assert page.evaluate("window.sameDocument") is True
    tab.assert_stayed_on(svc.url)


def test_the_pages_own_refreshes_say_they_are_polls_and_are_not_logged_at_info(
    dashboard: Service, tab: Tab
):
    page, svc = tab.page, dashboard
    polls: list[str | None] = []
    page.on(
        "request",
        lambda r: "/v1/jobs?" in r.url and polls.append(r.headers.get("x-tuneforge-poll")),
    )
    api_log = svc.logs / "api.log"

    def jobs_list_lines() -> int:
        lines = [
            json.loads(line) for line in api_log.read_text().splitlines() if line.startswith("{")
        ]
        return sum(d.get("path") == "/v1/jobs" and d.get("method") == "GET" for d in lines)

    before = jobs_list_lines()
    # Given the jobs view, whose list is read once when it opens and then refreshes itself,
    page.goto(f"{svc.url}/ui#/jobs")
    deadline = time.monotonic() + 30
    while len(polls) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(200)  # (Playwright hands over the page's events while it waits)
    assert len(polls) >= 3, f"two timed refreshes in 30 s: {polls}"
    # the first read is the person's and the refreshes say they are the dashboard's polls,
    assert polls[0] is None and set(polls[1:]) == {"dashboard"}
    # and the API's log (at INFO) has the first read only.
    page.wait_for_timeout(500)  # the last refresh's line, were it written
    assert jobs_list_lines() - before == 1
    tab.assert_stayed_on(svc.url)


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[Service]:
    """An API that requires a key (no worker: nothing here runs a search)."""
    svc = Service(tmp_path, "", TUNEFORGE_API_KEYS=f"acme:{KEY}")
    try:
        svc.start("api")
        yield svc
    finally:
        svc.close()


def test_with_api_keys_the_page_asks_for_one_and_sends_it(keyed: Service, tab: Tab):
    page = tab.page
    sent: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: "/v1/" in r.url and sent.append({"url": r.url, **r.headers}),
    )
    # Given a service with keys, the dashboard loads and asks for a key;
    page.goto(f"{keyed.url}/ui#/datasets")
    dialog = page.locator("[data-testid=key-dialog]")
    dialog.wait_for(state="visible")
    assert page.locator("[data-testid=key-error]").is_hidden()

    # a wrong key is refused and asked for again,
    page.fill("[data-testid=key-input]", "not-the-key")
    page.click("[data-testid=key-submit]")
    page.locator("[data-testid=key-error]").wait_for(state="visible")
    tab.screenshot("6-key-refused")

    # and with the right one the page works: a dropped table is uploaded for the tenant.
    page.fill("[data-testid=key-input]", KEY)
    page.click("[data-testid=key-submit]")
    page.locator("[data-testid=datasets-table]").wait_for()
    drop_file(page, "keyed.csv", table(30))
    dataset_id = uploaded_id(page, "keyed.csv")
    listed = keyed.get("/v1/datasets", headers={"Authorization": f"Bearer {KEY}"}).json()
    assert [d["id"] for d in listed["items"]] == [dataset_id]
    assert keyed.get("/v1/datasets").status_code == 401

    # The key is kept for the session: a reload and the jobs view ask for nothing more.
    page.reload()
    page.click("[data-testid=nav-jobs]")
    page.locator("[data-testid=search-form]").wait_for()
    assert dialog.is_hidden()
    assert page.evaluate("sessionStorage.getItem('tuneforge.apiKey')") == KEY
    after_key = [r for r in sent if r.get("authorization") == f"Bearer {KEY}"]
    assert len(after_key) >= 4, sent
    unauthorised = [r["url"] for r in sent if "authorization" not in r]
    assert len(unauthorised) <= 1, unauthorised  # the first call, which got the 401
    tab.screenshot("7-keyed-jobs")
    tab.assert_stayed_on(keyed.url)


FORGE = """async (api) => {
  const form = new FormData();
  form.append("file", new Blob(["x,y\\n1,0\\n2,1\\n"], { type: "text/csv" }), "forged.csv");
  await fetch(`${api}/v1/datasets`, { method: "POST", body: form, mode: "no-cors" });
  const spec = JSON.stringify({ dataset_id: "ds_x", target: "y", estimator: "knn" });
  await fetch(`${api}/v1/jobs`, { method: "POST", body: spec, mode: "no-cors" });
}"""


def test_a_page_of_another_site_cannot_post_to_a_keyless_service(dashboard: Service, tab: Tab):
    # Given a page of another site: the service's API docs under the name localhost
    # (another site than 127.0.0.1) and with no CSP that would keep its requests home,
    page = tab.page
    page.goto(dashboard.url.replace("127.0.0.1", "localhost") + "/docs")
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.update({r.url: r.status}) if "/v1/" in r.url else None)

    # when its script posts a file and a job to the service, as a forged form would,
    page.evaluate(FORGE, dashboard.url)

    # then the browser said where they came from, and the service refused both.
    api = dashboard.url
    assert statuses == {f"{api}/v1/datasets": 403, f"{api}/v1/jobs": 403}
    names = [d["name"] for d in dashboard.get("/v1/datasets?limit=100").json()["items"]]
    assert "forged.csv" not in names
