// This job beside the other searches on its dataset that predict the same target with the
// same metric (their scores compare): each one's best score so far, overlaid, and their
// best scores side by side with the spread of the best trial's folds.

import { all, json } from "./api.js";
import { dotRows, escapeXml as esc, stepLines } from "./charts.js";
import { metric } from "./metrics.js";
import { fmt, SERIES } from "./scales.js";

// At most this many jobs are drawn (this one and the most recent others).
const MAX_JOBS = 6;

// The best score so far at each improvement, and at the job's last trial (where its line ends).
function bestSoFar(trials, shown) {
  const steps = [];
  let best = -Infinity;
  let last = null;
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    last = t.number;
    if (t.mean_score == null || !Number.isFinite(t.mean_score) || t.mean_score <= best) continue;
    best = t.mean_score;
    steps.push([t.number, shown(best)]);
  }
  if (steps.length && last > steps[steps.length - 1][0]) steps.push([last, shown(best)]);
  return steps;
}

function nameOf(job, current) {
  const short = job.id.slice(-6);
  return `${job.spec.estimator}, ${job.spec.strategy} (…${short})${job.id === current ? " this job" : ""}`;
}

// Draws into `box`; `trials` are this job's (already fetched). Stops when `signal` fires
// (the person left the page).
export async function drawComparison(box, job, trials, width, signal) {
  const spec = job.spec;
  const page = await json(`/v1/jobs?dataset_id=${encodeURIComponent(job.dataset_id)}&limit=100`);
  const same = page.items.filter((j) => j.id !== job.id && j.spec.target === spec.target && j.spec.scoring === spec.scoring
    && j.best_score != null);
  const others = page.items.filter((j) => j.id !== job.id).length - same.length;
  const chosen = same.slice(0, MAX_JOBS - 1);
  const m = metric(spec.scoring);
  if (signal.aborted) return;
  const why = others ? ` (not shown: ${others} other search${others === 1 ? "" : "es"} on this dataset, of another target or metric)` : "";
  if (!chosen.length) {
    box.innerHTML = `<p class="muted" data-testid="compare-detail">No other search on this dataset predicts ${esc(spec.target)} ranked by ${esc(spec.scoring)} yet${esc(why)}.</p>`;
    return;
  }
  const trialsOf = await Promise.all(chosen.map((j) => all(`/v1/jobs/${encodeURIComponent(j.id)}/trials`)));
  if (signal.aborted) return;
  const jobs = [job, ...chosen];
  const lists = [trials, ...trialsOf];
  const series = jobs.map((j, i) => ({ name: nameOf(j, job.id), points: bestSoFar(lists[i], m.shown), strong: i === 0 }));
  const items = jobs.map((j, i) => {
    const best = lists[i].filter((t) => t.mean_score != null).reduce((b, t) => (b == null || t.mean_score > b.mean_score ? t : b), null);
    return { label: nameOf(j, job.id), value: m.shown(best ? best.mean_score : j.best_score), spread: best ? best.std_score || 0 : 0,
      colour: SERIES[i % SERIES.length] };
  });
  box.innerHTML = `<p class="muted">${jobs.length} searches predicting <b>${esc(spec.target)}</b>, ranked by ${esc(m.label)}${esc(why)}.
      ${m.note ? esc(m.note) : ""}</p>
    ${stepLines({ series, xLabel: "trial", yLabel: `best ${m.axis}`, testid: "compare-history", width, height: 260, yBounds: m.bounds })}
    <h3>Best scores <span class="muted">(dot: the best trial's mean over its folds; line: ± its standard deviation)</span></h3>
    ${dotRows({ items, xLabel: m.axis, testid: "compare-best", width, bounds: m.bounds })}
    <table class="compact" data-testid="compare-table"><thead><tr><th>search</th><th>status</th><th>trials</th><th>best ${esc(m.label)}</th></tr></thead>
    <tbody>${jobs.map((j, i) => `<tr data-testid="compare-row" data-id="${esc(j.id)}"><td><a href="#/jobs/${esc(j.id)}">${esc(nameOf(j, job.id))}</a></td>
      <td class="status-${esc(j.status)}">${esc(j.status)}</td><td>${lists[i].length}</td><td>${esc(fmt(items[i].value))}</td></tr>`).join("")}</tbody></table>`;
}
