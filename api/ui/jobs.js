// Jobs: the list (refreshed every 2 s while any job runs, every 5 s otherwise, so a job
// started elsewhere, from the API or the CLI, appears) and the new search form
// (search_form.js).

import { json } from "./api.js";
import { escapeXml as esc } from "./charts.js";
import { listSection } from "./lists.js";
import { searchForm } from "./search_form.js";

const REFRESH_MS = 2000;
const IDLE_REFRESH_MS = 5000;
const ACTIVE = new Set(["queued", "running"]);

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
    ${listSection("jobs", ["job", "estimator", "status", "progress", "best score", "created"])}`;
  const tbody = main.querySelector("tbody");
  const more = main.querySelector("[data-testid=jobs-more]");
  let shown = 20;
  let timer = null;
  signal.addEventListener("abort", () => clearTimeout(timer));

  async function refresh() {
    clearTimeout(timer);
    let every = IDLE_REFRESH_MS; // after a failed read too: the list keeps trying
    try {
      const page = await json(`/v1/jobs?limit=${shown}`);
      if (signal.aborted) return;
      tbody.innerHTML = page.items.map(jobRow).join("");
      sizeBars(tbody);
      more.hidden = !page.next || shown >= 100;
      if (page.items.some(isActive)) every = REFRESH_MS;
    } finally {
      if (!signal.aborted) timer = setTimeout(() => refresh().catch(() => {}), every);
    }
  }
  more.addEventListener("click", () => { shown = Math.min(100, shown + 20); refresh(); });
  await Promise.all([refresh(), searchForm(main.querySelector("[data-testid=new-search]"))]);
}

function jobRow(job) {
  return `<tr data-testid="job-row" data-id="${esc(job.id)}" data-status="${esc(job.status)}">
    <td><a href="#/jobs/${esc(job.id)}">${esc(job.id)}</a></td><td>${esc(job.spec.estimator)}</td>
    <td class="status-${esc(job.status)}">${esc(job.status)}</td>
    <td>${progressBar(job)} ${job.progress.trials_completed}/${job.progress.trials_total}</td>
    <td>${score(job.best_score)}</td><td class="muted">${esc(new Date(job.created_at).toLocaleString())}</td></tr>`;
}
