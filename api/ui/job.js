// One job: live progress (from /events), the optimisation history, score against each
// parameter, the parameters together, two at a time, the folds of each trial, parameter
// importance, other searches on the same data, the sortable trials table, the result and
// cancel. Scores are scikit-learn scorers, higher is better; an error (neg_*) is shown as
// the error, lower is better (metrics.js).

import { ApiError, all, download, follow, json } from "./api.js";
import { bars, escapeXml as esc, scatter } from "./charts.js";
import { drawComparison } from "./compare.js";
import { isActive, progressBar, score, sizeBars } from "./jobs.js";
import { duration, tagChips, when } from "./lists.js";
import { metric } from "./metrics.js";
import { drawCard } from "./model_card.js";
import { foldSpread, paramAxes, parallel, surface } from "./trial_plots.js";

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
      <section><h2>Parameters together <span class="muted">(a line per trial, coloured by its score)</span></h2>
        <div data-testid="parallel"></div></section>
      <section><h2>Two parameters</h2>
        <p class="controls" data-testid="surface-controls"><label>across <select data-testid="surface-x"></select></label>
          <label>up <select data-testid="surface-y"></select></label></p>
        <div data-testid="surface"></div>
        <p class="muted">Colour: the score interpolated between the trials (inverse-distance weighting): a guess where no trial is near. Dots: the trials.</p></section>
      <section><h2>Fold scores of each trial</h2><div data-testid="folds"></div></section>
      <section><h2>Parameter importance</h2><div data-testid="importance"><p class="muted">after the search</p></div></section>
      <section><h2>Other searches on this dataset</h2><div data-testid="compare"><p class="muted">after the search</p></div></section>
      <section data-testid="result-box" hidden><h2>Result</h2><div data-testid="result"></div></section>
      <section data-testid="card-box" hidden><h2>Model card</h2><div data-testid="card"></div></section>
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
    // a first click shows the best first: the highest score, the lowest error
    const bestFirst = th.dataset.key === "mean_score" ? !state.metric.error : th.dataset.key !== "number";
    const desc = state.sort.key === th.dataset.key ? !state.sort.desc : bestFirst;
    state.sort = { key: th.dataset.key, desc };
    drawTable(part("trials-table"), state);
  });
  for (const name of ["surface-x", "surface-y"]) {
    part(name).addEventListener("change", () => {
      state.surface = { x: part("surface-x").value, y: part("surface-y").value };
      drawSurface(part, state);
    });
  }
  // the plots fill their cards again when the window is resized
  let resized = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resized);
    resized = setTimeout(() => drawTrials(part, state), 150);
  }, { signal });
  signal.addEventListener("abort", () => clearTimeout(resized));
  if (signal.aborted) return;
  if (isActive(job)) watch(part, base, state, signal);
  else compare(part, state, signal);
}

// Other jobs' trials are fetched after this one's page is drawn: they never delay it.
function compare(part, state, signal) {
  const box = part("compare");
  drawComparison(box, state.job, [...state.trials.values()], state.width || widthOf(box), signal).catch((error) => {
    if (!signal.aborted) box.innerHTML = `<p class="muted" data-testid="compare-detail">not available (${esc(error.message)})</p>`;
  });
}

// Live: each event updates the state; the drawing waits for the next animation frame, so
// a burst of trials is drawn once.
function watch(part, base, state, signal) {
  let frame = 0;
  const redraw = () => {
    if (!frame) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (signal.aborted) return; // the person left this job: its parts are gone
        drawSummary(part("job-summary"), state, base);
        drawTrials(part, state);
      });
    }
  };
  const onEvent = async ({ event, data }) => {
    if (event === "status") state.job = data;
    else if (event === "trial") state.trials.set(data.number, data);
    else if (event === "best") Object.assign(state.job, { best_score: data.best_score, best_params: data.best_params });
    else if (event === "end") {
      state.job = await json(base);
      for (const t of await all(`${base}/trials`)) state.trials.set(t.number, t);
      if (signal.aborted) return;
      drawSummary(part("job-summary"), state, base);
      drawTrials(part, state);
      await drawFinished(part, base, state.job);
      if (!signal.aborted) compare(part, state, signal);
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
      <span>best ${esc(metric(spec.scoring).label)}</span><span data-testid="job-best">${score(metric(spec.scoring).shown(job.best_score))}</span>
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

// The width a plot gets: its box's, so it fills its card (760 while the box is not laid out).
function widthOf(box) {
  return Math.max(320, Math.floor(box.clientWidth || 760));
}

function drawTrials(part, state) {
  const trials = [...state.trials.values()].sort((a, b) => a.number - b.number);
  const ok = trials.filter(scored());
  const m = metric(state.job.spec.scoring);
  const width = widthOf(part("history")); // every plot box is as wide: read once, before any write
  state.width = width;
  const bestNumber = ok.reduce((b, t) => (b == null || t.mean_score > b.mean_score ? t : b), null)?.number;
  Object.assign(state, { ok, bestNumber, metric: m });
  const points = ok.map((t) => ({ x: t.number, y: m.shown(t.mean_score), best: t.number === bestNumber,
    title: `#${t.number}: ${m.label} ${m.shown(t.mean_score)}` }));
  const steps = [];
  let best = -Infinity;
  for (const t of ok) {
    if (t.mean_score > best) {
      best = t.mean_score;
      steps.push([t.number, m.shown(best)]);
    }
  }
  const history = part("history");
  history.innerHTML = ok.length
    ? scatter({ points, xLabel: "trial", yLabel: m.axis, testid: "history-plot", width, height: 300,
      stepLine: steps, yBounds: m.bounds, xWhole: true })
      + `<p class="muted" data-testid="history-note">Line: the best so far.${m.note ? ` ${esc(m.note)}` : ""}</p>`
    : `<p class="muted">no scored trial yet</p>`;

  const axes = paramAxes(state.job.spec.param_space, ok);
  const box = part("param-plots");
  const perRow = Math.max(1, Math.min(axes.length, Math.floor(width / 340)));
  const small = Math.floor((width - 16 * (perRow - 1)) / perRow);
  let plots = "";
  for (const axis of axes) {
    const have = ok.filter((t) => axis.name in t.params);
    const pts = have.map((t) => ({ x: axis.kind === "band" && t.params[axis.name] === null ? "null" : t.params[axis.name],
      y: m.shown(t.mean_score), best: t.number === bestNumber, title: `#${t.number}: ${t.params[axis.name]}` }));
    plots += `<div data-testid="param-plot" data-param="${esc(axis.name)}" data-scale="${axis.kind}">`
      + scatter({ points: pts, xKind: axis.kind, xLabel: `${axis.name}${axis.kind === "log" ? " (log)" : ""}`, yLabel: m.axis,
        testid: `param-${axis.name}`, width: small, height: 230, categories: axis.categories, yBounds: m.bounds,
        xWhole: axis.whole })
      + "</div>";
  }
  box.innerHTML = plots || `<p class="muted">no scored trial yet</p>`;
  const together = part("parallel");
  together.innerHTML = ok.length && axes.length
    ? parallel({ trials: ok, axes, metric: m, bestNumber, width })
      + `<p class="muted">Orange: the best trial. A trial without a parameter (a conditional one) passes its axis by.</p>`
    : `<p class="muted">no scored trial yet</p>`;
  state.axes = axes;
  drawSurface(part, state);
  const folds = part("folds");
  folds.innerHTML = ok.length
    ? foldSpread({ trials: ok, metric: m, bestNumber, width })
      + `<p class="muted">Each trial: a dot per fold, a whisker from its lowest fold to its highest, a bar at the mean. Trials whose whiskers overlap the best one's may be as good.</p>`
    : `<p class="muted">no scored trial yet</p>`;
  drawTable(part("trials-table"), state);
}

// The surface over two parameters, numeric ones first; the selects choose others.
function drawSurface(part, state) {
  const box = part("surface");
  const axes = state.axes || [];
  const controls = part("surface-controls");
  if (axes.length < 2 || state.ok.length < 2) {
    controls.hidden = true;
    box.innerHTML = `<p class="muted">${axes.length < 2 ? "the space has fewer than two parameters" : "fewer than two scored trials"}</p>`;
    return;
  }
  controls.hidden = false;
  const names = axes.map((a) => a.name);
  const preferred = [...axes].sort((a, b) => (a.kind === "band") - (b.kind === "band")).map((a) => a.name);
  let { x, y } = state.surface || {};
  if (!names.includes(x)) x = preferred[0];
  if (!names.includes(y) || y === x) y = preferred.find((n) => n !== x);
  state.surface = { x, y };
  const options = (chosen) => names.map((n) => `<option${n === chosen ? " selected" : ""}>${esc(n)}</option>`).join("");
  part("surface-x").innerHTML = options(x);
  part("surface-y").innerHTML = options(y);
  const axis = (n) => axes.find((a) => a.name === n);
  box.innerHTML = surface({ trials: state.ok, xAxis: axis(x), yAxis: axis(y), metric: state.metric,
    bestNumber: state.bestNumber, width: state.width });
}

function drawTable(table, state) {
  const trials = [...state.trials.values()];
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const m = state.metric || metric(state.job.spec.scoring);
  const columns = [["number", "#"], ["state", "state"], ["mean_score", m.label], ["std_score", "std"],
    ["fit_time_s", "fit (s)"], ...params.map((p) => [`params.${p}`, p])];
  // sorted as shown: an error (RMSE) ascends from the best
  const value = (t, key) => (key.startsWith("params.") ? t.params[key.slice(7)] : key === "mean_score" ? m.shown(t[key]) : t[key]);
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

// A cancelled job's best candidate is refit after the cancel (its result and model come
// a moment later, with no event): the page asks again until the refit has ended.
const REFIT_POLL_MS = 2000;

async function drawFinished(part, base, job) {
  const hasResult = job.status === "succeeded" || (job.status === "cancelled" && job.refit === "done");
  const [importance, result] = await Promise.all([
    json(`${base}/importance`).catch((error) => error),
    hasResult ? json(`${base}/result`).catch((error) => error) : null,
  ]);
  if (!part("importance")) return; // the person left this job meanwhile
  drawImportance(part("importance"), importance);
  if (result) drawResult(part, base, result);
  if (result && !(result instanceof Error)) {
    part("card-box").hidden = false;
    drawCard(part("card"), base, job.id); // not awaited: the card never delays the page
  }
  if (job.status === "cancelled" && job.refit) drawRefit(part, base, job);
}

function drawRefit(part, base, job) {
  const says = {
    refitting: "Cancelled: its best candidate so far is being refit; the model comes in a moment.",
    done: "Cancelled: the result and model are its best candidate so far, refit when it was cancelled.",
    stopped: "Cancelled twice: the second cancel stopped the refit of its best candidate, so it has no model.",
    failed: "Cancelled: refitting its best candidate failed, so it has no model.",
  };
  part("result-box").hidden = false;
  let note = part("refit-note");
  if (!note) {
    note = document.createElement("p");
    note.dataset.testid = "refit-note";
    note.className = "muted";
    part("result-box").querySelector("h2").after(note);
  }
  note.textContent = says[job.refit] || "";
  if (job.refit === "refitting") {
    setTimeout(async () => {
      if (!part("importance")) return;
      const now = await json(base).catch(() => job);
      drawFinished(part, base, now);
    }, REFIT_POLL_MS);
  }
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

// The ONNX download where the pipeline converted; else a disabled button saying why.
function onnxButton(onnx) {
  if (onnx && onnx.available) {
    return `<button data-testid="download-onnx" data-format="onnx">Download model (ONNX)</button>`;
  }
  const why = onnx ? onnx.reason : "the model was saved before ONNX files were written";
  return `<button data-testid="download-onnx" disabled title="${esc(why)}">No ONNX model</button>`;
}

// An auto job: the families side by side, the chosen one first in bold.
function families(result) {
  if (!result.families) return "";
  const m = metric(result.scoring);
  const rows = result.families.map((f) => {
    const params = f.best_params ? esc(JSON.stringify(f.best_params)) : "";
    const chosen = f.estimator === result.estimator;
    return `<tr data-testid="family-row" data-family="${esc(f.estimator)}"${chosen ? ' class="chosen"' : ""}>`
      + `<td>${chosen ? `<b>${esc(f.estimator)}</b>` : esc(f.estimator)}</td><td>${f.n_trials} (${f.n_failed_trials} failed)</td>`
      + `<td>${f.best_score === null ? "–" : score(m.shown(f.best_score))}</td>`
      + `<td>${f.mean_fit_time_s === null ? "–" : f.mean_fit_time_s.toFixed(2)} s</td><td><code>${params}</code></td></tr>`;
  }).join("");
  const scored = result.families.filter((f) => f.best_score !== null);
  return `<h3>Families <span class="muted">(chose ${esc(result.estimator)})</span></h3>
    <table data-testid="families"><thead><tr><th>family</th><th>trials</th><th>best ${esc(m.label)}</th><th>mean fit</th><th>best parameters</th></tr></thead><tbody>${rows}</tbody></table>
    ${bars({ items: scored.map((f) => ({ label: f.estimator, value: m.shown(f.best_score) })), testid: "family-bars" })}`;
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
  // an error as the error: RMSE 738.1, not neg_root_mean_squared_error −738.1
  const scores = Object.entries(result.scores).map(([name, s]) => {
    const m = metric(name);
    return `<tr data-testid="score-row" data-scorer="${esc(name)}"><td title="${esc(name)}">${esc(m.label)}${m.error ? ` <span class="muted">(lower is better)</span>` : ""}</td>`
      + `<td>${score(m.shown(s.cv))}</td><td>${score(s.cv_std)}</td><td>${score(m.shown(s.test))}</td></tr>`;
  }).join("");
  box.innerHTML = `
    <div class="kv" data-testid="best-params"><span>best trial</span><span>#${result.best_trial}</span>${params}</div>
    <table data-testid="scores"><thead><tr><th>scorer</th><th>cv</th><th>cv std</th><th>test</th></tr></thead><tbody>${scores}</tbody></table>
    <p>${result.n_trials} trials (${result.n_failed_trials} failed), ${result.n_train_rows} training rows, ${result.n_test_rows} test rows.</p>
    ${families(result)}
    <p><button data-testid="download-joblib" data-format="joblib">Download model (joblib)</button>
       <button data-testid="download-skops" data-format="skops">Download model (skops)</button>
       ${onnxButton(result.model.onnx)}
       <span class="error" data-testid="download-error"></span></p>`;
  for (const button of box.querySelectorAll("button[data-format]")) {
    button.addEventListener("click", () => {
      const format = button.dataset.format;
      download(`${base}/model?format=${format}`, `${result.job_id}.${format}`).catch((error) => {
        box.querySelector("[data-testid=download-error]").textContent = error.message;
      });
    });
  }
  // The search as plain code (GET /script): one Python file that replays it.
  const script = document.createElement("p");
  script.innerHTML = `<button data-testid="download-script">Download the search as Python</button>
    <span class="muted">reads the CSV, rebuilds the pipeline, prints the CV score</span>`;
  script.querySelector("button").addEventListener("click", () => {
    download(`${base}/script`, `${result.job_id}.py`).catch((error) => {
      box.querySelector("[data-testid=download-error]").textContent = error.message;
    });
  });
  box.append(script);
}
