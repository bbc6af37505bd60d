// A job's model card (GET /v1/jobs/{id}/card): what was trained, on what, how well, and
// what it is for; a button saves the same card as Markdown.

import { ApiError, call, json } from "./api.js";
import { escapeXml as esc } from "./charts.js";

const num = (v) => (v == null ? "" : typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(4)) : esc(v));

function table(testid, head, rows) {
  return `<table data-testid="${testid}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>`
    + `<tbody>${rows.map((r) => `<tr>${r.map((v) => `<td>${v}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}

export async function drawCard(box, base, jobId) {
  let card;
  try {
    card = await json(`${base}/card`);
  } catch (error) {
    box.innerHTML = `<p class="muted" data-testid="card-detail">not available (${esc(error.message)})</p>`;
    return;
  }
  const ev = card.evaluation;
  const list = (items) => `<ul>${items.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>`;
  const columns = card.columns.map((c) => [esc(c.name), esc(c.role), esc(c.kind || ""), num(c.n_missing),
    esc(c.treatment), esc(c.imputation || ""), c.scaled ? "yes" : "", esc(c.encoding || ""), esc(c.reason)]);
  const versions = Object.entries(card.library_versions).map(([k, v]) => [esc(k), esc(v)]);
  const warnings = [...card.warnings.data, ...card.warnings.job];
  box.innerHTML = `
    <h3>Intended use</h3><div data-testid="card-use">${list(card.intended_use)}</div>
    <h3>Limitations</h3><div data-testid="card-limits">${list(card.limitations)}</div>
    <h3>Evaluation</h3>
    <p data-testid="card-score">${esc(ev.scoring)}: ${num(ev.cv_score)} ± ${num(ev.cv_std)} over ${esc(ev.cv.folds)} ${esc(ev.cv.kind)} folds;
      test ${ev.test_score == null ? "none held out" : num(ev.test_score)}.
      ${card.search.n_trials} trials (${card.search.n_failed_trials} failed, ${card.search.n_pruned_trials} pruned).</p>
    <h3>Columns</h3>
    <div class="scroll">${table("card-columns", ["column", "role", "kind", "missing", "treatment", "imputed with", "scaled", "encoding", "why"], columns)}</div>
    <h3>Library versions</h3>${table("card-versions", ["library", "version"], versions)}
    ${warnings.length ? `<h3>Warnings</h3>${list(warnings.map((w) => w.message))}` : ""}
    <p><button data-testid="card-markdown">Download the card (Markdown)</button>
      <span class="error" data-testid="card-error"></span></p>`;
  box.querySelector("[data-testid=card-markdown]").addEventListener("click", async () => {
    try {
      const response = await call(`${base}/card`, { headers: { Accept: "text/markdown" } });
      if (!response.ok) throw new ApiError(response.status, await response.json());
      const url = URL.createObjectURL(await response.blob());
      const a = Object.assign(document.createElement("a"), { href: url, download: `${jobId}-card.md` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      box.querySelector("[data-testid=card-error]").textContent = error.message;
    }
  });
}
