// Axes for the SVG charts: a value → pixel map and its labelled ticks, linear, log or
// band (categories). A scale's range can be kept within bounds (a metric's [0, 1]), and
// its tick count follows the pixels it has, so a wide plot gets more labels.

export function fmt(v) {
  if (typeof v !== "number") return v === null ? "null" : String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return Number(v.toPrecision(3)).toExponential();
  return String(Number(v.toPrecision(4)));
}

// The values' range padded by 5%, kept within [low, high]: an accuracy axis never reaches
// 1.05, an RMSE axis never goes below 0.
export function extent(values, [low, high] = [-Infinity, Infinity]) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  const pad = lo === hi ? Math.abs(lo) * 0.05 || 0.5 : (hi - lo) * 0.05;
  return [Math.max(low, lo - pad), Math.min(high, hi + pad)];
}

// Round numbers between lo and hi, about `count` of them, in steps of 1, 2 or 5 × 10^k
// (at least `minStep`: trial numbers are whole).
export function niceTicks([lo, hi], count = 5, minStep = 0) {
  if (!(hi > lo)) return [lo];
  const mag = 10 ** Math.floor(Math.log10((hi - lo) / Math.max(1, count)));
  const between = (step) => Math.floor(hi / step + 1e-9) - Math.ceil(lo / step - 1e-9) + 1;
  // the step whose tick count is nearest `count`, with at least two ticks where one fits
  let step = null;
  for (const s of [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50].map((m) => m * mag)) {
    if (s < minStep || between(s) < Math.min(2, between(Math.max(minStep, 0.1 * mag)))) continue;
    if (step === null || Math.abs(between(s) - count) < Math.abs(between(step) - count)) step = s;
  }
  step = step || Math.max(minStep, mag);
  const ticks = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

// Ticks of a log axis whose range is [lo, hi] in log10 units: powers of ten when three or
// more are in view, else 1, 2 and 5 times them, else round numbers: never fewer than two.
export function logTicks([lo, hi], count = 5) {
  const inside = (v) => Math.log10(v) >= lo - 1e-9 && Math.log10(v) <= hi + 1e-9;
  const decades = [];
  for (let e = Math.ceil(lo - 1e-9); e <= hi + 1e-9; e += 1) decades.push(10 ** e);
  let ticks = decades;
  if (decades.length < 3) {
    ticks = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e += 1) {
      for (const m of [1, 2, 5]) ticks.push(Number((m * 10 ** e).toPrecision(12)));
    }
    ticks = ticks.filter(inside);
  }
  if (ticks.length < 2) ticks = niceTicks([10 ** lo, 10 ** hi], count).filter((v) => v > 0 && inside(v));
  const every = Math.ceil(ticks.length / Math.max(2, count));
  return ticks.filter((_, i) => i % every === 0);
}

// An axis from pixel a to pixel b: kind "linear", "log" or "band"; `order` lists a band's
// categories first (the space's choices); `bounds` keeps a linear range within them;
// `count` is how many ticks to aim for; `whole` makes ticks integers.
export function scale(kind, values, a, b, { order = [], bounds, count = 5, whole = false, domain } = {}) {
  if (kind === "band") {
    const categories = [...new Set([...order, ...values].map(String))];
    const step = (b - a) / Math.max(1, categories.length);
    const index = new Map(categories.map((c, i) => [c, i]));
    const at = (v) => a + step * (index.get(String(v)) + 0.5);
    return { kind, at, ticks: categories.map((c) => [at(c), c]), jitter: step * 0.3, band: step };
  }
  const log = kind === "log";
  const f = log ? Math.log10 : (v) => v;
  const [lo, hi] = domain ? domain.map(f) : extent(values.map(f), log ? undefined : bounds);
  const span = hi - lo || 1;
  const at = (v) => a + ((f(v) - lo) / span) * (b - a);
  const ticks = log
    ? logTicks([lo, hi], count).map((t) => [at(t), fmt(t)])
    : niceTicks([lo, hi], count, whole ? 1 : 0).map((t) => [at(t), fmt(t)]);
  return { kind, at, ticks, jitter: 0, domain: [lo, hi] };
}

// How many ticks `pixels` hold, one every `every` pixels, at least two.
export function tickCount(pixels, every) {
  return Math.max(2, Math.round(pixels / every));
}

// Colours for a score from worst (0) to best (1): viridis, a sequence people with colour
// blindness read too, dark for bad and yellow for good.
const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];

const RGB = VIRIDIS.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));

// [r, g, b] of the share t in [0, 1] from worst to best.
export function rgbOf(t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const [c0, c1] = [RGB[i], RGB[i + 1]];
  return [0, 1, 2].map((k) => Math.round(c0[k] + (c1[k] - c0[k]) * (x - i)));
}

export function colourOf(t) {
  return `rgb(${rgbOf(t).join(",")})`;
}

export const VIRIDIS_STOPS = VIRIDIS;

// Colours for series (jobs compared), told apart by hue.
export const SERIES = ["#2f6fdd", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#5c940d"];
