// A list view's table: its filters, its headings (some sortable), an empty body the view
// fills, and a "More" button the view shows while there is a next page.
// data-testid: `${name}-table`, `${name}-more`, `${name}-sort-${key}` on sortable headings.

import { escapeXml as esc } from "./charts.js";

// headings: a label, or { label, sort } where sort is the API's sort its first click asks
// for ("name", "-created_at"); a second click reverses it.
export function listSection(name, headings, filters = "") {
  const th = (h) => {
    if (typeof h === "string") return `<th>${esc(h)}</th>`;
    const key = h.sort.replace(/^-/, "");
    return `<th class="sortable" data-sort="${esc(h.sort)}" data-key="${esc(key)}"
      data-testid="${name}-sort-${esc(key)}">${esc(h.label)}</th>`;
  };
  return `<section>
      ${filters ? `<div class="filters" data-testid="${name}-filters">${filters}</div>` : ""}
      <div class="scroll-x"><table data-testid="${name}-table">
        <thead><tr>${headings.map(th).join("")}</tr></thead>
        <tbody></tbody>
      </table></div>
      <button data-testid="${name}-more" hidden>More</button>
    </section>`;
}

// Clicking a sortable heading of `table` sorts by it (again: the other way), marks it and
// calls onChange(sort) with the API's sort parameter. Returns a function giving the sort.
export function sortableHeadings(table, initial, onChange) {
  let sort = initial;
  const mark = () => {
    for (const th of table.querySelectorAll("th[data-key]")) {
      const on = th.dataset.key === sort.replace(/^-/, "");
      th.classList.toggle("sorted-asc", on && !sort.startsWith("-"));
      th.classList.toggle("sorted-desc", on && sort.startsWith("-"));
      th.setAttribute("aria-sort", on ? (sort.startsWith("-") ? "descending" : "ascending") : "none");
    }
  };
  table.querySelector("thead").addEventListener("click", (e) => {
    const th = e.target.closest("th[data-sort]");
    if (!th) return;
    const same = th.dataset.key === sort.replace(/^-/, "");
    sort = same ? (sort.startsWith("-") ? sort.slice(1) : `-${sort}`) : th.dataset.sort;
    mark();
    onChange(sort);
  });
  mark();
  return () => sort;
}

// `<option>`s for a filter's <select>: [value, label] pairs, the first usually "" (any).
export function choices(pairs, selected = "") {
  return pairs.map(([value, label]) =>
    `<option value="${esc(value)}"${value === selected ? " selected" : ""}>${esc(label)}</option>`).join("");
}

// A query string from the filters that are set: {sort: "-created_at", status: ""} → "&sort=-created_at".
export function query(params) {
  return Object.entries(params).filter(([, v]) => v !== "" && v != null)
    .map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("");
}

export function when(timestamp) {
  return timestamp ? new Date(timestamp).toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" }) : "";
}

// 0.4 → "0.4 s", 75 → "1 min 15 s", 7260 → "2 h 1 min"; "" when unknown.
export function duration(seconds) {
  if (seconds == null) return "";
  if (seconds < 60) return `${Number(seconds.toFixed(seconds < 10 ? 1 : 0))} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

// Tags as small labels (nothing without any).
export function tagChips(tags) {
  return (tags || []).map((t) => `<span class="tag" data-testid="tag">${esc(t)}</span>`).join(" ");
}
