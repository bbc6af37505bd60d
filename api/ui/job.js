// One job: live progress (from /events), the optimisation history, score against each
// parameter, parameter importance, the sortable trials table, the result and cancel.
// Scores are scikit-learn scorers: higher is better, always.

import { ApiError, all, download, follow, json } from "./api.js";
import { bars, escapeXml as esc, scatter } from "./charts.js";
import { isActive, progressBar, score, sizeBars } from "./jobs.js";
import { duration, tagChips, when } from "./lists.js";

export async function jobView(main, id, signal) {
  const started = performance.now();
  const base = `/v1/jobs/${encodeURIComponent(id)}`;
  const state = { job: null, trials: new Map(), sort: { key: "number", desc: false } };
  main.innerHTML = `
    <div data-testid="job-view">
      <h1 data-testid="job-title">Job <code>${esc(id)}</code></h1>
      <section data-testid="job-summary"></section>
      <section><h2>Optimisation history</h2><div data-testid="history"></div></section>
      <section><h2>Score against each parameter</h2><div class="plots" data-testid="param-plots"></div></section>
      <section><h2>Parameter importance</h2><div data-testid="importance"><p class="muted">after the search</p></div></section>
      <section data-testid="result-box" hidden><h2>Result</h2><div data-testid="result"></div></section>
      <section><h2>Trials</h2><div class="scroll"><table data-testid="trials-table"></table></div></section>
    </div>`;
  const part = (name) => main.querySelector(`[data-testid=${name}]`);

  const [job, trials] = await Promise.all([json(base), all(`${base}/trials`)]);
  state.job = job;
  if (job.name) part("job-title").innerHTML = `<span data-testid="job-name">${esc(job.name)}</span> <code class="muted">${esc(id)}</code>`;
  for (const t of trials) state.trials.set(t.number, t);
  drawSummary(part("job-summary"), state, base);
  drawTrials(part, state);
  const finishing = isActive(job) ? Promise.resolve() : drawFinished(part, base, job);
  await finishing;
  const drawnMs = performance.now() - started;
  part("job-view").dataset.drawnMs = drawnMs.toFixed(1);
  performance.measure("tuneforge:job-drawn", { start: started, duration: drawnMs });

  part("trials-table").addEventListener("click", (e) => {
    const th = e.target.closest("th[data-key]");
    if (!th) return;
    const desc = state.sort.key === th.dataset.key ? !state.sort.desc : th.dataset.key !== "number";
    state.sort = { key: th.dataset.key, desc };
    drawTable(part("trials-table"), state);
  });
  if (isActive(job)) watch(part, base, state, signal);
}

// Live: each event updates the state; the drawing waits for the next animation frame, so
// a burst of trials is drawn once.
function watch(part, base, state, signal) {
  let frame = 0;
  const redraw = () => {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; drawSummary(part("job-summary"), state, base); drawTrials(part, state); });
  };
  const onEvent = async ({ event, data }) => {
    if (event === "status") state.job = data;
    else if (event === "trial") state.trials.set(data.number, data);
    else if (event === "best") Object.assign(state.job, { best_score: data.best_score, best_params: data.best_params });
    else if (event === "end") {
      state.job = await json(base);
      for (const t of await all(`${base}/trials`)) state.trials.set(t.number, t);
      drawSummary(part("job-summary"), state, base);
      drawTrials(part, state);
      await drawFinished(part, base, state.job);
      return;
    }
    redraw();
  };
  follow(`${base}/events`, onEvent, signal).catch((error) => {
    if (!signal.aborted) part("job-summary").insertAdjacentHTML("beforeend", `<p class="error">events: ${esc(error.message)}</p>`);
  });
}

function drawSummary(box, state, base) {
  const job = state.job;
  const done = Math.max(job.progress.trials_completed, isActive(job) ? state.trials.size : 0);
  const shown = { ...job, progress: { ...job.progress, trials_completed: Math.min(done, job.progress.trials_total) } };
  const spec = job.spec;
  box.innerHTML = `
    <div class="kv">
      <span>status</span><b class="status-${esc(job.status)}" data-testid="job-status">${esc(job.status)}</b>
      <span>progress</span><span data-testid="job-progress">${progressBar(shown, true)}
        <span data-testid="job-progress-text">${shown.progress.trials_completed} / ${job.progress.trials_total} trials</span></span>
      <span>best ${esc(spec.scoring)}</span><span data-testid="job-best">${score(job.best_score)}</span>
      <span>search</span><span>${esc(spec.estimator)}, ${esc(spec.strategy)}, ${esc(spec.task)},
        target <b>${esc(spec.target)}</b> of <a href="#/datasets/${esc(job.dataset_id)}" data-testid="job-dataset">${esc(job.dataset_name || job.dataset_id)}</a></span>
      ${job.tags.length ? `<span>tags</span><span data-testid="job-tags">${tagChips(job.tags)}</span>` : ""}
      <span>created</span><span>${esc(when(job.created_at))}${job.duration_s == null ? "" : `, ran ${esc(duration(job.duration_s))}`}</span>
      ${job.error ? `<span>error</span><span class="error">${esc(job.error)}</span>` : ""}
      ${job.warnings.map((w) => `<span>warning</span><span class="warning">${esc(w.message)}</span>`).join("")}
    </div>
    ${isActive(job) ? `<p><button data-testid="cancel">Cancel the search</button></p>` : ""}`;
  sizeBars(box);
  const cancel = box.querySelector("[data-testid=cancel]");
  if (cancel) {
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      try {
        state.job = await json(`${base}/cancel`, { method: "POST" });
      } catch (error) {
        cancel.insertAdjacentText("afterend", ` ${error.message}`);
      }
      drawSummary(box, state, base);
    });
  }
}

function scored() {
  return (t) => t.mean_score != null && Number.isFinite(t.mean_score);
}

function drawTrials(part, state) {
  const trials = [...state.trials.values()].sort((a, b) => a.number - b.number);
  const ok = trials.filter(scored());
  const bestNumber = ok.reduce((b, t) => (b == null || t.mean_score > b.mean_score ? t : b), null)?.number;
  const yLabel = `${state.job.spec.scoring} (higher is better)`;
  const points = ok.map((t) => ({ x: t.number, y: t.mean_score, best: t.number === bestNumber, title: `#${t.number}: ${t.mean_score}` }));
  const steps = [];
  let best = -Infinity;
  for (const t of ok) {
    if (t.mean_score > best) {
      best = t.mean_score;
      steps.push([t.number, best]);
    }
  }
  part("history").innerHTML = ok.length
    ? scatter({ points, xLabel: "trial", yLabel, testid: "history-plot", width: 760, height: 260, stepLine: steps })
    : `<p class="muted">no scored trial yet</p>`;

  let plots = "";
  for (const [name, dim] of Object.entries(state.job.spec.param_space || {})) {
    const have = ok.filter((t) => name in t.params);
    if (!have.length) continue;
    const values = have.map((t) => t.params[name]);
    const categorical = Array.isArray(dim) || dim.type === "categorical" || values.some((v) => typeof v !== "number");
    const kind = categorical ? "band" : dim.log && values.every((v) => v > 0) ? "log" : "linear";
    const pts = have.map((t) => ({ x: t.params[name], y: t.mean_score, best: t.number === bestNumber, title: `#${t.number}: ${t.params[name]}` }));
    plots += `<div data-testid="param-plot" data-param="${esc(name)}" data-scale="${kind}">`
      + scatter({ points: pts, xKind: kind, xLabel: `${name}${kind === "log" ? " (log)" : ""}`, yLabel: "score", testid: `param-${name}`,
        categories: Array.isArray(dim) ? dim : dim.choices || [] })
      + "</div>";
  }
  part("param-plots").innerHTML = plots || `<p class="muted">no scored trial yet</p>`;
  drawTable(part("trials-table"), state);
}

function drawTable(table, state) {
  const trials = [...state.trials.values()];
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const columns = [["number", "#"], ["state", "state"], ["mean_score", "score"], ["std_score", "std"],
    ["fit_time_s", "fit (s)"], ...params.map((p) => [`params.${p}`, p])];
  const value = (t, key) => (key.startsWith("params.") ? t.params[key.slice(7)] : t[key]);
  const { key, desc } = state.sort;
  trials.sort((a, b) => {
    const x = value(a, key);
    const y = value(b, key);
    if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1; // missing last
    const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return desc ? -order : order;
  });
  const cell = (v) => (v == null ? "" : typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(4)) : esc(v));
  // a parameter whose chosen value is null (max_depth: null) says so; one a trial does
  // not have (a conditional parameter) and a missing score stay blank
  const shown = (t, k) => (k.startsWith("params.") && k.slice(7) in t.params && t.params[k.slice(7)] === null
    ? "null" : cell(value(t, k)));
  const head = columns.map(([k, label]) => {
    const sorted = k === key ? ` sorted-${desc ? "desc" : "asc"}` : "";
    return `<th class="sortable${sorted}" data-key="${esc(k)}" data-testid="sort-${esc(k)}">${esc(label)}</th>`;
  }).join("");
  const rows = trials.map((t) => `<tr data-testid="trial-row" data-number="${t.number}">`
    + columns.map(([k]) => `<td>${shown(t, k)}</td>`).join("") + "</tr>").join("");
  table.innerHTML = `<thead><tr>${head}</tr></thead><tbody>${rows}</tbody>`;
}

async function drawFinished(part, base, job) {
  const [importance, result] = await Promise.all([
    json(`${base}/importance`).catch((error) => error),
    job.status === "succeeded" ? json(`${base}/result`).catch((error) => error) : null,
  ]);
  drawImportance(part("importance"), importance);
  if (result) drawResult(part, base, result);
}

function drawImportance(box, answer) {
  if (answer instanceof Error) {
    const why = answer instanceof ApiError ? `${answer.status}: ${answer.message}` : answer.message;
    box.innerHTML = `<p class="muted" data-testid="importance-detail">not available (${esc(why)})</p>`;
    return;
  }
  if (!answer.importances.length) {
    box.innerHTML = `<p class="muted" data-testid="importance-detail">${esc(answer.detail || "no importances")}</p>`;
    return;
  }
  const items = [...answer.importances].sort((a, b) => b.importance - a.importance)
    .map((i) => ({ label: i.param, value: i.importance }));
  box.innerHTML = bars({ items, testid: "importance-plot" })
    + `<p class="muted">${esc(answer.method)} over ${answer.n_trials} trials`
    + `${answer.rung === null || answer.rung === undefined ? "" : " of the first halving rung"}</p>`;
}

function drawResult(part, base, result) {
  part("result-box").hidden = false;
  const box = part("result");
  if (result instanceof Error) {
    box.innerHTML = `<p class="error">${esc(result.message)}</p>`;
    return;
  }
  const params = Object.entries(result.best_params)
    .map(([k, v]) => `<span>${esc(k)}</span><code>${esc(JSON.stringify(v))}</code>`).join("");
  const scores = Object.entries(result.scores)
    .map(([name, s]) => `<tr><td>${esc(name)}</td><td>${score(s.cv)}</td><td>${score(s.cv_std)}</td><td>${score(s.test)}</td></tr>`).join("");
  box.innerHTML = `
    <div class="kv" data-testid="best-params"><span>best trial</span><span>#${result.best_trial}</span>${params}</div>
    <table data-testid="scores"><thead><tr><th>scorer</th><th>cv</th><th>cv std</th><th>test</th></tr></thead><tbody>${scores}</tbody></table>
    <p>${result.n_trials} trials (${result.n_failed_trials} failed), ${result.n_train_rows} training rows, ${result.n_test_rows} test rows.</p>
    <p><button data-testid="download-joblib" data-format="joblib">Download model (joblib)</button>
       <button data-testid="download-skops" data-format="skops">Download model (skops)</button>
       <span class="error" data-testid="download-error"></span></p>`;
  for (const button of box.querySelectorAll("button[data-format]")) {
    button.addEventListener("click", () => {
      const format = button.dataset.format;
      download(`${base}/model?format=${format}`, `${result.job_id}.${format}`).catch((error) => {
        box.querySelector("[data-testid=download-error]").textContent = error.message;
      });
    });
  }
}
