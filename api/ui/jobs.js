// Jobs: the list (refreshed every 2 s while any job runs, every 5 s otherwise, so a job
// started elsewhere, from the API or the CLI, appears) and the new search form
// (search_form.js).

import { POLL, json } from "./api.js";
import { escapeXml as esc } from "./charts.js";
import { allDatasets } from "./datasets.js";
import { choices, duration, listSection, query, sortableHeadings, tagChips, when } from "./lists.js";
import { metric } from "./metrics.js";
import { searchForm } from "./search_form.js";

const REFRESH_MS = 2000;
const IDLE_REFRESH_MS = 5000;
const ACTIVE = new Set(["queued", "running"]);
const STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"];
const JOB_COLUMNS = [{ label: "name", sort: "name" }, "dataset", "target", "task", "metric",
  { label: "best", sort: "-best_score" }, "strategy", "estimator", "status", { label: "created", sort: "-created_at" }, "duration"];

export function isActive(job) {
  return ACTIVE.has(job.status);
}

export function progressBar(job, wide = false) {
  const { trials_completed: done, trials_total: total } = job.progress;
  const pct = total ? Math.min(100, (100 * done) / total) : 0;
  return `<span class="progress${wide ? " wide" : ""}" data-testid="progress" data-pct="${pct.toFixed(1)}"
    title="${done} / ${total} trials"><span class="bar" data-pct="${pct.toFixed(1)}"></span></span>`;
}

// Inline styles are refused by the page's CSP: widths are set through the DOM instead.
export function sizeBars(root) {
  for (const bar of root.querySelectorAll(".progress > .bar")) bar.style.width = `${bar.dataset.pct}%`;
}

export function score(value) {
  return value == null ? "" : Number(value).toFixed(4);
}

export async function jobsView(main, signal) {
  main.innerHTML = `
    <h1>Jobs</h1>
    <section><h2>New search</h2><div data-testid="new-search"><p class="muted">Loading the catalog…</p></div></section>
    ${listSection("jobs", JOB_COLUMNS, jobFilters())}`;
  const table = main.querySelector("[data-testid=jobs-table]");
  const tbody = table.querySelector("tbody");
  const more = main.querySelector("[data-testid=jobs-more]");
  const filters = main.querySelector("[data-testid=jobs-filters]");
  let shown = 20;
  let timer = null;
  let asked = 0; // the latest read: an earlier one (other filters) answering late is dropped
  signal.addEventListener("abort", () => clearTimeout(timer));
  const again = () => refresh().catch(() => {});
  const sort = sortableHeadings(table, "-created_at", again);
  filters.addEventListener("change", again);
  allDatasets().then((datasets) => {
    filters.querySelector("[data-testid=jobs-dataset]").insertAdjacentHTML("beforeend",
      choices(datasets.map((d) => [d.id, d.name])));
  }).catch(() => {});

  // timed: a refresh the page makes on its own, not one the user asked for
  async function refresh(timed = false) {
    clearTimeout(timer);
    const mine = ++asked;
    let every = IDLE_REFRESH_MS; // after a failed read too: the list keeps trying
    try {
      const pick = (name) => filters.querySelector(`[data-testid=jobs-${name}]`).value;
      const params = { sort: sort(), dataset_id: pick("dataset"), status: pick("status") };
      const page = await json(`/v1/jobs?limit=${shown}${query(params)}`, timed ? { headers: POLL } : {});
      if (signal.aborted || mine !== asked) return;
      tbody.innerHTML = page.items.map(jobRow).join("");
      sizeBars(tbody);
      more.hidden = !page.next || shown >= 100;
      if (page.items.some(isActive)) every = REFRESH_MS;
    } finally {
      if (!signal.aborted && mine === asked) timer = setTimeout(() => refresh(true).catch(() => {}), every);
    }
  }
  more.addEventListener("click", () => { shown = Math.min(100, shown + 20); refresh(); });
  await Promise.all([refresh(), searchForm(main.querySelector("[data-testid=new-search]"))]);
}

function jobFilters() {
  return `<label>dataset <select data-testid="jobs-dataset">${choices([["", "any"]])}</select></label>
    <label>status <select data-testid="jobs-status">${choices([["", "any"], ...STATUSES.map((s) => [s, s])])}</select></label>`;
}

// One job a row, with what tells it from the others: its name (else its id) and tags, the
// A cancelled job whose best candidate was refit has a model: the list says so.
const REFIT_SAYS = { refitting: "refitting", done: "model", stopped: "no model", failed: "no model" };

function refitNote(job) {
  if (job.status !== "cancelled" || !job.refit) return "";
  return ` <span class="muted" data-testid="refit" title="its best candidate so far, refit when it was cancelled">· ${esc(REFIT_SAYS[job.refit] || job.refit)}</span>`;
}

// dataset, target, task, metric and strategy; the best score sits beside its metric.
function jobRow(job) {
  const spec = job.spec;
  const shown = metric(spec.scoring); // an error metric as the error: RMSE, not −RMSE
  // unnamed: the id's last characters, which tell it from the others (all of it in the title)
  const name = job.name ? esc(job.name) : `<code class="muted">…${esc(job.id.slice(-8))}</code>`;
  return `<tr data-testid="job-row" data-id="${esc(job.id)}" data-status="${esc(job.status)}">
    <td data-col="name"><a href="#/jobs/${esc(job.id)}" title="${esc(job.id)}">${name}</a> ${tagChips(job.tags)}</td>
    <td data-col="dataset"><a href="#/datasets/${esc(job.dataset_id)}">${esc(job.dataset_name || job.dataset_id)}</a></td>
    <td data-col="target">${esc(spec.target)}</td><td data-col="task">${esc(spec.task)}</td>
    <td data-col="metric" title="${esc(spec.scoring)}">${esc(shown.label)}</td>
    <td data-col="best" title="${esc(shown.better)}">${score(shown.shown(job.best_score))}</td>
    <td data-col="strategy">${esc(spec.strategy)}</td><td data-col="estimator">${esc(spec.estimator)}</td>
    <td data-col="status"><span class="status-${esc(job.status)}">${esc(job.status)}</span>${refitNote(job)}<br>${progressBar(job)}
      <span class="muted">${job.progress.trials_completed}/${job.progress.trials_total}</span></td>
    <td data-col="created" class="muted">${esc(when(job.created_at))}</td>
    <td data-col="duration" class="nowrap">${esc(duration(job.duration_s))}</td></tr>`;
}
