// The new search form. What it offers follows the API's own answers, never a rule copied
// here: each column of the dataset document says the task and the scorer a search with it
// as target takes (target_task, target_scoring); GET /v1/estimators lists the estimators
// of each task, their default spaces and each task's scorers; /openapi.json the
// strategies. So a numeric target offers regressors, their spaces and regression scorers.

import { ApiError, json, postJson } from "./api.js";
import { escapeXml as esc } from "./charts.js";
import { allDatasets } from "./datasets.js";

async function strategies() {
  const doc = await json("/openapi.json");
  return doc.components.schemas.SearchSpec.properties.strategy.enum;
}

function options(values, selected, label = (v) => v) {
  return values.map((v) => `<option value="${esc(v)}"${v === selected ? " selected" : ""}>${esc(label(v))}</option>`).join("");
}

function errorSlot(name) {
  return `<div class="field-error" data-error-for="${name}" data-testid="error-${name}"></div>`;
}

export async function searchForm(box) {
  const [datasets, catalog, strategyNames] = await Promise.all([allDatasets(), json("/v1/estimators"), strategies()]);
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
      ${errorSlot("dataset_id")}
      <label for="f-target">target</label><select id="f-target" name="target" data-testid="f-target"></select>
      ${errorSlot("target")}
      <label for="f-task">task</label>
      <select id="f-task" name="task" data-testid="f-task"></select>
      ${errorSlot("task")}
      <label for="f-estimator">estimator</label>
      <select id="f-estimator" name="estimator" data-testid="f-estimator"></select>
      ${errorSlot("estimator")}
      <label for="f-strategy">strategy</label>
      <select id="f-strategy" name="strategy" data-testid="f-strategy">${options(strategyNames, "random")}</select>
      ${errorSlot("strategy")}
      <label for="f-trials">trials</label><input id="f-trials" name="n_trials" type="number" min="1" value="20" data-testid="f-trials">
      ${errorSlot("n_trials")}
      <label for="f-timeout">timeout (s)</label><input id="f-timeout" name="timeout_s" type="number" min="1" value="600" data-testid="f-timeout">
      ${errorSlot("timeout_s")}
      <label for="f-scoring">scoring</label>
      <select id="f-scoring" name="scoring" data-testid="f-scoring"></select>
      ${errorSlot("scoring")}
      <span>exclude columns</span>
      <div>
        <div class="column-warnings" data-testid="column-warnings"></div>
        <details data-testid="f-exclude-box"><summary data-testid="f-exclude-summary"></summary>
          <div class="exclude" data-testid="f-exclude"></div></details>
      </div>
      ${errorSlot("exclude_columns")}
      <label for="f-space">parameter space <span class="muted" data-testid="space-task"></span></label>
      <textarea id="f-space" name="param_space" spellcheck="false" data-testid="f-space"></textarea>
      ${errorSlot("param_space")}
      <span></span><div><button type="submit" class="primary" data-testid="f-submit">Start the search</button></div>
      <div class="error" data-testid="form-errors"></div>
    </form>`;
  const form = box.querySelector("form");
  const el = form.elements;
  const part = (name) => form.querySelector(`[data-testid=${name}]`);
  // What the space box shows: the default of (estimator, task) until the person edits it.
  let shownSpace = null;
  let spaceEdited = false;
  let jobWarnings = []; // warnings of earlier jobs on this dataset: [{job, warning}]
  el.param_space.addEventListener("input", () => { spaceEdited = true; });

  const dataset = () => datasets.find((d) => d.id === el.dataset_id.value);
  const targetColumn = () => dataset().columns.find((c) => c.name === el.target.value);
  const task = () => el.task.value || targetColumn()?.target_task || "classification";

  function showTargets() {
    const columns = dataset().columns;
    el.target.innerHTML = options(columns.map((c) => c.name), columns[columns.length - 1].name);
    part("f-exclude").innerHTML = columns.map((c) => `<label data-column="${esc(c.name)}">
      <input type="checkbox" name="exclude_columns" value="${esc(c.name)}"> ${esc(c.name)}
      <span class="muted">${esc(c.dtype)}</span></label>`).join("");
  }

  // The task select names what the target infers; estimators, scorers and the default
  // space follow the task in force.
  function showTask() {
    const column = targetColumn();
    const chosen = el.task.value;
    const inferred = column ? `inferred from the target: ${column.target_task}` : "inferred from the target";
    el.task.innerHTML = `<option value="">${esc(inferred)}</option>${options(["classification", "regression"], chosen)}`;
    el.task.dataset.inferred = column ? column.target_task : "";
    const now = task();
    const fitting = catalog.items.filter((e) => e.tasks.includes(now));
    const keep = el.estimator.value === "auto" || fitting.some((e) => e.name === el.estimator.value)
      ? el.estimator.value : fitting[0]?.name;
    // "auto": the search chooses the family too; its default space is the server's.
    el.estimator.innerHTML = fitting.map((e) =>
      `<option value="${esc(e.name)}"${e.name === keep ? " selected" : ""}>${esc(e.title)}</option>`).join("")
      + `<option value="auto"${keep === "auto" ? " selected" : ""}>auto (the search chooses the family)</option>`;
    const scorers = (catalog.scorers || {})[now] || [];
    const keepScorer = scorers.includes(el.scoring.value) ? el.scoring.value : "";
    const byDefault = !el.task.value && column ? `the default: ${column.target_scoring}` : "the task's default";
    el.scoring.innerHTML = `<option value="">${esc(byDefault)}</option>${options(scorers, keepScorer)}`;
    showSpace();
  }

  function showSpace() {
    if (el.estimator.value === "auto") {
      el.param_space.value = "";
      part("space-task").textContent = "(auto: every family's default space)";
      shownSpace = `auto/${task()}`;
      spaceEdited = false;
      return;
    }
    const estimator = estimators.get(el.estimator.value);
    if (!estimator) return;
    const now = task();
    const key = `${estimator.name}/${now}`;
    if (key === shownSpace && spaceEdited) return; // the person's edit, for this estimator and task
    const space = estimator.default_space[now] || Object.values(estimator.default_space)[0];
    el.param_space.value = JSON.stringify(space, null, 2);
    part("space-task").textContent = `(the default for ${now})`;
    shownSpace = key;
    spaceEdited = false;
  }

  function excluded() {
    return [...form.querySelectorAll("input[name=exclude_columns]:checked")].map((i) => i.value);
  }

  function showExcluded() {
    const names = excluded();
    for (const label of part("f-exclude").querySelectorAll("label")) {
      const isTarget = label.dataset.column === el.target.value;
      label.hidden = isTarget;
      if (isTarget) label.querySelector("input").checked = false;
    }
    part("f-exclude-summary").textContent = names.length ? `excluded: ${names.join(", ")}` : "none excluded (choose…)";
    for (const button of form.querySelectorAll("[data-exclude]")) {
      const done = names.includes(button.dataset.exclude);
      button.disabled = done;
      button.textContent = done ? `${button.dataset.exclude} excluded` : `Exclude ${button.dataset.exclude}`;
    }
  }

  // Warnings naming a column of this table (not the target): the dataset's, and those of
  // earlier searches on this dataset and target (a possible leak is found at submit).
  function showWarnings() {
    const names = new Set(dataset().columns.map((c) => c.name));
    const seen = new Set();
    const items = [];
    const add = (warning, source) => {
      const key = `${warning.code}/${warning.column}`;
      if (!warning.column || warning.column === el.target.value || !names.has(warning.column) || seen.has(key)) return;
      seen.add(key);
      items.push(`<li class="warning" data-testid="column-warning" data-column="${esc(warning.column)}" data-code="${esc(warning.code)}">
        ${esc(warning.message)} <span class="muted">(${source})</span>
        <button type="button" data-exclude="${esc(warning.column)}" data-testid="exclude-button"></button></li>`);
    };
    for (const w of dataset().warnings || []) add(w, "the dataset");
    for (const { job, warning } of jobWarnings) {
      if (job.spec.target === el.target.value) add(warning, `search <a href="#/jobs/${esc(job.id)}">${esc(job.id)}</a>`);
    }
    part("column-warnings").innerHTML = items.length ? `<ul>${items.join("")}</ul>` : "";
    showExcluded();
  }

  async function loadJobWarnings() {
    const id = el.dataset_id.value;
    jobWarnings = [];
    try {
      const page = await json(`/v1/jobs?dataset_id=${encodeURIComponent(id)}&limit=20`);
      if (id !== el.dataset_id.value) return; // another dataset was chosen meanwhile
      jobWarnings = page.items.flatMap((job) => job.warnings.map((warning) => ({ job, warning })));
    } catch {
      // the form works without them: only the dataset's own warnings are shown
    }
    showWarnings();
  }

  el.dataset_id.addEventListener("change", () => {
    showTargets();
    el.task.value = "";
    showTask();
    showWarnings();
    loadJobWarnings();
  });
  el.target.addEventListener("change", () => { showTask(); showWarnings(); });
  el.task.addEventListener("change", showTask);
  el.estimator.addEventListener("change", showSpace);
  part("f-exclude").addEventListener("change", showExcluded);
  part("column-warnings").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-exclude]");
    if (!button) return;
    const box = [...form.querySelectorAll("input[name=exclude_columns]")].find((i) => i.value === button.dataset.exclude);
    if (box) box.checked = true;
    showExcluded();
  });
  showTargets();
  showTask();
  showWarnings();
  await loadJobWarnings();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblem(form);
    let spec;
    try {
      spec = buildSpec(el, spaceEdited, excluded());
    } catch (error) {
      showProblem(form, new ApiError(422, { detail: "the parameter space is not JSON",
        errors: { param_space: [`not JSON: ${error.message}`] } }));
      return;
    }
    try {
      const job = await postJson("/v1/jobs", spec);
      location.hash = `#/jobs/${job.id}`;
    } catch (error) {
      showProblem(form, error);
    }
  });
}

function buildSpec(el, spaceEdited, exclude) {
  const spec = { dataset_id: el.dataset_id.value, target: el.target.value, estimator: el.estimator.value,
    strategy: el.strategy.value };
  if (el.task.value) spec.task = el.task.value;
  if (el.scoring.value) spec.scoring = el.scoring.value;
  // Numbers as typed: the API says what is wrong with them (an empty box is left out).
  for (const name of ["n_trials", "timeout_s"]) {
    if (el[name].value.trim() !== "") spec[name] = Number(el[name].value);
  }
  if (spaceEdited) spec.param_space = JSON.parse(el.param_space.value);
  if (exclude.length) spec.exclude_columns = exclude;
  return spec;
}

function clearProblem(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) slot.replaceChildren();
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  form.querySelector("[data-testid=form-errors]").replaceChildren();
}

// Every field error of a problem+json answer beside its field: `param_space.max_depth`
// goes beside the space, with its own name; what names no field of the form (`cv.folds`,
// `body`) is listed under the button, with the problem's detail.
export function showProblem(form, error) {
  const summary = form.querySelector("[data-testid=form-errors]");
  if (!(error instanceof ApiError)) {
    summary.textContent = String(error);
    return;
  }
  const elsewhere = [];
  let first = null;
  for (const [field, messages] of Object.entries(error.errors)) {
    const top = field.split(/[.[]/)[0];
    const slot = form.querySelector(`[data-error-for="${CSS.escape(top)}"]`);
    const text = Array.isArray(messages) ? messages.join(" ") : JSON.stringify(messages);
    const line = `${field === top ? "" : `${field}: `}${text}`;
    if (!slot) {
      elsewhere.push(`${field}: ${text}`);
      continue;
    }
    slot.insertAdjacentHTML("beforeend", `<p data-testid="field-error" data-field="${esc(field)}">${esc(line)}</p>`);
    const input = form.elements[top];
    if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
    first = first || input;
  }
  summary.innerHTML = `<p data-testid="form-problem">${esc(error.status)}: ${esc(error.message)}</p>`
    + (elsewhere.length ? `<ul>${elsewhere.map((l) => `<li data-testid="other-error">${esc(l)}</li>`).join("")}</ul>` : "");
  if (first && first.focus) first.focus();
}
