// Studies (ask and tell over HTTP): the list, and a study's page with the jobs' plots of
// its trials (trial_plots.js, charts.js). A study reports the client's own metric, lower
// or higher is better as its direction says; the plots show the value as reported.

import { POLL, all, follow, json } from "./api.js";
import { escapeXml as esc, scatter } from "./charts.js";
import { listSection, query, sortableHeadings, when } from "./lists.js";
import { paramAxes, parallel } from "./trial_plots.js";

const REFRESH_MS = 3000;
const COLUMNS = [{ label: "name", sort: "name" }, "metric", "direction", "strategy", "best", "state",
  { label: "created", sort: "-created_at" }];

// How a study's value reads: the plots rank by a score (greater is better), the value
// minimized is its negation.
function studyMetric(spec) {
  const lower = spec.direction === "minimize";
  return {
    label: spec.metric,
    bounds: [-Infinity, Infinity],
    axis: `${spec.metric} (${lower ? "lower" : "higher"} is better)`,
    shown: (score) => (score == null ? null : lower ? -score : score),
    sign: lower ? -1 : 1,
  };
}

const value = (v) => (v == null ? "" : Number(v).toPrecision(5));

function row(study) {
  const name = study.name ? esc(study.name) : `<code class="muted">…${esc(study.id.slice(-8))}</code>`;
  return `<tr data-testid="study-row" data-id="${esc(study.id)}" data-state="${esc(study.state)}">
    <td data-col="name"><a href="#/studies/${esc(study.id)}" title="${esc(study.id)}">${name}</a></td>
    <td data-col="metric">${esc(study.spec.metric)}</td><td data-col="direction">${esc(study.spec.direction)}</td>
    <td data-col="strategy">${esc(study.spec.strategy)}</td>
    <td data-col="best">${esc(value(study.best && study.best.value))}</td>
    <td data-col="state">${esc(study.state)} <span class="muted">${study.trials_completed}/${study.trials_total}</span></td>
    <td data-col="created" class="muted">${esc(when(study.created_at))}</td></tr>`;
}

export async function studiesView(main, signal) {
  main.innerHTML = `<h1>Studies</h1>
    <p class="muted">Objectives your code computes: see the README's "Studies" section.</p>
    ${listSection("studies", COLUMNS)}`;
  const table = main.querySelector("[data-testid=studies-table]");
  const more = main.querySelector("[data-testid=studies-more]");
  let shown = 20;
  let timer = null;
  signal.addEventListener("abort", () => clearTimeout(timer));
  const sort = sortableHeadings(table, "-created_at", () => refresh().catch(() => {}));
  async function refresh(timed = false) {
    clearTimeout(timer);
    try {
      const page = await json(`/v1/studies?limit=${shown}${query({ sort: sort() })}`, timed ? { headers: POLL } : {});
      if (signal.aborted) return;
      table.querySelector("tbody").innerHTML = page.items.map(row).join("");
      more.hidden = !page.next || shown >= 100;
    } finally {
      if (!signal.aborted) timer = setTimeout(() => refresh(true).catch(() => {}), REFRESH_MS);
    }
  }
  more.addEventListener("click", () => { shown = Math.min(100, shown + 20); refresh(); });
  await refresh();
}

export async function studyView(main, id, signal) {
  main.innerHTML = `<p><a href="#/studies">← Studies</a></p><div data-testid="study-head"></div>
    <section><h2>History</h2><div data-testid="study-history"></div></section>
    <section><h2>Every parameter</h2><div data-testid="study-parallel"></div></section>`;
  const base = `/v1/studies/${encodeURIComponent(id)}`;
  async function draw() {
    const study = await json(base, { headers: POLL });
    const trials = await all(`${base}/trials?state=succeeded`);
    if (signal.aborted) return;
    const m = studyMetric(study.spec);
    const counts = Object.entries(study.counts).map(([k, v]) => `${esc(k)} ${v}`).join(" · ");
    const best = study.best
      ? `best: <strong data-testid="study-best">${esc(value(study.best.value))}</strong> (#${study.best.number}) <code>${esc(JSON.stringify(study.best.params))}</code>`
      : "no value reported yet";
    main.querySelector("[data-testid=study-head]").innerHTML = `<h1>${esc(study.name || study.id)}</h1>
      <p>${esc(study.spec.strategy)}, ${esc(study.spec.direction)} ${esc(study.spec.metric)};
      <span data-testid="study-state">${esc(study.state)}</span>, ${study.trials_completed}/${study.trials_total} reported (${counts})</p>
      <p>${best}</p>`;
    // as the jobs' plots take trials: a score, greater is better
    const scored = trials.map((t) => ({ ...t, mean_score: m.sign * t.value }));
    const box = main.querySelector("[data-testid=study-history]");
    const width = Math.max(320, Math.floor(box.clientWidth || 760));
    const bestNumber = study.best ? study.best.number : null;
    const steps = [];
    let top = -Infinity;
    for (const t of scored) {
      if (t.mean_score > top) {
        top = t.mean_score;
        steps.push([t.number, t.value]);
      }
    }
    const points = scored.map((t) => ({ x: t.number, y: t.value, best: t.number === bestNumber, title: `#${t.number}: ${t.value}` }));
    box.innerHTML = scored.length
      ? scatter({ points, xLabel: "trial", yLabel: m.axis, testid: "history-plot", width, height: 300, stepLine: steps, xWhole: true })
      : `<p class="muted">no value reported yet</p>`;
    const axes = paramAxes(study.spec.space, scored);
    main.querySelector("[data-testid=study-parallel]").innerHTML = scored.length && axes.length
      ? parallel({ trials: scored, axes, metric: m, bestNumber, width })
      : `<p class="muted">no value reported yet</p>`;
    return study;
  }
  // Redrawn on the study's events (no polling): one draw at a time, and one more after it
  // when events came meanwhile.
  let drawing = false;
  let again = false;
  async function redraw() {
    if (drawing) {
      again = true;
      return;
    }
    drawing = true;
    try {
      do {
        again = false;
        await draw();
      } while (again && !signal.aborted);
    } finally {
      drawing = false;
    }
  }
  const study = await draw();
  if (study.state !== "running") return;
  follow(`${base}/events`, () => redraw().catch(() => {}), signal, "completed").catch((error) => {
    if (!signal.aborted) main.querySelector("[data-testid=study-head]").insertAdjacentHTML("beforeend", `<p class="error">events: ${esc(error.message)}</p>`);
  });
}
