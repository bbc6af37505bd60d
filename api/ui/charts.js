// Small SVG charts, each built as one string and inserted once: a 500-point plot is one
// parse and one layout, not 500 reflows.

const M = { top: 10, right: 12, bottom: 34, left: 52 };

export function escapeXml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(v) {
  if (typeof v !== "number") return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e4 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

function niceTicks([lo, hi], count = 5) {
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || mag * 10;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

// An axis: kind "linear", "log" or "band"; values → pixel positions in [a, b].
function scale(kind, values, a, b, order = []) {
  if (kind === "band") {
    const categories = [...new Set([...order, ...values].map(String))];
    const step = (b - a) / categories.length;
    const index = new Map(categories.map((c, i) => [c, i]));
    return {
      at: (v) => a + step * (index.get(String(v)) + 0.5),
      ticks: categories.map((c) => [a + step * (index.get(c) + 0.5), c]),
      jitter: step * 0.3,
    };
  }
  const log = kind === "log";
  const f = log ? Math.log10 : (v) => v;
  const [lo, hi] = extent(values.map(f));
  const at = (v) => a + ((f(v) - lo) / (hi - lo)) * (b - a);
  let ticks;
  if (log) {
    // A label every `every` decades: at most five, or they run into each other.
    const every = Math.max(1, Math.ceil((Math.floor(hi) - Math.ceil(lo) + 1) / 5));
    ticks = [];
    for (let e = Math.ceil(lo); e <= hi; e += every) ticks.push([a + ((e - lo) / (hi - lo)) * (b - a), fmt(10 ** e)]);
  } else {
    ticks = niceTicks([lo, hi]).map((t) => [at(t), fmt(t)]);
  }
  return { at, ticks, jitter: 0 };
}

function axes(w, h, xs, ys, xLabel, yLabel) {
  const x0 = M.left;
  const y0 = h - M.bottom;
  let out = `<path class="axis" d="M${x0},${M.top}V${y0}H${w - M.right}"/>`;
  for (const [px, label] of xs.ticks) {
    out += `<text x="${px.toFixed(1)}" y="${y0 + 13}" text-anchor="middle">${escapeXml(label)}</text>`;
  }
  for (const [py, label] of ys.ticks) {
    out += `<text x="${x0 - 4}" y="${(py + 3).toFixed(1)}" text-anchor="end">${escapeXml(label)}</text>`;
  }
  out += `<text x="${(x0 + w - M.right) / 2}" y="${h - 4}" text-anchor="middle">${escapeXml(xLabel)}</text>`;
  out += `<text transform="translate(11 ${(M.top + y0) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`;
  return out;
}

// A pseudo-random but stable offset per point, so categories do not stack on one line.
function jitterOf(i, width) {
  return (((i * 2654435761) % 1000) / 1000 - 0.5) * width;
}

// points: [{x, y, best}]; xKind: linear | log | band; stepLine: [[x, y], ...] drawn as a
// step path (the best so far).
// categories: the order of a band axis (the space's choices).
export function scatter({ points, xKind = "linear", xLabel, yLabel, testid, width = 300, height = 200, stepLine = null, categories = [] }) {
  const xs = scale(xKind, points.map((p) => p.x), M.left, width - M.right, categories);
  const yValues = points.map((p) => p.y);
  const ys = scale("linear", yValues.length ? yValues : [0, 1], height - M.bottom, M.top);
  let dots = "";
  points.forEach((p, i) => {
    const cx = xs.at(p.x) + jitterOf(i, xs.jitter);
    const cls = p.best ? "pt best" : "pt";
    dots += `<circle class="${cls}" cx="${cx.toFixed(1)}" cy="${ys.at(p.y).toFixed(1)}" r="${p.best ? 4 : 2.5}"><title>${escapeXml(p.title || "")}</title></circle>`;
  });
  let line = "";
  if (stepLine && stepLine.length) {
    let d = "";
    stepLine.forEach(([x, y], i) => {
      const px = xs.at(x).toFixed(1);
      const py = ys.at(y).toFixed(1);
      d += i === 0 ? `M${px},${py}` : `H${px}V${py}`;
    });
    d += `H${(width - M.right).toFixed(1)}`;
    line = `<path class="best-line" data-testid="${testid}-best-line" d="${d}"/>`;
  }
  return `<svg class="plot" data-testid="${testid}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`
    + axes(width, height, xs, ys, xLabel, yLabel) + line + dots + "</svg>";
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
