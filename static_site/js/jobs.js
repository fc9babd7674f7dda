/**
 * Jobs the signed-in user started (a CSV export, a mass email): the API answers 202 with the job, and the page
 * follows it (GET /api/jobs/{id} every second) until it is done or failed, drawing its progress. A finished
 * export's file is fetched from S3 through a presigned link that lives minutes, so a download asks for a fresh one.
 */

import {api} from "./api.js";
import {h} from "./dom.js";

const POLL_MS = 1000;
const ENDED = Object.freeze(["done", "failed"]);

const jobPath = (jobId) => `/jobs/${encodeURIComponent(jobId)}`;

const progressOf = (job) => `${job.status} ${job.done} ${job.total}`;

/** Calls onUpdate(job) now and whenever the job moved (read again every second), until it ends; resolves to the
 * ended job. Only a change is drawn again, so a live region does not repeat the same words every second. */
export async function followJob(job, onUpdate, interval = POLL_MS) {
  let current = job;
  onUpdate(current);
  while (!ENDED.includes(current.status)) {
    await new Promise((resolve) => { setTimeout(resolve, interval); });
    const previous = progressOf(current);
    current = await api(jobPath(current.job_id));
    if (progressOf(current) !== previous) onUpdate(current);
  }
  return current;
}

/** A <progress> of the job: the share done, full once it ended, indeterminate while its total is unknown. */
export function progressBar(job, label) {
  const bar = h("progress", {"data-testid": "job-progress", "data-status": job.status, "aria-label": label});
  if (ENDED.includes(job.status)) {
    bar.max = 1;
    bar.value = 1;
  } else if (job.total !== null && job.total !== undefined) {
    bar.max = Math.max(job.total, 1);
    bar.value = job.done;
  }
  return bar;
}

/** Downloads a finished job's file through a freshly presigned link. */
export async function downloadResult(jobId) {
  const job = await api(jobPath(jobId));
  location.assign(job.download_url);
}
