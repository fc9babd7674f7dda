/**
 * The lists page (D3, D6, L10): leads, contacts, accounts or deals (?kind=) with filters kept in the URL, a table,
 * a text box that narrows the list as the user types (q: name, company, email or phone, after a short pause),
 * "Load more", a CSV export of everything the filters select, Convert on lead rows (convert.js) and "Email these".
 * The export and the email are jobs (jobs.js): each starts on the API, then its progress shows here until it ends.
 */

import "./i18n/lists.js";
import {api} from "./api.js";
import {convertLead} from "./convert.js";
import {h, setOptions} from "./dom.js";
import {recordHref} from "./links.js";
import {describeError, formatDateTime, formatMoney, formatNumber, onLanguageChange, stageName, t} from "./i18n.js";
import {downloadResult, followJob, progressBar} from "./jobs.js";
import {isManaging, say, sayError, startPage} from "./page.js";

const KINDS = ["leads", "contacts", "accounts", "deals"];
const FILTERS = {leads: ["q", "cycle", "status", "source", "owner"], contacts: ["q", "owner"],
  accounts: ["q", "owner"], deals: ["q", "stage", "state", "owner"]};
const VALUES = {
  cycle: ["expected_buyer", "nurturable", "no_prospect"],
  status: ["new", "attempting", "contacted", "not_interested", "unreached", "converted"],
  source: ["web_page", "event", "newsletter", "ebook", "phone_call", "referral", "import", "other"],
  state: ["open", "won", "lost"],
};
const PAGE = 50;
const PAUSE_MS = 250; // typing faster than this loads the list once, for the last text
const MIN_TEXT = 2; // the API's shortest text: a shorter one does not narrow the list

const byId = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const kind = KINDS.includes(params.get("kind")) ? params.get("kind") : "leads";
const state = {me: null, rows: [], cursor: null, owners: new Map(), stages: [], templates: []};

const link = (recordKind, id, text) => h("a", {href: recordHref(recordKind, id)}, text || id);
const label = (prefix, value) => (value ? t(`lists${prefix}_${value}`) : "");
/** A source the CRM names is translated; any other label a form sent is shown as given (the filter's "other"). */
const sourceLabel = (source) => (VALUES.source.includes(source) ? label("Source", source) : source ?? "");
const date = (iso) => (iso ? formatDateTime(iso) : "");
/** Replaces an element's children with the given nodes and lists of nodes, leaving out the absent (null) ones. */
const fill = (element, ...children) => element.replaceChildren(...children.flat(Infinity).filter((child) => child));

/** The columns of each list: [message key, cell maker, numeric]. */
const COLUMNS = {
  leads: [["name", (row) => link("lead", row.id, row.name)], ["company", (row) => row.company],
    ["email", (row) => row.email], ["owner", (row) => row.owner_name], ["cycle", (row) => label("Cycle", row.cycle)],
    ["status", (row) => label("Status", row.status)], ["source", (row) => sourceLabel(row.source)],
    ["score", (row) => (row.score === null ? "" : formatNumber(row.score)), true],
    ["created", (row) => date(row.created_at)], ["actions", leadActions]],
  contacts: [["name", (row) => link("contact", row.id, row.name)],
    ["account", (row) => link("account", row.account_id, row.account_name)], ["email", (row) => row.email],
    ["phone", (row) => row.phone], ["owner", (row) => row.owner_name], ["created", (row) => date(row.created_at)]],
  accounts: [["name", (row) => link("account", row.id, row.name)], ["industry", (row) => row.industry],
    ["country", (row) => row.country], ["owner", (row) => row.owner_name], ["created", (row) => date(row.created_at)]],
  deals: [["title", (row) => link("deal", row.id, row.title)], ["account", (row) => row.account_name],
    ["stage", (row) => stageName({id: row.stage_id, name: row.stage_name ?? row.stage_id})],
    ["amount", (row) => formatMoney(row.amount, row.currency), true],
    ["owner", (row) => row.owner_name], ["activity", (row) => date(row.last_activity_at)]],
};

function leadActions(row) {
  if (row.contact_id) {
    return h("span", {class: "row-links", "data-testid": "converted-links"},
      link("contact", row.contact_id, t("listsContactLink")), link("account", row.account_id, t("listsAccountLink")));
  }
  return h("button", {type: "button", class: "button", "data-testid": "convert-lead",
    "aria-label": `${t("listsConvert")}: ${row.name}`, onclick: () => convertRow(row)}, t("listsConvert"));
}

async function convertRow(row) {
  const result = await convertLead(row);
  if (!result) return;
  Object.assign(row, {status: "converted", contact_id: result.contact_id, account_id: result.account_id});
  renderTable();
  say(t("listsConverted", {name: row.name}));
}

function currentFilters() {
  const filters = {};
  for (const name of FILTERS[kind]) {
    const value = byId(`filter-${name}`).value.trim();
    if (value && (name !== "q" || value.length >= MIN_TEXT)) filters[name] = value;
  }
  return filters;
}

function renderFilters() {
  for (const field of document.querySelectorAll("[data-filter]")) {
    const name = field.dataset.filter;
    field.hidden = !FILTERS[kind].includes(name) || (name === "owner" && !isManaging(state.me));
  }
  const any = {value: "", label: t("listsAny")};
  for (const name of ["cycle", "status", "source", "state"]) {
    const prefix = name[0].toUpperCase() + name.slice(1);
    setOptions(byId(`filter-${name}`), [any, ...VALUES[name].map((value) => ({value, label: label(prefix, value)}))],
      byId(`filter-${name}`).value || params.get(name) || "");
  }
  setOptions(byId("filter-stage"), [any, ...state.stages.map((stage) => ({value: stage.id, label: stageName(stage)}))],
    byId("filter-stage").value || params.get("stage") || "");
  const owners = [...state.owners].sort(([, a], [, b]) => a.localeCompare(b));
  setOptions(byId("filter-owner"), [{value: "", label: t("listsAllOwners")},
    ...owners.map(([value, name]) => ({value, label: name}))], byId("filter-owner").value || params.get("owner") || "");
  byId("email-these").hidden = !["leads", "contacts"].includes(kind);
}

function renderTable() {
  const title = t(`listsTitle_${kind}`);
  byId("list-title").textContent = title;
  byId("list-caption").textContent = state.cursor ? t("listsMore", {title, count: state.rows.length})
    : t("listsCaption", {title, count: state.rows.length});
  byId("list-head").replaceChildren(...COLUMNS[kind].map(([key]) => h("th", {scope: "col"}, t(`listsCol_${key}`))));
  byId("list-body").replaceChildren(...state.rows.map((row) => h("tr", {"data-testid": "list-row", "data-id": row.id},
    COLUMNS[kind].map(([key, cell, numeric], index) => h(index === 0 ? "th" : "td",
      {scope: index === 0 ? "row" : null, class: numeric ? "num" : null, "data-label": t(`listsCol_${key}`),
        "data-column": key},
      cell(row) ?? "")))));
  byId("list-empty").hidden = state.rows.length > 0;
  byId("load-more").hidden = !state.cursor;
}

let latest = 0; // each load takes a number: a page asked for before a later change of filters is never shown

async function load({more = false} = {}) {
  const mine = ++latest;
  try {
    const query = {...currentFilters(), limit: String(PAGE), ...(more && state.cursor ? {cursor: state.cursor} : {})};
    const page = await api(`/lists/${kind}`, {query});
    if (mine !== latest) return;
    state.rows = more ? [...state.rows, ...page.items] : page.items;
    state.cursor = page.next_cursor;
    for (const row of page.items) if (row.owner_id) state.owners.set(row.owner_id, row.owner_name || row.owner_id);
    renderFilters();
    renderTable();
  } catch (error) {
    sayError(error, "listsLoadFailed");
  }
}

function applyFilters(event) {
  event?.preventDefault();
  const url = new URL(location.href);
  url.search = new URLSearchParams({kind, ...currentFilters()}).toString();
  history.replaceState(null, "", url);
  load();
}

let typing = null;
let shownText = params.get("q") ?? ""; // the text the list shows: a change below MIN_TEXT that keeps it is no reload

/** The text box: once the user pauses, the list shows what the text (with the other filters) finds. */
function textTyped() {
  clearTimeout(typing);
  typing = setTimeout(() => {
    const text = currentFilters().q ?? "";
    if (text === shownText) return;
    shownText = text;
    applyFilters();
  }, PAUSE_MS);
}

// --- the export: a job that writes the file, then a link to download it ----------------------------------------

let exportShown = null; // the export job on show, redrawn when the language changes

async function exportCsv() {
  const button = byId("export");
  button.disabled = true;
  try {
    const job = await api(`/lists/${kind}/export`, {method: "POST", query: currentFilters(),
      headers: {"Idempotency-Key": crypto.randomUUID()}});
    byId("export-job").hidden = false;
    const ended = await followJob(job, renderExport);
    if (ended.status === "done") say(t("listsExportDone", {count: ended.rows, file: ended.filename}));
    else say(t("listsJobFailed"), "error");
  } catch (error) {
    sayError(error, "listsExportFailed");
  } finally {
    button.disabled = false;
  }
}

function renderExport(job) {
  exportShown = job;
  const download = (event) => {
    event.preventDefault(); // the link in the page may have expired: ask for a fresh one
    downloadResult(job.job_id).catch((error) => sayError(error, "listsExportFailed"));
  };
  const status = {done: t("listsExportDone", {count: job.rows, file: job.filename}), failed: t("listsJobFailed"),
    queued: t("listsJobQueued")}[job.status] ?? t("listsExportRunning", {count: job.rows});
  fill(byId("export-job-body"), h("p", {"data-testid": "export-status"}, status),
    progressBar(job, t("listsExportProgress")),
    job.status === "done" ? h("a", {href: job.download_url, class: "button button--primary",
      "data-testid": "export-download", onclick: download}, t("listsDownload", {file: job.filename})) : null);
}

// --- "Email these" ---------------------------------------------------------------------------------------------

const emailDialog = byId("email-dialog");
const emailForm = emailDialog.querySelector("form");
const emailSend = emailForm.querySelector("[type=submit]");
let emailKey = null;

function showFormError(form, text) {
  const error = form.querySelector("[data-role=form-error]");
  error.textContent = text;
  error.hidden = !text;
}

function templateName(template) {
  const texts = template.translations ?? {};
  return (texts[document.documentElement.lang] ?? texts.en ?? {}).name ?? template.id;
}

async function openEmail() {
  showFormError(emailForm, "");
  byId("email-summary").replaceChildren();
  emailKey = crypto.randomUUID(); // one key per confirmed batch: a retried send never sends twice
  emailDialog.showModal();
  try {
    state.templates = await api("/email-templates");
    setOptions(byId("email-template"), state.templates.map((template) => ({value: template.id,
      label: templateName(template)})));
    await previewEmail();
  } catch (error) {
    showFormError(emailForm, t("listsEmailFailed", {message: describeError(error)}));
  }
}

function blockedList(blocked) {
  const entries = Object.entries(blocked ?? {});
  if (!entries.length) return null;
  return [h("p", {}, t("listsBlockedTitle")), h("ul", {}, entries.map(([reason, count]) =>
    h("li", {}, `${label("Blocked", reason)}: ${formatNumber(count)}`)))];
}

async function previewEmail() {
  emailSend.disabled = true;
  byId("email-summary").replaceChildren(t("listsPreviewing"));
  const preview = await api("/mass-email/preview", {method: "POST",
    body: {kind, filters: currentFilters(), template_id: byId("email-template").value}});
  fill(byId("email-summary"), h("p", {"data-testid": "email-recipients"},
    t("listsRecipients", {count: preview.recipients})),
  preview.over_cap ? h("p", {}, t("listsOverCap", {count: preview.over_cap, cap: preview.cap})) : null,
  blockedList(preview.blocked));
  emailSend.disabled = preview.recipients === 0;
}

async function sendEmail(event) {
  event.preventDefault();
  emailSend.disabled = true;
  try {
    const job = await api("/mass-email", {method: "POST", headers: {"Idempotency-Key": emailKey},
      body: {kind, filters: currentFilters(), template_id: byId("email-template").value}});
    const ended = await followJob(job, renderEmailJob);
    if (ended.status === "done") say(emailDone(ended));
    else say(t("listsJobFailed"), "error");
  } catch (error) {
    showFormError(emailForm, t("listsEmailFailed", {message: describeError(error)}));
    emailSend.disabled = false;
  }
}

const emailDone = (job) => t("listsEmailDone", {sent: formatNumber(job.sent), skipped: formatNumber(job.skipped)});

/** Who was not emailed, by why: left out when the job started, or refused when their turn came. */
function skippedByReason(job) {
  const counts = {...job.blocked};
  for (const {reason} of job.refused ?? []) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

/** The mass email's progress in its dialog: sent so far of the recipients, then who got it and who did not. */
function renderEmailJob(job) {
  const status = {done: emailDone(job), failed: t("listsJobFailed"), queued: t("listsJobQueued")}[job.status]
    ?? t("listsEmailSending", {done: formatNumber(job.done), total: formatNumber(job.total)});
  fill(byId("email-summary"), h("p", {"data-testid": "email-result", "data-status": job.status}, status),
    progressBar(job, t("listsEmailProgress")), job.status === "done" ? blockedList(skippedByReason(job)) : null);
}

// --- start ------------------------------------------------------------------------------------------------------

async function loadStages() {
  if (kind !== "deals") return;
  try {
    state.stages = (await api("/pipelines/sales")).stages;
  } catch (error) {
    sayError(error);
  }
}

async function main() {
  state.me = await startPage();
  if (!state.me) return;
  state.owners.set(state.me.user_id, state.me.name || state.me.user_id);
  await loadStages();
  renderFilters();
  byId("filter-q").value = params.get("q") ?? "";
  byId("filters").addEventListener("submit", (event) => {
    shownText = currentFilters().q ?? "";
    applyFilters(event);
  });
  byId("filter-q").addEventListener("input", textTyped);
  byId("export").addEventListener("click", exportCsv);
  byId("email-these").addEventListener("click", openEmail);
  byId("load-more").addEventListener("click", () => load({more: true}));
  byId("email-template").addEventListener("change", () => previewEmail().catch((error) => showFormError(emailForm,
    t("listsEmailFailed", {message: describeError(error)}))));
  emailForm.addEventListener("submit", sendEmail);
  emailDialog.querySelector("[data-role=cancel]").addEventListener("click", () => emailDialog.close());
  onLanguageChange(() => {
    renderFilters();
    renderTable();
    if (exportShown) renderExport(exportShown);
  });
  await load();
}

main();
