// Datasets: the list (paginated), uploads by drag-and-drop or picker, one table's profile.

import { all, call, ApiError, json } from "./api.js";
import { escapeXml as esc } from "./charts.js";
import { listSection, sortableHeadings, tagChips, when } from "./lists.js";

const PAGE = 20;

export async function datasetsView(main) {
  main.innerHTML = `
    <h1>Datasets</h1>
    <section>
      <h2>Upload a CSV</h2>
      <div class="dropzone" data-testid="dropzone">
        Drop a CSV file here, or <label><u>choose one</u>
        <input type="file" accept=".csv,text/csv" data-testid="file-input" hidden></label>
      </div>
      <p data-testid="upload-status"></p>
    </section>
    ${listSection("datasets", [{ label: "name", sort: "name" }, "tags", "rows", "columns", "warnings",
    { label: "uploaded", sort: "-created_at" }])}`;
  const zone = main.querySelector("[data-testid=dropzone]");
  const status = main.querySelector("[data-testid=upload-status]");
  const table = main.querySelector("[data-testid=datasets-table]");
  const tbody = table.querySelector("tbody");
  const more = main.querySelector("[data-testid=datasets-more]");
  const first = () => `/v1/datasets?limit=${PAGE}&sort=${encodeURIComponent(sort())}`;
  const sort = sortableHeadings(table, "-created_at", () => loadPage(true).catch(() => {}));
  let next = first();

  async function loadPage(reset) {
    if (reset) next = first();
    const page = await json(next);
    if (reset) tbody.replaceChildren();
    tbody.insertAdjacentHTML("beforeend", page.items.map(row).join(""));
    next = page.next;
    more.hidden = !next;
  }

  async function upload(file) {
    status.className = "";
    status.textContent = `Uploading ${file.name}…`;
    const body = new FormData();
    body.append("file", file, file.name);
    try {
      const response = await call("/v1/datasets", { method: "POST", body });
      const answer = await response.json();
      if (!response.ok) throw new ApiError(response.status, answer);
      status.innerHTML = `Uploaded <a href="#/datasets/${esc(answer.id)}">${esc(answer.name)}</a>: `
        + `${answer.n_rows} rows, ${answer.n_columns} columns.`;
      status.dataset.datasetId = answer.id;
      await loadPage(true);
    } catch (error) {
      status.className = "error";
      status.textContent = `Upload refused: ${error.message}`;
    }
  }

  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    for (const file of e.dataTransfer.files) upload(file);
  });
  main.querySelector("[data-testid=file-input]").addEventListener("change", (e) => {
    for (const file of e.target.files) upload(file);
    e.target.value = "";
  });
  more.addEventListener("click", () => loadPage(false));
  await loadPage(true);
}

function row(d) {
  return `<tr data-testid="dataset-row" data-id="${esc(d.id)}">
    <td><a href="#/datasets/${esc(d.id)}">${esc(d.name)}</a></td><td>${tagChips(d.tags)}</td><td>${d.n_rows}</td>
    <td>${d.n_columns}</td><td>${d.warnings.length || ""}</td>
    <td class="muted">${esc(when(d.created_at))}</td></tr>`;
}

export async function datasetView(main, id) {
  const d = await json(`/v1/datasets/${encodeURIComponent(id)}`);
  const warnings = d.warnings.length
    ? d.warnings.map((w) => `<li class="warning">${w.column ? `<b>${esc(w.column)}</b>: ` : ""}${esc(w.message)}</li>`).join("")
    : `<li class="muted">none: the table was read as it is</li>`;
  main.innerHTML = `
    <h1>${esc(d.name)}</h1>
    <section class="kv">
      <span>id</span><code>${esc(d.id)}</code><span>rows</span><span>${d.n_rows}</span>
      <span>columns</span><span>${d.n_columns}</span><span>size</span><span>${d.size_bytes} bytes</span>
      <span>sha256</span><code>${esc(d.sha256)}</code>
    </section>
    <section><h2>Warnings</h2><ul data-testid="dataset-warnings">${warnings}</ul></section>
    <section><h2>Columns</h2>
      <table data-testid="columns-table">
        <thead><tr><th>name</th><th>dtype</th><th>missing</th><th>distinct</th></tr></thead>
        <tbody>${d.columns.map((c) => `<tr><td>${esc(c.name)}</td><td>${esc(c.dtype)}</td>
          <td>${c.n_missing}</td><td>${c.n_unique}</td></tr>`).join("")}</tbody>
      </table>
    </section>
    <p><a href="#/jobs">Start a search →</a></p>`;
}

// Every dataset (the search form's choices).
export function allDatasets() {
  return all("/v1/datasets");
}
