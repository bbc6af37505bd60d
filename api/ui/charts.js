// Small SVG charts, each built as one string and inserted once: a 500-point plot is one
// parse and one layout, not 500 reflows. Scales and ticks are in scales.js.

import { SERIES, VIRIDIS_STOPS, fmt, scale, tickCount } from "./scales.js";

export const M = { top: 12, right: 16, bottom: 36, left: 62 };

export function escapeXml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The frame, tick marks and labels of a plot whose scales are xs and ys; tick labels carry
// class "tick x" or "tick y" (the tests read them).
export function axes(w, h, xs, ys, xLabel, yLabel, m = M) {
  const x0 = m.left;
  const y0 = h - m.bottom;
  let out = `<path class="axis" d="M${x0},${m.top}V${y0}H${w - m.right}"/>`;
  for (const [px, label] of xs.ticks) {
    out += `<path class="tick-mark" d="M${px.toFixed(1)},${y0}v4"/>`
      + `<text class="tick x" x="${px.toFixed(1)}" y="${y0 + 15}" text-anchor="middle">${escapeXml(label)}</text>`;
  }
  for (const [py, label] of ys.ticks) {
    out += `<path class="grid" d="M${x0},${py.toFixed(1)}H${w - m.right}"/>`
      + `<text class="tick y" x="${x0 - 5}" y="${(py + 3).toFixed(1)}" text-anchor="end">${escapeXml(label)}</text>`;
  }
  out += `<text class="label" x="${(x0 + w - m.right) / 2}" y="${h - 4}" text-anchor="middle">${escapeXml(xLabel)}</text>`;
  out += `<text class="label" transform="translate(12 ${(m.top + y0) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`;
  return out;
}

function svg(testid, width, height, body, extra = "") {
  return `<svg class="plot" data-testid="${testid}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img"${extra}>${body}</svg>`;
}

// A pseudo-random but stable offset per point, so categories do not stack on one line.
export function jitterOf(i, width) {
  return (((i * 2654435761) % 1000) / 1000 - 0.5) * width;
}

// points: [{x, y, best, title}]; xKind: linear | log | band; stepLine: [[x, y], ...] drawn
// as a step path (the best so far); categories: the order of a band axis; yBounds: the
// metric's range, which the y axis stays within; xWhole: integer x ticks (trial numbers).
export function scatter({ points, xKind = "linear", xLabel, yLabel, testid, width = 300, height = 200,
  stepLine = null, categories = [], yBounds, xWhole = false }) {
  const xs = scale(xKind, points.map((p) => p.x), M.left, width - M.right,
    { order: categories, count: tickCount(width - M.left - M.right, 80), whole: xWhole });
  const yValues = points.map((p) => p.y);
  const ys = scale("linear", yValues.length ? yValues : [0, 1], height - M.bottom, M.top,
    { bounds: yBounds, count: tickCount(height - M.top - M.bottom, 40) });
  let dots = "";
  points.forEach((p, i) => {
    const cx = xs.at(p.x) + jitterOf(i, xs.jitter);
    const cls = p.best ? "pt best" : "pt";
    dots += `<circle class="${cls}" cx="${cx.toFixed(1)}" cy="${ys.at(p.y).toFixed(1)}" r="${p.best ? 4 : 2.5}"><title>${escapeXml(p.title || "")}</title></circle>`;
  });
  let line = "";
  if (stepLine && stepLine.length) {
    line = `<path class="best-line" data-testid="${testid}-best-line" d="${stepPath(stepLine, xs, ys, width - M.right)}"/>`;
  }
  const [lo, hi] = ys.domain;
  return svg(testid, width, height, axes(width, height, xs, ys, xLabel, yLabel) + line + dots,
    ` data-y-min="${lo}" data-y-max="${hi}"`);
}

function stepPath(points, xs, ys, end) {
  let d = "";
  points.forEach(([x, y], i) => {
    const px = xs.at(x).toFixed(1);
    const py = ys.at(y).toFixed(1);
    d += i === 0 ? `M${px},${py}` : `H${px}V${py}`;
  });
  return `${d}H${end.toFixed(1)}`;
}

// Several step lines on shared axes (the best so far of several jobs): series
// [{name, points: [[x, y], ...], strong}], a legend under the plot.
export function stepLines({ series, xLabel, yLabel, testid, width = 600, height = 260, yBounds }) {
  const legendRows = Math.ceil(series.length / 2);
  const plotH = height;
  const all = series.flatMap((s) => s.points);
  const xs = scale("linear", all.map((p) => p[0]), M.left, width - M.right,
    { count: tickCount(width - M.left - M.right, 80), whole: true });
  const ys = scale("linear", all.map((p) => p[1]), plotH - M.bottom, M.top,
    { bounds: yBounds, count: tickCount(plotH - M.top - M.bottom, 40) });
  let body = axes(width, plotH, xs, ys, xLabel, yLabel);
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const colour = SERIES[i % SERIES.length];
    const end = xs.at(s.points[s.points.length - 1][0]);
    body += `<path class="series${s.strong ? " strong" : ""}" data-testid="${testid}-line" data-name="${escapeXml(s.name)}" stroke="${colour}" d="${stepPath(s.points, xs, ys, end)}"><title>${escapeXml(s.name)}</title></path>`;
  });
  series.forEach((s, i) => {
    const x = M.left + (i % 2) * ((width - M.left) / 2);
    const y = plotH + 6 + Math.floor(i / 2) * 16;
    body += `<rect x="${x}" y="${y}" width="14" height="4" fill="${SERIES[i % SERIES.length]}"/>`
      + `<text class="legend" x="${x + 20}" y="${y + 6}">${escapeXml(s.name)}</text>`;
  });
  const [lo, hi] = ys.domain;
  return svg(testid, width, plotH + legendRows * 16 + 8, body, ` data-y-min="${lo}" data-y-max="${hi}"`);
}

// One row per item, a dot at its value and a whisker of ± spread, on a shared value axis
// (best scores side by side; a dot plot, not bars: a score axis need not start at 0).
export function dotRows({ items, xLabel, testid, width = 600, bounds }) {
  const row = 24;
  const left = Math.min(260, Math.max(120, 7 * Math.max(...items.map((i) => i.label.length))));
  const m = { top: 8, right: 24, bottom: 36, left };
  const height = m.top + items.length * row + m.bottom;
  const values = items.flatMap((i) => [i.value - (i.spread || 0), i.value + (i.spread || 0)]);
  const xs = scale("linear", values, left, width - m.right, { bounds, count: tickCount(width - left - m.right, 80) });
  const y0 = height - m.bottom;
  let body = `<path class="axis" d="M${left},${m.top}V${y0}H${width - m.right}"/>`;
  for (const [px, label] of xs.ticks) {
    body += `<path class="grid" d="M${px.toFixed(1)},${m.top}V${y0}"/>`
      + `<text class="tick x" x="${px.toFixed(1)}" y="${y0 + 15}" text-anchor="middle">${escapeXml(label)}</text>`;
  }
  items.forEach((item, i) => {
    const cy = m.top + i * row + row / 2;
    const colour = item.colour || SERIES[i % SERIES.length];
    const lo = xs.at(item.value - (item.spread || 0));
    const hi = xs.at(item.value + (item.spread || 0));
    body += `<text class="row-label" x="${left - 6}" y="${cy + 4}" text-anchor="end">${escapeXml(item.label)}</text>`
      + `<path class="whisker" stroke="${colour}" d="M${lo.toFixed(1)},${cy}H${hi.toFixed(1)}"/>`
      + `<circle class="dot" data-testid="${testid}-dot" data-value="${item.value}" cx="${xs.at(item.value).toFixed(1)}" cy="${cy}" r="5" fill="${colour}">`
      + `<title>${escapeXml(`${item.label}: ${fmt(item.value)}${item.spread ? ` ± ${fmt(item.spread)}` : ""}`)}</title></circle>`
      + `<text class="value" x="${(hi + 8).toFixed(1)}" y="${cy + 4}">${escapeXml(fmt(item.value))}</text>`;
  });
  body += `<text class="label" x="${(left + width - m.right) / 2}" y="${height - 4}" text-anchor="middle">${escapeXml(xLabel)}</text>`;
  return svg(testid, width, height, body);
}

// A horizontal colour bar from `lo` (worst) to `hi` (best), for plots coloured by score.
export function colourBar({ x, y, width, lo, hi, label, id }) {
  const stops = VIRIDIS_STOPS.map((c, i) => `<stop offset="${(i / (VIRIDIS_STOPS.length - 1)).toFixed(2)}" stop-color="${c}"/>`).join("");
  return `<defs><linearGradient id="${id}">${stops}</linearGradient></defs>`
    + `<rect x="${x}" y="${y}" width="${width}" height="8" fill="url(#${id})"/>`
    + `<text class="tick" x="${x}" y="${y + 20}">${escapeXml(lo)}</text>`
    + `<text class="tick" x="${x + width}" y="${y + 20}" text-anchor="end">${escapeXml(hi)}</text>`
    + `<text class="tick" x="${x + width / 2}" y="${y + 20}" text-anchor="middle">${escapeXml(label)}</text>`;
}

// Horizontal bars: items [{label, value}] with values in [0, 1].
export function bars({ items, testid, width = 420 }) {
  const row = 22;
  const left = 150;
  const height = items.length * row + 8;
  let out = `<svg class="plot" data-testid="${testid}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`;
  items.forEach((item, i) => {
    const y = 4 + i * row;
    const w = Math.max(1, (width - left - 50) * Math.min(1, Math.max(0, item.value)));
    out += `<text x="${left - 6}" y="${y + 14}" text-anchor="end">${escapeXml(item.label)}</text>`
      + `<rect class="bar" data-param="${escapeXml(item.label)}" x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 8}"/>`
      + `<text x="${left + w + 4}" y="${y + 14}">${fmt(item.value)}</text>`;
  });
  return out + "</svg>";
}
