// The dashboard's entry point: hash routes → views. Each view gets an AbortSignal that
// fires when the user leaves it, to stop its timers and event streams.

import { ApiError } from "./api.js";
import { escapeXml as esc } from "./charts.js";
import { datasetView, datasetsView } from "./datasets.js";
import { jobView } from "./job.js";
import { jobsView } from "./jobs.js";
import { studiesView, studyView } from "./studies.js";

const ROUTES = {
  datasets: [datasetsView, datasetView],
  jobs: [jobsView, jobView],
  studies: [studiesView, studyView],
};
let leave = null;

async function route() {
  if (leave) leave.abort();
  leave = new AbortController();
  const signal = leave.signal;
  const [, name, id] = (location.hash || "#/jobs").split("/");
  const [list, one] = ROUTES[name] || ROUTES.jobs;
  const main = document.getElementById("view");
  main.replaceChildren();
  try {
    await (id ? one(main, decodeURIComponent(id), signal) : list(main, signal));
  } catch (error) {
    if (signal.aborted) return;
    const detail = error instanceof ApiError ? `${error.status}: ${error.message}` : String(error);
    main.insertAdjacentHTML("beforeend", `<p class="error" data-testid="view-error">${esc(detail)}</p>`);
  }
}

window.addEventListener("hashchange", route);
route();
