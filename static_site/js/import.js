/**
 * The CSV import page: choose leads or contacts and a file (read here as text), upload it (POST /api/imports),
 * match its columns to CRM fields with a live preview (PUT .../mapping), then import it chunk by chunk
 * (POST .../next) under a real progress bar, and read the per-row report (GET .../report, also as CSV).
 */

import "./i18n/import.js";
import {api, loadConfig, localUsers} from "./api.js";
import {h, setOptions} from "./dom.js";
import {recordHref} from "./links.js";
import {describeError, formatNumber, onLanguageChange, reasonText, t} from "./i18n.js";
import {isManaging, say, sayError, startPage} from "./page.js";

const ROUND_ROBIN = "__round_robin__";
const RETRY_MS = 1500; // another tab is importing the same file: wait for it
// The API's limit on a file's UTF-8 text (crm/domain/csv_import.py MAX_BYTES). A bigger file is refused here, unread
// and unsent, in the page's words: sent, one over API Gateway's 10 MB would get its bare 413, not the reason.
const MAX_FILE_BYTES = 2_000_000;
const UTF8_BOM_BYTES = 3; // reading drops a BOM, so the text the API measures may be that much smaller than the file

const byId = (id) => document.getElementById(id);
const state = {
  me: null, job: null, preview: [], report: null, users: new Map(),
  importing: false, locked: false, // locked: the import started, its mapping can no longer change
  mapVersion: 0, progress: null,
};

const fieldLabel = (field) => t(`importField_${field}`);

/** A field's name in the mapping list: "(required)" when nothing else will do, "(required, or …)" when another field
 * will do instead (email or phone; the name or its parts). */
function optionLabel({field, required, alternatives = []}) {
  if (!required) return fieldLabel(field);
  if (!alternatives.length) return t("importRequiredField", {field: fieldLabel(field)});
  return t("importEitherField", {field: fieldLabel(field), others: alternatives.map(fieldLabel).join(" / ")});
}

function fieldOptions() {
  return [{value: "", label: t("importSkipColumn")},
    ...state.job.fields.map((field) => ({value: field.field, label: optionLabel(field)}))];
}

function currentMapping() {
  return Object.fromEntries([...byId("import-mapping-rows").querySelectorAll("select")]
    .map((select) => [select.dataset.column, select.value || null]));
}

function renderMapping() {
  const {job} = state;
  byId("import-file-summary").textContent = t("importFileSummary",
    {name: job.file_name, count: job.total, kind: t(`importKindName_${job.kind}`)});
  const chosen = currentMapping();
  byId("import-mapping-rows").replaceChildren(...job.columns.map((column, index) => {
    const id = `import-map-${index}`;
    const select = h("select", {id, "data-column": column, "data-testid": `import-map-${index}`,
      disabled: state.locked, onchange: () => saveMapping()});
    setOptions(select, fieldOptions(), chosen[column] ?? job.suggested_mapping[column] ?? "");
    return h("tr", {},
      h("th", {scope: "row"}, h("label", {for: id}, column)),
      h("td", {}, select),
      h("td", {class: "import-sample"}, job.preview[0]?.cells[index] ?? ""));
  }));
  renderOptions();
}

function renderOptions() {
  const leads = state.job.kind === "leads";
  byId("import-automation-field").hidden = !leads;
  const ownerField = byId("import-owner-field");
  ownerField.hidden = !isManaging(state.me);
  if (ownerField.hidden) return;
  const others = [...state.users].filter(([id]) => id !== state.me.user_id)
    .sort(([, a], [, b]) => a.localeCompare(b)).map(([value, label]) => ({value, label}));
  setOptions(byId("import-owner"), [{value: "", label: t("importOwnerMe")},
    ...(leads ? [{value: ROUND_ROBIN, label: t("importOwnerRoundRobin")}] : []), ...others]);
}

function mappingBody() {
  const owner = byId("import-owner-field").hidden ? "" : byId("import-owner").value;
  return {
    mapping: currentMapping(),
    owner_id: owner && owner !== ROUND_ROBIN ? owner : null,
    round_robin: owner === ROUND_ROBIN,
    start_automation: state.job.kind === "leads" && byId("import-automation").checked,
  };
}

function showMappingErrors(errors) {
  const box = byId("import-mapping-errors");
  box.hidden = errors.length === 0;
  box.replaceChildren(...(errors.length ? [h("p", {}, t("importMappingInvalid")),
    h("ul", {}, errors.map((error) => h("li", {}, `${error.field}: ${reasonText(error)}`)))] : []));
}

/** Sends the mapping; the answer's preview replaces the table (an older answer never overwrites a newer one). */
async function saveMapping() {
  const version = ++state.mapVersion;
  byId("import-start").disabled = true;
  try {
    const answer = await api(`/imports/${state.job.import_id}/mapping`, {method: "PUT", body: mappingBody()});
    if (version !== state.mapVersion) return;
    state.preview = answer.preview;
    showMappingErrors([]);
    renderPreview();
    byId("import-start").disabled = false;
  } catch (error) {
    if (version !== state.mapVersion) return;
    state.preview = [];
    renderPreview();
    if (error.status === 422) showMappingErrors(error.body.errors ?? []);
    else sayError(error, "importFailed");
  }
}

function renderPreview() {
  const fields = state.job.fields.map(({field}) => field).filter((field) => !["first_name", "last_name"].includes(field));
  const shown = fields.filter((field) => state.preview.some((row) => row.values[field]));
  byId("import-preview-head").replaceChildren(h("tr", {},
    h("th", {scope: "col"}, t("importRow")), ...shown.map((field) => h("th", {scope: "col"}, fieldLabel(field))),
    h("th", {scope: "col"}, t("importReasons"))));
  byId("import-preview-rows").replaceChildren(...state.preview.map((row) =>
    h("tr", {"class": row.errors.length ? "import-invalid" : null, "data-testid": "import-preview-row",
      "data-outcome": row.outcome},
    h("th", {scope: "row"}, formatNumber(row.row)),
    ...shown.map((field) => h("td", {}, row.values[field] ?? "")),
    h("td", {}, reasons(row.errors, row.outcome)))));
}

function reasons(errors, outcome) {
  if (!errors.length) return t(outcome === "merged" ? "importWillMerge" : "importOk");
  return h("ul", {class: "import-reasons"}, errors.map((error) =>
    h("li", {}, `${fieldLabel(error.field)}: ${reasonText(error)}`)));
}

async function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file, "utf-8");
  });
}

async function upload(form) {
  const file = byId("import-file").files[0];
  if (!file) {
    say(t("importChooseFile"), "error");
    byId("import-file").focus();
    return;
  }
  const kind = new FormData(form).get("kind");
  if (file.size - UTF8_BOM_BYTES > MAX_FILE_BYTES) {
    const tooLarge = {code: "file_too_large", params: {megabytes: MAX_FILE_BYTES / 1e6}};
    say(t("importRefused", {message: reasonText(tooLarge)}), "error");
    return;
  }
  try {
    const csv = await readFile(file);
    state.job = await api("/imports", {method: "POST", body: {kind, file_name: file.name, csv}});
  } catch (error) {
    const refused = error.body?.errors?.[0];
    say(refused ? t("importRefused", {message: reasonText(refused)}) : t("importFailed", {message: describeError(error)}),
      "error");
    return;
  }
  byId("import-mapping-panel").hidden = false;
  byId("import-progress-panel").hidden = true;
  byId("import-report-panel").hidden = true;
  byId("import-mapping-rows").replaceChildren();
  renderMapping();
  say(t("importUploaded", {count: state.job.total}));
  byId("import-mapping-heading").scrollIntoView({block: "start"});
  await saveMapping();
}

function showProgress({done, total}) {
  state.progress = {done, total};
  const bar = byId("import-progress");
  bar.max = Math.max(total, 1);
  bar.value = done;
  bar.setAttribute("aria-valuetext", t("importProgress", {done: formatNumber(done), total: formatNumber(total)}));
  byId("import-progress-text").textContent = t("importProgress", {done: formatNumber(done), total: formatNumber(total)});
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Drives the import: one POST /next per chunk until the job says it is finished. */
async function runImport() {
  if (state.importing) return;
  state.importing = true;
  state.locked = true;
  byId("import-start").disabled = true;
  for (const control of byId("import-mapping-panel").querySelectorAll("select, input")) control.disabled = true;
  byId("import-progress-panel").hidden = false;
  showProgress({done: 0, total: state.job.total});
  try {
    let status = {finished: false};
    while (!status.finished) {
      try {
        status = await api(`/imports/${state.job.import_id}/next`, {method: "POST"});
        showProgress(status);
      } catch (error) {
        if (error.status !== 409 || !error.body.import_id) throw error;
        showProgress(error.body);
        await pause(RETRY_MS);
      }
    }
    await loadReport();
  } catch (error) {
    sayError(error, "importFailed");
  } finally {
    state.importing = false;
  }
}

async function loadReport() {
  state.report = await api(`/imports/${state.job.import_id}/report`);
  renderReport();
  byId("import-report-panel").hidden = false;
  byId("import-report-heading").focus();
}

function recordLink(row) {
  if (!row.record_id) return row.outcome === "merged" ? t("importOtherOwner") : "";
  const kind = row.record_kind;
  return h("a", {href: recordHref(kind, row.record_id)},
    t(`importOpen_${kind}`));
}

function renderReport() {
  const {report} = state;
  if (!report) return;
  const {counts} = report;
  byId("import-report-summary").textContent = t("importSummary", {created: formatNumber(counts.created),
    merged: formatNumber(counts.merged), invalid: formatNumber(counts.invalid), skipped: formatNumber(counts.skipped)});
  byId("import-report-rows").replaceChildren(...report.rows.map((row) =>
    h("tr", {class: `import-outcome--${row.outcome}`, "data-testid": "import-report-row"},
      h("th", {scope: "row"}, formatNumber(row.row)),
      h("td", {"data-testid": "import-report-outcome"}, t(`importOutcome_${row.outcome}`)),
      h("td", {}, recordLink(row)),
      h("td", {}, row.errors.length ? reasons(row.errors) : ""))));
}

async function download() {
  try {
    const text = await api(`/imports/${state.job.import_id}/report`, {query: {format: "csv"}, as: "text"});
    const url = URL.createObjectURL(new Blob([text], {type: "text/csv"}));
    const link = h("a", {href: url, download: `${state.job.file_name.replace(/\.[^.]*$/, "")}-report.csv`});
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (error) {
    sayError(error, "importFailed");
  }
}

function again() {
  state.job = null;
  state.report = null;
  state.locked = false;
  state.progress = null;
  for (const id of ["import-mapping-panel", "import-progress-panel", "import-report-panel"]) byId(id).hidden = true;
  for (const control of byId("import-mapping-panel").querySelectorAll("select, input")) control.disabled = false;
  byId("import-upload").reset();
  byId("import-file").focus();
}

/** Who is signed in decides the owner choice; a manager on the local stack may give the rows to any user. */
async function loadMe() {
  state.me = await startPage();
  if (isManaging(state.me) && (await loadConfig()).auth === "local") {
    for (const user of await localUsers()) state.users.set(user.user_id, user.name || user.user_id);
  }
}

function start() {
  const signedIn = loadMe(); // the form works at once; what needs the user waits for it
  byId("import-upload").addEventListener("submit", async (event) => {
    event.preventDefault();
    await signedIn;
    if (state.me) await upload(event.target);
  });
  byId("import-start").addEventListener("click", runImport);
  byId("import-owner").addEventListener("change", saveMapping);
  byId("import-automation").addEventListener("change", saveMapping);
  byId("import-download").addEventListener("click", download);
  byId("import-again").addEventListener("click", again);
  onLanguageChange(() => {
    if (!state.job) return;
    renderMapping();
    renderPreview();
    renderReport();
    if (state.progress) showProgress(state.progress);
  });
}

start();
