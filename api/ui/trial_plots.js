// The plots of a job's trials beyond its history: every parameter at once (parallel
// coordinates), the score over two parameters (interpolated between the trials), and the
// spread of each trial's fold scores. Scores are shown as metric.shown gives them (an error
// as the error); colours go from the worst trial (dark) to the best (yellow).

import { axes as framed, colourBar, escapeXml as esc, jitterOf } from "./charts.js";
import { colourOf, fmt, rgbOf, scale, tickCount } from "./scales.js";

// Each parameter of the space, with how its axis reads: band for choices (and any value
// that is not a number), log where the space says log, else linear.
export function paramAxes(space, trials) {
  const axes = [];
  for (const [name, dim] of Object.entries(space || {})) {
    const values = trials.filter((t) => name in t.params).map((t) => t.params[name]);
    if (!values.length) continue;
    const categorical = Array.isArray(dim) || dim.type === "categorical" || values.some((v) => typeof v !== "number");
    const kind = categorical ? "band" : dim.log && values.every((v) => v > 0) ? "log" : "linear";
    const categories = (Array.isArray(dim) ? dim : dim.choices || []).map((c) => (c === null ? "null" : c));
    axes.push({ name, kind, categories, values, whole: !Array.isArray(dim) && dim.type === "int" });
  }
  return axes;
}

// A parameter's value as an axis takes it (null is the category "null").
const valueOf = (axis, t) => (axis.kind === "band" && t.params[axis.name] === null ? "null" : t.params[axis.name]);

// The share of the way from the worst score to the best: 0 worst, 1 best.
function rank(trials) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of trials) {
    lo = Math.min(lo, t.mean_score);
    hi = Math.max(hi, t.mean_score);
  }
  return { of: (s) => (hi > lo ? (s - lo) / (hi - lo) : 1), lo, hi };
}

export function parallel({ trials, axes, metric, bestNumber, width, height = 330, testid = "parallel-plot" }) {
  const m = { top: 30, right: 70, bottom: 52, left: 56 };
  const scoreAxis = { name: metric.label, kind: "linear", score: true, categories: [],
    values: trials.map((t) => metric.shown(t.mean_score)) };
  const all = [...axes, scoreAxis];
  const gap = (width - m.left - m.right) / Math.max(1, all.length - 1);
  const count = tickCount(height - m.top - m.bottom, 45);
  const scales = all.map((a) => scale(a.kind, a.kind === "band" ? a.values.map((v) => (v === null ? "null" : v)) : a.values,
    height - m.bottom, m.top, { order: a.categories, count, whole: a.whole, bounds: a.score ? metric.bounds : undefined }));
  const xOf = (i) => m.left + i * gap;
  const r = rank(trials);
  let body = "";
  all.forEach((a, i) => {
    const x = xOf(i);
    const short = a.name.length * 6 > gap - 6 && i < all.length - 1 ? `${a.name.slice(0, Math.max(3, Math.floor(gap / 6) - 2))}…` : a.name;
    body += `<g class="pc-axis" data-testid="${testid}-axis" data-param="${esc(a.name)}" data-scale="${a.kind}">`
      + `<path class="axis" d="M${x.toFixed(1)},${m.top}V${height - m.bottom}"/>`
      + `<text class="label" x="${x.toFixed(1)}" y="${m.top - 12}" text-anchor="middle">${esc(short)}<title>${esc(a.name)}${a.kind === "log" ? " (log)" : ""}</title></text>`;
    for (const [py, label] of scales[i].ticks) {
      body += `<path class="tick-mark" d="M${(x - 3).toFixed(1)},${py.toFixed(1)}h6"/>`
        + `<text class="tick y" x="${(x - 5).toFixed(1)}" y="${(py + 3).toFixed(1)}" text-anchor="end">${esc(label)}</text>`;
    }
    body += "</g>";
  });
  // worst first, so the best lines are drawn on top
  const order = [...trials].sort((a, b) => a.mean_score - b.mean_score);
  let lines = "";
  for (const t of order) {
    let d = "";
    all.forEach((a, i) => {
      // a conditional parameter this trial has not (gamma of a linear kernel): the line
      // goes on to the next axis it has
      if (!a.score && !(a.name in t.params)) return;
      const v = a.score ? metric.shown(t.mean_score) : valueOf(a, t);
      const y = scales[i].at(v) + jitterOf(t.number + i, scales[i].jitter);
      d += `${d ? "L" : "M"}${xOf(i).toFixed(1)},${y.toFixed(1)}`;
    });
    const best = t.number === bestNumber;
    lines += `<path class="pc-line${best ? " best" : ""}" data-number="${t.number}" stroke="${best ? "#d9480f" : colourOf(r.of(t.mean_score))}" d="${d}">`
      + `<title>#${t.number}: ${esc(fmt(metric.shown(t.mean_score)))}</title></path>`;
  }
  body = lines + body;
  body += colourBar({ x: width - m.right - 220, y: height - 28, width: 220, id: `${testid}-colours`,
    lo: fmt(metric.shown(r.lo)), hi: fmt(metric.shown(r.hi)), label: `${metric.label}: worst → best` });
  return `<svg class="plot" data-testid="${testid}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">${body}</svg>`;
}

const CELL_BUDGET = 300_000;

// The score over two parameters: each cell of a grid coloured by the inverse-distance
// weighted mean of the trials' scores (distance in the plot's own, log or band, units),
// the trials drawn on it. An interpolation, said so under the plot: where no trial is near,
// the colour is a guess.
export function surface({ trials, xAxis, yAxis, metric, bestNumber, width, height = 340, testid = "surface-plot" }) {
  const m = { top: 12, right: 16, bottom: 62, left: 70 };
  const have = trials.filter((t) => xAxis.name in t.params && yAxis.name in t.params);
  const values = (a) => have.map((t) => valueOf(a, t));
  const xs = scale(xAxis.kind, values(xAxis), m.left, width - m.right,
    { order: xAxis.categories, count: tickCount(width - m.left - m.right, 80), whole: xAxis.whole });
  const ys = scale(yAxis.kind, values(yAxis), height - m.bottom, m.top,
    { order: yAxis.categories, count: tickCount(height - m.top - m.bottom, 40), whole: yAxis.whole });
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const pts = have.map((t) => ({ t, x: xs.at(valueOf(xAxis, t)), y: ys.at(valueOf(yAxis, t)) }));
  const r = rank(have);
  // the trials in the unit square, in flat arrays: cells × trials distances, 700k for 500
  const us = Float64Array.from(pts, (p) => (p.x - m.left) / w);
  const vs = Float64Array.from(pts, (p) => (p.y - m.top) / h);
  const ss = Float64Array.from(pts, (p) => p.t.mean_score);
  // one pixel per grid cell, drawn into a small canvas that the SVG stretches (smoothed)
  // over the plot: one element, not a rect per cell
  // a cell every 12 pixels, coarser when many trials would make it slow (at most
  // CELL_BUDGET cell-trial distances)
  const coarse = Math.max(1, Math.sqrt(((w / 12) * (h / 12) * Math.max(1, ss.length)) / CELL_BUDGET));
  const nx = Math.max(2, Math.round(w / 12 / coarse));
  const ny = Math.max(2, Math.round(h / 12 / coarse));
  const canvas = document.createElement("canvas");
  Object.assign(canvas, { width: nx, height: ny });
  const context = canvas.getContext("2d");
  const image = context.createImageData(nx, ny);
  for (let j = 0; j < ny; j += 1) {
    const cv = (j + 0.5) / ny;
    for (let i = 0; i < nx; i += 1) {
      const cu = (i + 0.5) / nx;
      let sw = 0;
      let sum = 0;
      for (let k = 0; k < ss.length; k += 1) {
        const du = us[k] - cu;
        const dv = vs[k] - cv;
        const d2 = du * du + dv * dv + 1e-6;
        const wt = 1 / (d2 * Math.sqrt(d2)); // weight 1 / distance³
        sw += wt;
        sum += wt * ss[k];
      }
      const rgb = rgbOf(r.of(sum / sw));
      const at = 4 * (j * nx + i);
      image.data[at] = rgb[0];
      image.data[at + 1] = rgb[1];
      image.data[at + 2] = rgb[2];
      image.data[at + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  const cells = `<image class="surface-colours" data-testid="${testid}-colours" data-cells="${nx}x${ny}" x="${m.left}" y="${m.top}" width="${w}" height="${h}" preserveAspectRatio="none" href="${canvas.toDataURL()}"/>`;
  let dots = "";
  for (const p of pts) {
    const best = p.t.number === bestNumber;
    dots += `<circle class="surface-pt${best ? " best" : ""}" cx="${(p.x + jitterOf(p.t.number, xs.jitter)).toFixed(1)}" cy="${(p.y + jitterOf(p.t.number * 7, ys.jitter)).toFixed(1)}" r="${best ? 5 : 3}">`
      + `<title>#${p.t.number}: ${esc(xAxis.name)} ${esc(fmt(p.t.params[xAxis.name]))}, ${esc(yAxis.name)} ${esc(fmt(p.t.params[yAxis.name]))} → ${esc(fmt(metric.shown(p.t.mean_score)))}</title></circle>`;
  }
  const x0 = m.left;
  const y0 = height - m.bottom;
  let frame = `<path class="axis" d="M${x0},${m.top}V${y0}H${width - m.right}"/>`;
  for (const [px, label] of xs.ticks) {
    frame += `<path class="tick-mark" d="M${px.toFixed(1)},${y0}v4"/><text class="tick x" x="${px.toFixed(1)}" y="${y0 + 15}" text-anchor="middle">${esc(label)}</text>`;
  }
  for (const [py, label] of ys.ticks) {
    frame += `<path class="tick-mark" d="M${x0},${py.toFixed(1)}h-4"/><text class="tick y" x="${x0 - 6}" y="${(py + 3).toFixed(1)}" text-anchor="end">${esc(label)}</text>`;
  }
  frame += `<text class="label" x="${(x0 + width - m.right) / 2}" y="${y0 + 30}" text-anchor="middle">${esc(xAxis.name)}${xAxis.kind === "log" ? " (log)" : ""}</text>`
    + `<text class="label" transform="translate(12 ${(m.top + y0) / 2}) rotate(-90)" text-anchor="middle">${esc(yAxis.name)}${yAxis.kind === "log" ? " (log)" : ""}</text>`;
  frame += colourBar({ x: width - m.right - 240, y: height - 22, width: 240, id: `${testid}-colours`,
    lo: fmt(metric.shown(r.lo)), hi: fmt(metric.shown(r.hi)), label: `${metric.label}: worst → best` });
  return `<svg class="plot" data-testid="${testid}" data-x="${esc(xAxis.name)}" data-y="${esc(yAxis.name)}" data-x-scale="${xAxis.kind}" data-y-scale="${yAxis.kind}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">${cells}${frame}${dots}</svg>`;
}

// Each trial's fold scores, trials ranked best first: a whisker from the lowest fold to
// the highest, a dot per fold, a bar at the mean. A gap between trials smaller than their
// whiskers is noise, not a better candidate.
export function foldSpread({ trials, metric, bestNumber, width, height = 280, testid = "folds-plot" }) {
  const m = { top: 12, right: 16, bottom: 40, left: 62 };
  const ranked = [...trials].sort((a, b) => b.mean_score - a.mean_score);
  const folds = (t) => (t.fold_scores || []).filter((s) => s != null && Number.isFinite(s)).map(metric.shown);
  const values = ranked.flatMap((t) => [...folds(t), metric.shown(t.mean_score)]);
  const n = ranked.length;
  const xs = scale("linear", [], m.left, width - m.right, { domain: [0.5, n + 0.5], count: tickCount(width - m.left - m.right, 60), whole: true });
  const ys = scale("linear", values, height - m.bottom, m.top, { bounds: metric.bounds, count: tickCount(height - m.top - m.bottom, 40) });
  const step = (width - m.left - m.right) / Math.max(1, n);
  const half = Math.max(1, Math.min(6, step * 0.35));
  let body = "";
  ranked.forEach((t, i) => {
    const x = xs.at(i + 1);
    const f = folds(t);
    if (!f.length) return;
    const lo = Math.min(...f);
    const hi = Math.max(...f);
    const best = t.number === bestNumber;
    body += `<g class="fold-trial${best ? " best" : ""}" data-testid="${testid}-trial" data-number="${t.number}" data-folds="${f.length}">`
      + `<title>#${t.number}: ${esc(metric.label)} ${esc(fmt(metric.shown(t.mean_score)))} ± ${esc(fmt(t.std_score ?? 0))}; folds ${f.map(fmt).join(", ")}</title>`
      + `<path class="whisker" d="M${x.toFixed(1)},${ys.at(lo).toFixed(1)}V${ys.at(hi).toFixed(1)}"/>`
      + `<path class="mean" d="M${(x - half).toFixed(1)},${ys.at(metric.shown(t.mean_score)).toFixed(1)}h${(2 * half).toFixed(1)}"/>`;
    if (step >= 3) for (const s of f) body += `<circle class="fold" cx="${x.toFixed(1)}" cy="${ys.at(s).toFixed(1)}" r="${Math.min(2.5, step / 3).toFixed(1)}"/>`;
    body += "</g>";
  });
  const frame = framed(width, height, xs, ys, "rank of the trial by mean score (1: the best)", metric.axis, m);
  const [lo, hi] = ys.domain;
  return `<svg class="plot" data-testid="${testid}" data-y-min="${lo}" data-y-max="${hi}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">${frame}${body}</svg>`;
}
