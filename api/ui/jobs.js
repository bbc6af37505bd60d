// Jobs: the list (refreshed every 2 s while any job runs, every 5 s otherwise, so a job
// started elsewhere, from the API or the CLI, appears) and the new search form, built
// from the catalog (GET /v1/estimators) and the contract's enums (/openapi.json).

import { ApiError, POLL, json, postJson } from "./api.js";
import { escapeXml as esc } from "./charts.js";
import { allDatasets } from "./datasets.js";
import { listSection } from "./lists.js";

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

  // timed: a refresh the page makes on its own, not one the user asked for
  async function refresh(timed = false) {
    clearTimeout(timer);
    let every = IDLE_REFRESH_MS; // after a failed read too: the list keeps trying
    try {
      const page = await json(`/v1/jobs?limit=${shown}`, timed ? { headers: POLL } : {});
      if (signal.aborted) return;
      tbody.innerHTML = page.items.map(jobRow).join("");
      sizeBars(tbody);
      more.hidden = !page.next || shown >= 100;
      if (page.items.some(isActive)) every = REFRESH_MS;
    } finally {
      if (!signal.aborted) timer = setTimeout(() => refresh(true).catch(() => {}), every);
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

async function contractEnums() {
  // The strategies and scorers the contract accepts (the catalog lists neither).
  const doc = await json("/openapi.json");
  const props = doc.components.schemas.SearchSpec.properties;
  const scoring = (props.scoring.oneOf || [props.scoring]).find((s) => s.enum);
  return { strategies: props.strategy.enum, scorers: scoring ? scoring.enum : [] };
}

function options(values, selected) {
  return values.map((v) => `<option value="${esc(v)}"${v === selected ? " selected" : ""}>${esc(v)}</option>`).join("");
}

async function searchForm(box) {
  const [datasets, catalog, enums] = await Promise.all([allDatasets(), json("/v1/estimators"), contractEnums()]);
  if (!datasets.length) {
    box.innerHTML = `<p>No dataset yet: <a href="#/datasets">upload a CSV</a> first.</p>`;
    return;
  }
  const estimators = new Map(catalog.items.map((e) => [e.name, e]));
  box.innerHTML = `
    <form class="spec" data-testid="search-form" novalidate>
      <label for="f-dataset">dataset</label>
      <select id="f-dataset" name="dataset_id" data-testid="f-dataset">${datasets.map((d) =>
        `<option value="${esc(d.id)}">${esc(d.name)} (${d.n_rows} rows)</option>`).join("")}</select>
      <div class="field-error" data-error-for="dataset_id"></div>
      <label for="f-target">target</label><select id="f-target" name="target" data-testid="f-target"></select>
      <div class="field-error" data-error-for="target"></div>
      <label for="f-task">task</label>
      <select id="f-task" name="task" data-testid="f-task"><option value="">inferred from the target</option>
        ${options(["classification", "regression"])}</select>
      <div class="field-error" data-error-for="task"></div>
      <label for="f-estimator">estimator</label>
      <select id="f-estimator" name="estimator" data-testid="f-estimator">${catalog.items.map((e) =>
        `<option value="${esc(e.name)}">${esc(e.title)}</option>`).join("")}</select>
      <div class="field-error" data-error-for="estimator"></div>
      <label for="f-strategy">strategy</label>
      <select id="f-strategy" name="strategy" data-testid="f-strategy">${options(enums.strategies, "random")}</select>
      <div class="field-error" data-error-for="strategy"></div>
      <label for="f-trials">trials</label><input id="f-trials" name="n_trials" type="number" min="1" value="20" data-testid="f-trials">
      <div class="field-error" data-error-for="n_trials"></div>
      <label for="f-timeout">timeout (s)</label><input id="f-timeout" name="timeout_s" type="number" min="1" value="600" data-testid="f-timeout">
      <div class="field-error" data-error-for="timeout_s"></div>
      <label for="f-scoring">scoring</label>
      <select id="f-scoring" name="scoring" data-testid="f-scoring"><option value="">the task's default</option>${options(enums.scorers)}</select>
      <div class="field-error" data-error-for="scoring"></div>
      <label for="f-space">parameter space <span class="muted" data-testid="space-task"></span></label>
      <textarea id="f-space" name="param_space" spellcheck="false" data-testid="f-space"></textarea>
      <div class="field-error" data-error-for="param_space"></div>
      <span></span><div><button type="submit" class="primary" data-testid="f-submit">Start the search</button></div>
      <div class="error" data-testid="form-errors"></div>
    </form>`;
  const form = box.querySelector("form");
  const el = form.elements;
  let spaceEdited = false;
  el.param_space.addEventListener("input", () => { spaceEdited = true; });

  function dataset() {
    return datasets.find((d) => d.id === el.dataset_id.value);
  }
  function showTargets() {
    const columns = dataset().columns;
    el.target.innerHTML = options(columns.map((c) => c.name), columns[columns.length - 1].name);
  }
  function guessedTask(estimator) {
    if (el.task.value) return el.task.value;
    if (estimator.tasks.length === 1) return estimator.tasks[0];
    const column = dataset().columns.find((c) => c.name === el.target.value);
    return column && column.dtype === "float" ? "regression" : "classification";
  }
  function showSpace() {
    const estimator = estimators.get(el.estimator.value);
    const task = guessedTask(estimator);
    const space = estimator.default_space[task] || Object.values(estimator.default_space)[0];
    el.param_space.value = JSON.stringify(space, null, 2);
    box.querySelector("[data-testid=space-task]").textContent = `(the default for ${task})`;
    spaceEdited = false;
  }
  el.dataset_id.addEventListener("change", () => { showTargets(); if (!spaceEdited) showSpace(); });
  for (const name of ["target", "task", "estimator"]) {
    el[name].addEventListener("change", () => { if (name === "estimator" || !spaceEdited) showSpace(); });
  }
  showTargets();
  showSpace();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const e of form.querySelectorAll("[data-error-for]")) e.textContent = "";
    const summary = form.querySelector("[data-testid=form-errors]");
    summary.textContent = "";
    let spec;
    try {
      spec = buildSpec(el, spaceEdited);
    } catch (error) {
      form.querySelector("[data-error-for=param_space]").textContent = `not JSON: ${error.message}`;
      return;
    }
    try {
      const job = await postJson("/v1/jobs", spec);
      location.hash = `#/jobs/${job.id}`;
    } catch (error) {
      showProblem(form, summary, error);
    }
  });
}

function buildSpec(el, spaceEdited) {
  const spec = { dataset_id: el.dataset_id.value, target: el.target.value, estimator: el.estimator.value,
    strategy: el.strategy.value };
  if (el.task.value) spec.task = el.task.value;
  if (el.scoring.value) spec.scoring = el.scoring.value;
  // Numbers as typed: the API says what is wrong with them (an empty box is left out).
  for (const name of ["n_trials", "timeout_s"]) {
    if (el[name].value.trim() !== "") spec[name] = Number(el[name].value);
  }
  if (spaceEdited) spec.param_space = JSON.parse(el.param_space.value);
  return spec;
}

function showProblem(form, summary, error) {
  if (!(error instanceof ApiError)) {
    summary.textContent = String(error);
    return;
  }
  const lines = [];
  for (const [field, messages] of Object.entries(error.errors)) {
    const top = field.split(/[.[]/)[0];
    const slot = form.querySelector(`[data-error-for="${CSS.escape(top)}"]`);
    const text = `${Array.isArray(messages) ? messages.join(" ") : JSON.stringify(messages)}`;
    if (slot) slot.textContent += `${field === top ? "" : `${field}: `}${text} `;
    lines.push(`${field}: ${text}`);
  }
  summary.innerHTML = `<p data-testid="form-problem">${esc(error.status)}: ${esc(error.message)}</p>`
    + (lines.length ? `<ul>${lines.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>` : "");
}
